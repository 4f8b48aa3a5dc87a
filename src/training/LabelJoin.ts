import type { Config } from '../config.js';
import type { Engine } from '../model/Engine.js';
import { decodeFeatures, decodeLabel } from '../records/decodeJoined.js';
import { isRejected } from '../records/decode.js';
import { hashUnit } from '../records/hashKey.js';
import { PendingLabels, type PendingEvent, type PendingLabelsSnapshot } from '../records/PendingLabels.js';
import type { Standardizer } from '../stats/Standardizer.js';
import type { ArrivalSample, KafkaOrigin, RawRecord, Rejected, Schema, Split } from '../types.js';

/** A feature record waiting for its label: routed, standardized and predicted at arrival. */
interface Parked {
  readonly index: number;
  readonly position: string;
  readonly key: string;
  readonly x: Float32Array;
  readonly time: number;
  readonly split: Split;
  readonly z: Float32Array;
  /** The champion's prediction at arrival, in the target's units. */
  readonly prediction: Float32Array;
  readonly raw: string;
  readonly origin?: KafkaOrigin;
}

/** A label waiting for its record (it came first), or on its way to the dead letter. */
interface LabelMessage {
  readonly y: number;
  readonly index: number;
  readonly position: string;
  readonly raw: string;
  readonly origin?: KafkaOrigin;
}

/** What one raw record did to the join. */
export interface JoinStep {
  /** The sample to learn (its label has come), with its prediction from arrival. */
  readonly sample?: ArrivalSample;
  /** Dead letters: a rejected record or label, expired records, orphan and duplicate labels. */
  readonly rejected: readonly Rejected[];
  /** How many records this step adds to the run's total: the feature record, and each label rejected. */
  readonly added: number;
}

/** The join's settings: which raw records are labels, the join key, and the route and TTL settings. */
export interface LabelJoinSettings {
  readonly labels: Config['labels'];
  readonly schema: Schema;
  readonly validationSplit: number;
  readonly splitSeed: number;
  /** True for a record of the labels topic (or file). */
  readonly isLabel: (raw: RawRecord) => boolean;
}

/**
 * Labels that arrive later (docs/delayed-labels.md): each feature record is routed, standardized
 * (the scaler learns its features now) and predicted by the champion when it arrives, then waits
 * in a bounded {@link PendingLabels} set, by key, until its label comes; the joined sample carries
 * its arrival prediction (what the evaluator scores) and is learned as usual. Expired records,
 * orphan and duplicate labels come back as dead letters. Its state (the waiting set) is part of
 * the checkpoint; `consumedThrough` is the last source index fully taken in.
 *
 * @example
 * const join = new LabelJoin(settings, scaler, () => population.champion);
 * const { sample, rejected, added } = join.accept(raw, Date.now());
 */
export class LabelJoin {
  readonly #settings: LabelJoinSettings;
  readonly #scaler: Standardizer;
  readonly #model: () => Pick<Engine, 'predict' | 'width' | 'task'>;
  readonly #pending: PendingLabels<Parked, LabelMessage>;
  /** The last source index taken in (-1: none): everything up to it is learned, waiting, or dead-lettered. */
  consumedThrough = -1;
  /** Called with each joined pair's label delay: feature records that arrived in between, and event-time seconds. */
  onJoined: ((records: number, seconds: number) => void) | undefined;

  constructor(settings: LabelJoinSettings, scaler: Standardizer, model: () => Pick<Engine, 'predict' | 'width' | 'task'>) {
    this.#settings = settings;
    this.#scaler = scaler;
    this.#model = model;
    const { ttlRecords, ttlSeconds, maxPending } = settings.labels;
    this.#pending = new PendingLabels({ maxPending, ...(ttlRecords === undefined ? {} : { ttlRecords }), ...(ttlSeconds === undefined ? {} : { ttlSeconds }) });
  }

  /** Records waiting for their label (the `streamtune_labels_pending` gauge). */
  get pending(): number {
    return this.#pending.size;
  }

  /** Declares every partition of the features and labels topics (`topic/partition`): see {@link PendingLabels.expectLanes}. */
  expectLanes(records: readonly string[], labels: readonly string[]): void {
    this.#pending.expectLanes(records, labels);
  }

  /** Takes in one raw record of either kind. */
  accept(raw: RawRecord, receivedAt: number): JoinStep {
    this.consumedThrough = raw.index;
    return this.#settings.isLabel(raw) ? this.#label(raw, receivedAt) : this.#record(raw, receivedAt);
  }

  snapshot(): PendingLabelsSnapshot {
    return this.#pending.snapshot(encodeParked, encodeLabel);
  }

  restore(snapshot: PendingLabelsSnapshot): void {
    this.#pending.restore(snapshot, decodeParked, decodeLabelMessage);
  }

  #record(raw: RawRecord, receivedAt: number): JoinStep {
    const { schema } = this.#settings;
    const decoded = decodeFeatures(raw, schema, receivedAt);
    if (isRejected(decoded)) return { rejected: [decoded], added: 1 };
    const key = this.#keyOf(raw);
    if (key === undefined) return { rejected: [this.#noKey(raw, 'record', 'malformed')], added: 1 };
    const split = this.#split(key);
    if (split === 'train') this.#scaler.update(decoded.x);
    const z = this.#scaler.transform(decoded.x);
    const model = this.#model();
    const prediction = model.predict(z, 1).slice(0, model.width);
    if (model.task === 'regression') prediction[0] = (prediction[0] as number) * this.#scaler.targetScale + this.#scaler.targetShift;
    const parked: Parked = {
      index: raw.index,
      position: raw.position,
      key,
      x: decoded.x,
      time: decoded.time ?? receivedAt,
      split,
      z,
      prediction,
      raw: raw.raw,
      ...(raw.origin ? { origin: raw.origin } : {}),
    };
    return this.#outcome(this.#pending.record(key, parked, parked.time, laneOf(raw)), 1);
  }

  #label(raw: RawRecord, receivedAt: number): JoinStep {
    const decoded = decodeLabel(raw, this.#settings.schema);
    if ('reason' in decoded) return { rejected: [decoded], added: 1 };
    const key = this.#keyOf(raw);
    if (key === undefined) return { rejected: [this.#noKey(raw, 'label', 'orphan_label')], added: 1 };
    const label: LabelMessage = { y: decoded.y, index: raw.index, position: raw.position, raw: raw.raw, ...(raw.origin ? { origin: raw.origin } : {}) };
    return this.#outcome(this.#pending.label(key, label, raw.time ?? receivedAt, laneOf(raw)), 0);
  }

  /** Turns the waiting set's events into the sample to learn and the dead letters. */
  #outcome(events: readonly PendingEvent<Parked, LabelMessage>[], added: number): JoinStep {
    let sample: ArrivalSample | undefined;
    const rejected: Rejected[] = [];
    for (const event of events) {
      if (event.kind === 'joined') {
        sample = this.#learnable(event.record, event.label.y);
        this.onJoined?.(event.delayRecords, event.delayMs / 1000);
      } else if (event.kind === 'expired') {
        const r = event.record;
        rejected.push(dead(r, event.key, 'label_expired', `record with key ${JSON.stringify(event.key)} expired waiting for its label: ${event.why}`));
      } else {
        const reason = event.kind === 'orphan' ? 'orphan_label' : 'duplicate_label';
        const what = event.kind === 'orphan' ? 'joins no record' : 'is a duplicate';
        rejected.push(dead(event.label, event.key, reason, `label for key ${JSON.stringify(event.key)} ${what}: ${event.why}`));
        added++;
      }
    }
    return { ...(sample ? { sample } : {}), rejected, added };
  }

  /** The waiting record with its label: the scaler learns the target now (its features at arrival). */
  #learnable(r: Parked, y: number): ArrivalSample {
    const scaler = this.#scaler;
    if (r.split === 'train') scaler.updateTarget(y);
    const targetShift = scaler.targetShift;
    const targetScale = scaler.targetScale;
    const target = scaler.settings.standardizeTarget ? (y - targetShift) / targetScale : y;
    return {
      index: r.index,
      position: r.position,
      key: r.key,
      x: r.x,
      y,
      time: r.time,
      split: r.split,
      z: r.z,
      target,
      targetShift,
      targetScale,
      arrival: r.prediction,
    };
  }

  #keyOf(raw: RawRecord): string | undefined {
    const field = this.#settings.labels.joinKey;
    if (field === undefined) return raw.key;
    const value = raw.fields?.[field];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }

  #split(key: string): Split {
    const { validationSplit, splitSeed } = this.#settings;
    if (validationSplit === 0) return 'train';
    if (validationSplit === 1) return 'holdout';
    return hashUnit(key, splitSeed) < validationSplit ? 'holdout' : 'train';
  }

  #noKey(raw: RawRecord, kind: 'record' | 'label', reason: Rejected['reason']): Rejected {
    const field = this.#settings.labels.joinKey;
    const where = field === undefined ? 'a message key' : `a string or number in field ${JSON.stringify(field)} (labels.joinKey)`;
    return dead({ ...raw }, undefined, reason, `the ${kind} has no key to join on: expected ${where}`);
  }
}

/** The lane a record came on: its topic partition (event times grow along it), or the one lane of a file. */
function laneOf(raw: RawRecord): string {
  return raw.origin ? `${raw.origin.topic}/${raw.origin.partition}` : 'source';
}

/** A dead letter for a waiting record or a label. */
function dead(from: { index: number; position: string; raw: string; origin?: KafkaOrigin }, key: string | undefined, reason: Rejected['reason'], detail: string): Rejected {
  return {
    index: from.index,
    position: from.position,
    ...(key === undefined ? {} : { key }),
    raw: from.raw,
    reason,
    detail,
    ...(from.origin ? { origin: from.origin } : {}),
  };
}

type OriginJson = [topic: string, partition: number, offset: string, timestamp: string | null, key: string | null, value: string | null];

const encodeOrigin = (o: KafkaOrigin | undefined): OriginJson | null =>
  o ? [o.topic, o.partition, o.offset, o.timestamp ?? null, o.key?.toString('base64') ?? null, o.value?.toString('base64') ?? null] : null;

function decodeOrigin(json: OriginJson | null): { origin?: KafkaOrigin } {
  if (!json) return {};
  const [topic, partition, offset, timestamp, key, value] = json;
  const buffer = (b64: string | null): Buffer | null => (b64 === null ? null : Buffer.from(b64, 'base64'));
  return { origin: { topic, partition, offset, ...(timestamp === null ? {} : { timestamp }), key: buffer(key), value: buffer(value) } };
}

function encodeParked(r: Parked): unknown {
  return { i: r.index, p: r.position, k: r.key, x: [...r.x], t: r.time, s: r.split, z: [...r.z], y: [...r.prediction], r: r.raw, o: encodeOrigin(r.origin) };
}

function decodeParked(json: unknown): Parked {
  const j = json as { i: number; p: string; k: string; x: number[]; t: number; s: Split; z: number[]; y: number[]; r: string; o: OriginJson | null };
  return {
    index: j.i,
    position: j.p,
    key: j.k,
    x: Float32Array.from(j.x),
    time: j.t,
    split: j.s,
    z: Float32Array.from(j.z),
    prediction: Float32Array.from(j.y),
    raw: j.r,
    ...decodeOrigin(j.o),
  };
}

function encodeLabel(l: LabelMessage): unknown {
  return { y: l.y, i: l.index, p: l.position, r: l.raw, o: encodeOrigin(l.origin) };
}

function decodeLabelMessage(json: unknown): LabelMessage {
  const j = json as { y: number; i: number; p: string; r: string; o: OriginJson | null };
  return { y: j.y, index: j.i, position: j.p, raw: j.r, ...decodeOrigin(j.o) };
}
