import { CheckpointError } from '../errors.js';
import type { EntryJson, LaneJson, PendingLabelsSnapshot } from './PendingLabelsSnapshot.js';

export type { PendingLabelsSnapshot } from './PendingLabelsSnapshot.js';

/** Settings of {@link PendingLabels} (the `labels:` section). */
export interface PendingLabelsSettings {
  /** A waiting record expires once the labels have passed the time of the record this many records after it on its lane. */
  readonly ttlRecords?: number;
  /** A waiting record expires once the labels have passed its time plus this many seconds. */
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
  /** Where it came from (a topic partition): event times only grow along a lane. */
  readonly lane: string;
  /** Its number on its lane. */
  readonly laneSeq: number;
  /** Arrival number on its side, over all lanes (for the delay in records). */
  readonly seq: number;
  /** Event time, ms since the epoch. */
  readonly time: number;
  /** Records: expires once the labels' watermark passes this (Infinity: not yet known). */
  deadline: number;
}

/** A lane's progress: the latest event time seen on it, its count, and its waiting entries by lane number, oldest first. */
interface Lane {
  latest: number;
  count: number;
  readonly waiting: Map<number, string>;
}

/**
 * The join of records with labels that arrive later, by key. A record waits for its label; a label
 * that comes first (Kafka orders neither two topics nor two partitions) waits for its record. A
 * label for a key joined recently is a duplicate; one for a key whose record expired is an orphan.
 *
 * Time is event time, per lane (topic partition), as a stream processor's watermarks: a side's
 * watermark is the least, over its lanes, of the latest time seen. A waiting record expires once
 * the labels' watermark passes its deadline (its time plus `ttlSeconds`, or the time of the record
 * `ttlRecords` after it on its lane): every labels lane has moved past the time its label was due.
 * An early label is an orphan once the records' watermark passes its time (a label comes after
 * its record, so the record would have arrived) and the labels' watermark its TTL deadline.
 * Neither depends on how far one topic or partition is read ahead of another. Both sides hold at most `maxPending` (the oldest expires first).
 *
 * @example
 * const pending = new PendingLabels<Sample, number>({ ttlRecords: 5000, maxPending: 100_000 });
 * pending.record('k1', sample, time, 'features/0'); // [] (waits)
 * pending.label('k1', 1, time, 'labels/0');         // [{ kind: 'joined', key: 'k1', record: sample, label: 1, ... }]
 * pending.label('k1', 1, time, 'labels/0');         // [{ kind: 'duplicate', ... }]
 */
export class PendingLabels<R, L> {
  readonly #settings: PendingLabelsSettings;
  readonly #ttlMs: number;
  #records = new Map<string, Entry<R>>();
  #labels = new Map<string, Entry<L>>();
  #recordLanes = new Map<string, Lane>();
  #labelLanes = new Map<string, Lane>();
  /** Keys recently joined or expired, oldest first (duplicates and orphans are told by it). */
  #recent = new Map<string, 'joined' | 'expired'>();
  #recordSeq = 0;

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

  /**
   * Declares the lanes each side reads (every partition of the features and labels topics): a
   * side's watermark stays back until each has delivered something, so a partition read late at
   * start neither expires records nor orphans labels.
   */
  expectLanes(records: readonly string[], labels: readonly string[]): void {
    for (const lane of records) laneOf(this.#recordLanes, lane);
    for (const lane of labels) laneOf(this.#labelLanes, lane);
  }

  /** A record arrives on `lane`: joined with its early label, or parked (superseding a waiting record of the same key). */
  record(key: string, value: R, time: number, lane: string): PendingEvent<R, L>[] {
    const events: PendingEvent<R, L>[] = [];
    const seq = this.#recordSeq++;
    const at = laneOf(this.#recordLanes, lane);
    const laneSeq = at.count++;
    at.latest = Math.max(at.latest, time);
    this.#passDeadline(at, laneSeq, time, this.#records);
    const early = this.#labels.get(key);
    if (early) {
      this.#dropLabel(key, early);
      this.#join(events, key, { value, lane, laneSeq, seq, time, deadline: Infinity }, early, 0);
    } else {
      const older = this.#records.get(key);
      if (older) {
        this.#dropRecord(key, older);
        this.#expire(events, key, older.value, 'a later record with the same key arrived before its label');
      }
      this.#recent.delete(key);
      this.#records.set(key, { value, lane, laneSeq, seq, time, deadline: time + this.#ttlMs });
      at.waiting.set(laneSeq, key);
      this.#bound(events);
    }
    this.#expireStale(events); // a deadline may have been set just now (labels read ahead of their records)
    this.#orphanStale(events);
    return events;
  }

  /** A label arrives on `lane`: joined with its waiting record, a duplicate, an orphan, or parked until its record comes. */
  label(key: string, value: L, time: number, lane: string): PendingEvent<R, L>[] {
    const events: PendingEvent<R, L>[] = [];
    const at = laneOf(this.#labelLanes, lane);
    const laneSeq = at.count++;
    at.latest = Math.max(at.latest, time);
    this.#passDeadline(at, laneSeq, time, this.#labels);
    const waiting = this.#records.get(key);
    const recent = this.#recent.get(key);
    if (waiting) {
      this.#dropRecord(key, waiting);
      this.#join(events, key, waiting, { value, lane, laneSeq, seq: this.#recordSeq, time, deadline: Infinity }, this.#recordSeq - 1 - waiting.seq);
    } else if (recent === 'joined') {
      events.push({ kind: 'duplicate', key, label: value, why: 'its record was already joined with an earlier label' });
    } else if (recent === 'expired') {
      events.push({ kind: 'orphan', key, label: value, why: 'its record expired before the label came' });
    } else if (this.#labels.has(key)) {
      events.push({ kind: 'duplicate', key, label: value, why: 'a label for this key is already waiting for its record' });
    } else {
      this.#labels.set(key, { value, lane, laneSeq, seq: this.#recordSeq, time, deadline: time + this.#ttlMs });
      at.waiting.set(laneSeq, key);
      this.#bound(events);
    }
    this.#expireStale(events);
    this.#orphanStale(events);
    return events;
  }

  snapshot(encodeRecord: (value: R) => unknown, encodeLabel: (value: L) => unknown): PendingLabelsSnapshot {
    const entry = <T>(encode: (value: T) => unknown) =>
      ([k, e]: [string, Entry<T>]): EntryJson => [k, e.lane, e.laneSeq, e.seq, e.time, Number.isFinite(e.deadline) ? e.deadline : null, encode(e.value)];
    const lanes = (map: Map<string, Lane>): LaneJson[] => [...map].map(([lane, l]) => [lane, Number.isFinite(l.latest) ? l.latest : null, l.count]);
    return {
      recordSeq: this.#recordSeq,
      recordLanes: lanes(this.#recordLanes),
      labelLanes: lanes(this.#labelLanes),
      records: [...this.#records].map(entry(encodeRecord)),
      labels: [...this.#labels].map(entry(encodeLabel)),
      recent: [...this.#recent],
    };
  }

  restore(snapshot: PendingLabelsSnapshot, decodeRecord: (json: unknown) => R, decodeLabel: (json: unknown) => L): void {
    if (!Array.isArray(snapshot?.records) || !Array.isArray(snapshot.labels) || !Array.isArray(snapshot.recordLanes)) {
      throw new CheckpointError('the checkpoint\'s "labels" state is not a waiting set (records, labels, lanes); use the checkpoint directory of a run with labels');
    }
    this.#recordSeq = snapshot.recordSeq;
    const lanes = (json: readonly LaneJson[]) =>
      new Map(json.map(([lane, latest, count]) => [lane, { latest: latest ?? -Infinity, count, waiting: new Map<number, string>() }]));
    // Lanes expected before the restore and not in the snapshot (a partition added since) stay expected.
    const keep = (restored: Map<string, Lane>, expected: Map<string, Lane>): Map<string, Lane> => {
      for (const lane of expected.keys()) laneOf(restored, lane);
      return restored;
    };
    this.#recordLanes = keep(lanes(snapshot.recordLanes), this.#recordLanes);
    this.#labelLanes = keep(lanes(snapshot.labelLanes), this.#labelLanes);
    const entries = <T>(json: readonly EntryJson[], decode: (json: unknown) => T, into: Map<string, Lane>) =>
      new Map(
        json.map(([key, lane, laneSeq, seq, time, deadline, value]) => {
          laneOf(into, lane).waiting.set(laneSeq, key);
          return [key, { value: decode(value), lane, laneSeq, seq, time, deadline: deadline ?? Infinity }];
        }),
      );
    this.#records = entries(snapshot.records, decodeRecord, this.#recordLanes);
    this.#labels = entries(snapshot.labels, decodeLabel, this.#labelLanes);
    for (const lanes of [this.#recordLanes, this.#labelLanes]) {
      for (const lane of lanes.values()) {
        const sorted = [...lane.waiting].sort((a, b) => a[0] - b[0]);
        lane.waiting.clear();
        for (const [s, k] of sorted) lane.waiting.set(s, k);
      }
    }
    this.#recent = new Map(snapshot.recent);
  }

  #join(events: PendingEvent<R, L>[], key: string, record: Entry<R>, label: Entry<L>, delayRecords: number): void {
    events.push({ kind: 'joined', key, record: record.value, label: label.value, delayRecords: Math.max(0, delayRecords), delayMs: Math.max(0, label.time - record.time) });
    this.#remember(key, 'joined');
  }

  /** Expires, lane by lane and oldest first, the records whose deadline the labels' watermark has passed. */
  #expireStale(events: PendingEvent<R, L>[]): void {
    const watermark = this.#watermark(this.#labelLanes);
    if (watermark === -Infinity) return;
    for (const lane of this.#recordLanes.values()) {
      for (const key of lane.waiting.values()) {
        const e = this.#records.get(key) as Entry<R>;
        if (!(e.deadline < watermark)) break;
        this.#dropRecord(key, e);
        const ttl = e.deadline === e.time + this.#ttlMs ? `${this.#ttlMs / 1000} s` : `${this.#settings.ttlRecords} records`;
        this.#expire(events, key, e.value, `every labels lane is past its label TTL (${ttl}) and its label has not come`);
      }
    }
  }

  /**
   * Early labels whose record is not coming: every records lane is past the label's time (a label
   * comes after its record), and the labels have moved past its TTL deadline, as for a record
   * (a records lane that has delivered nothing yet is not known: the TTL covers a late start).
   */
  #orphanStale(events: PendingEvent<R, L>[]): void {
    if (this.#labels.size === 0) return;
    const records = this.#watermark(this.#recordLanes);
    const labels = this.#watermark(this.#labelLanes);
    if (records === -Infinity) return;
    for (const lane of this.#labelLanes.values()) {
      for (const key of lane.waiting.values()) {
        const e = this.#labels.get(key) as Entry<L>;
        if (!(e.time < records && e.deadline < labels)) break;
        this.#dropLabel(key, e);
        events.push({ kind: 'orphan', key, label: e.value, why: 'every records lane is past its time and no record with its key came' });
      }
    }
  }

  /** With `ttlRecords`: the entry that many before this one on its lane gets this one's time as its deadline. */
  #passDeadline<T>(lane: Lane, laneSeq: number, time: number, entries: Map<string, Entry<T>>): void {
    const { ttlRecords } = this.#settings;
    if (ttlRecords === undefined) return;
    const before = lane.waiting.get(laneSeq - ttlRecords);
    const entry = before === undefined ? undefined : entries.get(before);
    if (entry) entry.deadline = Math.min(entry.deadline, time);
  }

  /** The least, over a side's lanes, of the latest event time seen (-Infinity before any, or while a lane has delivered nothing). */
  #watermark(lanes: Map<string, Lane>): number {
    let min = Infinity;
    for (const lane of lanes.values()) min = Math.min(min, lane.latest);
    return lanes.size === 0 ? -Infinity : min;
  }

  /** Keeps each side within `maxPending`: the oldest waiting record expires, the oldest early label is an orphan. */
  #bound(events: PendingEvent<R, L>[]): void {
    const max = this.#settings.maxPending;
    for (const [key, e] of this.#records) {
      if (this.#records.size <= max) break;
      this.#dropRecord(key, e);
      this.#expire(events, key, e.value, `the waiting set is full (labels.maxPending ${max}) and this record waited longest`);
    }
    for (const [key, e] of this.#labels) {
      if (this.#labels.size <= max) break;
      this.#dropLabel(key, e);
      events.push({ kind: 'orphan', key, label: e.value, why: `the early labels are full (labels.maxPending ${max}) and no record came for this one` });
    }
  }

  #dropRecord(key: string, e: Entry<R>): void {
    this.#records.delete(key);
    this.#recordLanes.get(e.lane)?.waiting.delete(e.laneSeq);
  }

  #dropLabel(key: string, e: Entry<L>): void {
    this.#labels.delete(key);
    this.#labelLanes.get(e.lane)?.waiting.delete(e.laneSeq);
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

function laneOf(lanes: Map<string, Lane>, lane: string): Lane {
  let at = lanes.get(lane);
  if (!at) lanes.set(lane, (at = { latest: -Infinity, count: 0, waiting: new Map() }));
  return at;
}
