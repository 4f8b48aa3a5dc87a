import { CheckpointError } from '../errors.js';

/** Settings of {@link PendingLabels} (the `labels:` section). */
export interface PendingLabelsSettings {
  /** A waiting record expires once a record that arrived this many records after it has been joined. */
  readonly ttlRecords?: number;
  /** A waiting record expires once a joined record is this many seconds younger (event time). */
  readonly ttlSeconds?: number;
  /** Records (and, separately, early labels) waiting at most; past it the oldest expires. */
  readonly maxPending: number;
}

/** What an arrival did: a pair joined, a record expired, or a label that joins nothing. */
export type PendingEvent<R, L> =
  | { readonly kind: 'joined'; readonly key: string; readonly record: R; readonly label: L; readonly delayRecords: number; readonly delayMs: number }
  | { readonly kind: 'expired'; readonly key: string; readonly record: R; readonly why: string }
  | { readonly kind: 'orphan'; readonly key: string; readonly label: L; readonly why: string }
  | { readonly kind: 'duplicate'; readonly key: string; readonly label: L; readonly why: string };

interface Entry<T> {
  readonly value: T;
  /** Arrival number on its side (records and labels are numbered separately). */
  readonly seq: number;
  /** Event time, ms since the epoch. */
  readonly time: number;
}

/** JSON form of a {@link PendingLabels} (for the checkpoint). */
export interface PendingLabelsSnapshot {
  readonly recordSeq: number;
  readonly labelSeq: number;
  readonly joined: readonly [recordSeq: number, labelSeq: number, recordTime: number | null, labelTime: number | null];
  readonly records: readonly (readonly [key: string, seq: number, time: number, value: unknown])[];
  readonly labels: readonly (readonly [key: string, seq: number, time: number, value: unknown])[];
  readonly recent: readonly (readonly [key: string, state: 'joined' | 'expired'])[];
}

/**
 * The join of records with labels that arrive later, by key. A record waits for its label; a label
 * that comes first (Kafka does not order two topics) waits for its record. A label for a key
 * joined recently is a duplicate; one for a key whose record expired is an orphan.
 *
 * Expiry is measured on the joined pairs, not on arrivals, so it does not depend on how far one
 * topic's consumption runs ahead of the other: a waiting record expires once a record that arrived
 * `ttlRecords` records after it (or whose event time is `ttlSeconds` later) has been joined; an
 * early label likewise against the labels joined after it. Both sides hold at most `maxPending`
 * entries (the oldest expires first); the recently joined keys at most `maxPending` too.
 *
 * @example
 * const pending = new PendingLabels<Sample, number>({ ttlRecords: 5000, maxPending: 100_000 });
 * pending.record('k1', sample, time); // [] (waits)
 * pending.label('k1', 1, time);        // [{ kind: 'joined', key: 'k1', record: sample, label: 1, delayRecords: 0, delayMs: 0 }]
 * pending.label('k1', 1, time);        // [{ kind: 'duplicate', ... }]
 */
export class PendingLabels<R, L> {
  readonly #settings: PendingLabelsSettings;
  readonly #ttlMs: number;
  #records = new Map<string, Entry<R>>();
  #labels = new Map<string, Entry<L>>();
  /** Keys recently joined or expired, oldest first (duplicates and orphans are told by it). */
  #recent = new Map<string, 'joined' | 'expired'>();
  #recordSeq = 0;
  #labelSeq = 0;
  /** The latest joined pair's record and label numbers and event times: the clock of expiry. */
  #joinedRecordSeq = -1;
  #joinedLabelSeq = -1;
  #joinedRecordTime = -Infinity;
  #joinedLabelTime = -Infinity;

  constructor(settings: PendingLabelsSettings) {
    this.#settings = settings;
    this.#ttlMs = settings.ttlSeconds === undefined ? Infinity : settings.ttlSeconds * 1000;
  }

  /** Records waiting for their label. */
  get size(): number {
    return this.#records.size;
  }

  /** Labels waiting for their record. */
  get earlyLabels(): number {
    return this.#labels.size;
  }

  /** A record arrives: joined with its early label, or parked (superseding a waiting record of the same key). */
  record(key: string, value: R, time: number): PendingEvent<R, L>[] {
    const events: PendingEvent<R, L>[] = [];
    const seq = this.#recordSeq++;
    const early = this.#labels.get(key);
    if (early) {
      this.#labels.delete(key);
      this.#join(events, key, { value, seq, time }, early, 0);
      return events;
    }
    const older = this.#records.get(key);
    if (older) {
      this.#records.delete(key);
      this.#expire(events, key, older.value, 'a later record with the same key arrived before its label');
    }
    this.#recent.delete(key);
    this.#records.set(key, { value, seq, time });
    this.#bound(events);
    return events;
  }

  /** A label arrives: joined with its waiting record, a duplicate, an orphan, or parked until its record comes. */
  label(key: string, value: L, time: number): PendingEvent<R, L>[] {
    const events: PendingEvent<R, L>[] = [];
    const seq = this.#labelSeq++;
    const waiting = this.#records.get(key);
    if (waiting) {
      this.#records.delete(key);
      this.#join(events, key, waiting, { value, seq, time }, this.#recordSeq - 1 - waiting.seq);
      return events;
    }
    const recent = this.#recent.get(key);
    if (recent === 'joined') events.push({ kind: 'duplicate', key, label: value, why: 'its record was already joined with an earlier label' });
    else if (recent === 'expired') events.push({ kind: 'orphan', key, label: value, why: 'its record expired before the label came' });
    else if (this.#labels.has(key)) events.push({ kind: 'duplicate', key, label: value, why: 'a label for this key is already waiting for its record' });
    else {
      this.#labels.set(key, { value, seq, time });
      this.#bound(events);
    }
    return events;
  }

  snapshot(encodeRecord: (value: R) => unknown, encodeLabel: (value: L) => unknown): PendingLabelsSnapshot {
    return {
      recordSeq: this.#recordSeq,
      labelSeq: this.#labelSeq,
      joined: [this.#joinedRecordSeq, this.#joinedLabelSeq, finite(this.#joinedRecordTime), finite(this.#joinedLabelTime)],
      records: [...this.#records].map(([k, e]) => [k, e.seq, e.time, encodeRecord(e.value)] as const),
      labels: [...this.#labels].map(([k, e]) => [k, e.seq, e.time, encodeLabel(e.value)] as const),
      recent: [...this.#recent],
    };
  }

  restore(snapshot: PendingLabelsSnapshot, decodeRecord: (json: unknown) => R, decodeLabel: (json: unknown) => L): void {
    if (!Array.isArray(snapshot?.records) || !Array.isArray(snapshot.labels) || !Array.isArray(snapshot.recent)) {
      throw new CheckpointError('the checkpoint\'s "labels" state is not a waiting set (records, labels, recent); use the checkpoint directory of a run with labels');
    }
    this.#recordSeq = snapshot.recordSeq;
    this.#labelSeq = snapshot.labelSeq;
    const [rs, ls, rt, lt] = snapshot.joined;
    this.#joinedRecordSeq = rs;
    this.#joinedLabelSeq = ls;
    this.#joinedRecordTime = rt ?? -Infinity;
    this.#joinedLabelTime = lt ?? -Infinity;
    this.#records = new Map(snapshot.records.map(([k, seq, time, v]) => [k, { value: decodeRecord(v), seq, time }]));
    this.#labels = new Map(snapshot.labels.map(([k, seq, time, v]) => [k, { value: decodeLabel(v), seq, time }]));
    this.#recent = new Map(snapshot.recent);
  }

  #join(events: PendingEvent<R, L>[], key: string, record: Entry<R>, label: Entry<L>, delayRecords: number): void {
    events.push({ kind: 'joined', key, record: record.value, label: label.value, delayRecords, delayMs: Math.max(0, label.time - record.time) });
    this.#remember(key, 'joined');
    this.#joinedRecordSeq = Math.max(this.#joinedRecordSeq, record.seq);
    this.#joinedLabelSeq = Math.max(this.#joinedLabelSeq, label.seq);
    this.#joinedRecordTime = Math.max(this.#joinedRecordTime, record.time);
    this.#joinedLabelTime = Math.max(this.#joinedLabelTime, label.time);
    this.#expireStale(events);
  }

  /** Expires, oldest first, the records and early labels the joined pairs have left behind by the TTL. */
  #expireStale(events: PendingEvent<R, L>[]): void {
    const { ttlRecords = Infinity } = this.#settings;
    const ttlMs = this.#ttlMs;
    if (ttlRecords === Infinity && ttlMs === Infinity) return;
    for (const [key, e] of this.#records) {
      const byRecords = this.#joinedRecordSeq - e.seq >= ttlRecords;
      const byTime = this.#joinedRecordTime - e.time > ttlMs;
      if (!byRecords && !byTime) break;
      this.#records.delete(key);
      const why = byRecords
        ? `its label had not come when the record that arrived ${this.#joinedRecordSeq - e.seq} records later was joined (label TTL ${ttlRecords} records)`
        : `its label had not come when a record ${((this.#joinedRecordTime - e.time) / 1000).toFixed(1)} s younger was joined (label TTL ${ttlMs / 1000} s)`;
      this.#expire(events, key, e.value, why);
    }
    for (const [key, e] of this.#labels) {
      const byRecords = this.#joinedLabelSeq - e.seq >= ttlRecords;
      const byTime = this.#joinedLabelTime - e.time > ttlMs;
      if (!byRecords && !byTime) break;
      this.#labels.delete(key);
      events.push({ kind: 'orphan', key, label: e.value, why: `no record with this key came while later labels were joined (label TTL ${byRecords ? `${ttlRecords} records` : `${ttlMs / 1000} s`})` });
    }
  }

  /** Keeps each side within `maxPending`: the oldest waiting record expires, the oldest early label is an orphan. */
  #bound(events: PendingEvent<R, L>[]): void {
    const max = this.#settings.maxPending;
    for (const [key, e] of this.#records) {
      if (this.#records.size <= max) break;
      this.#records.delete(key);
      this.#expire(events, key, e.value, `the waiting set is full (labels.maxPending ${max}) and this record waited longest`);
    }
    for (const [key, e] of this.#labels) {
      if (this.#labels.size <= max) break;
      this.#labels.delete(key);
      events.push({ kind: 'orphan', key, label: e.value, why: `the early labels are full (labels.maxPending ${max}) and no record came for this one` });
    }
  }

  #expire(events: PendingEvent<R, L>[], key: string, record: R, why: string): void {
    events.push({ kind: 'expired', key, record, why });
    this.#remember(key, 'expired');
  }

  #remember(key: string, state: 'joined' | 'expired'): void {
    this.#recent.delete(key);
    this.#recent.set(key, state);
    if (this.#recent.size > this.#settings.maxPending) this.#recent.delete(this.#recent.keys().next().value as string);
  }
}

/** JSON has no infinities: "never" is stored as null. */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
