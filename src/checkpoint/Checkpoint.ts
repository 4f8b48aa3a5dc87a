import { createHash } from 'node:crypto';
import type { SplitMetrics } from '../eval/Evaluator.js';
import type { HyperParams, RejectReason, Task } from '../types.js';

/**
 * What makes a checkpoint compatible with a configuration: restoring weights or scaler state
 * into a model with another task, feature list, label, class count or layer list is wrong.
 *
 * @example
 * const summary: ConfigSummary = { task: 'binary', features: ['a', 'b'], label: 'y', classes: 2, layers: [] };
 */
export interface ConfigSummary {
  readonly task: Task;
  /** Feature names in schema order (order matters: it is the model's input order). */
  readonly features: readonly string[];
  readonly label: string;
  readonly classes: number;
  /** The model's hidden-layer list (`ModelSpec.layers`). */
  readonly layers: unknown;
}

/** Record counts at the moment of the checkpoint (the pipeline's `RecordCounts`, without the per-run ones). */
export interface CheckpointRecords {
  readonly total: number;
  readonly trained: number;
  readonly holdout: number;
  readonly rejected: number;
  readonly rejectedByReason: Partial<Record<RejectReason, number>>;
}

/** Kafka positions: per partition, the next offset to read (what the group commits). */
export interface KafkaPositions {
  readonly kind: 'kafka';
  readonly group: string;
  readonly offsets: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly offset: string }>;
}

/** File positions: `index` records fully processed; `byteOffset` / `line` let a reader seek instead of skipping. */
export interface FilePositions {
  readonly kind: 'file';
  readonly path: string;
  readonly index: number;
  readonly byteOffset?: number;
  readonly line?: number;
}

/** Synthetic-stream position: `index` records generated and fully processed. */
export interface SyntheticPositions {
  readonly kind: 'synthetic';
  readonly uri: string;
  readonly index: number;
}

/** Where to resume reading: everything before these positions is inside the checkpointed state. */
export type SourcePositions = KafkaPositions | FilePositions | SyntheticPositions;

/** The snapshots of every stateful part (each from its own `snapshot()`). */
export interface CheckpointState {
  readonly trainer: unknown;
  readonly scaler: unknown;
  readonly evaluator: unknown;
  readonly tuner?: unknown;
  readonly detectors?: unknown;
}

/**
 * One durable checkpoint, format 1: the learned state of every stateful part plus the source
 * positions it includes, so a restarted trainer restores it and resumes reading right after.
 *
 * @example
 * const cp: Checkpoint = {
 *   format: 1,
 *   createdAt: new Date().toISOString(),
 *   configHash: configHash(summary),
 *   configSummary: summary,
 *   records: { total: 100, trained: 80, holdout: 20, rejected: 0, rejectedByReason: {} },
 *   hyperParams: { learningRate: 0.001, l2: 0.001 },
 *   positions: { kind: 'file', path: 'data/elec2.csv', index: 100, line: 101 },
 *   state: { trainer: trainer.snapshot(), scaler: scaler.snapshot(), evaluator: evaluator.snapshot() },
 * };
 */
export interface Checkpoint {
  readonly format: 1;
  /** ISO 8601 time the checkpoint was taken. */
  readonly createdAt: string;
  /** {@link configHash} of `configSummary`. */
  readonly configHash: string;
  readonly configSummary: ConfigSummary;
  readonly records: CheckpointRecords;
  readonly hyperParams: HyperParams;
  readonly positions: SourcePositions;
  readonly state: CheckpointState;
  /** Cumulative metrics at checkpoint time, for `streamtune inspect`. */
  readonly summary?: { readonly prequential: SplitMetrics; readonly holdout: SplitMetrics };
}

/** The checkpoint format this build writes and reads. */
export const CHECKPOINT_FORMAT = 1;

/**
 * sha256 (hex) of the canonical JSON (keys sorted, arrays in order) of what makes a checkpoint
 * compatible: task, features in order, label, classes and model layers.
 *
 * @example
 * configHash({ task: 'binary', features: ['a'], label: 'y', classes: 2, layers: [] }); // '3f…' (64 hex digits)
 */
export function configHash(summary: ConfigSummary): string {
  const { task, features, label, classes, layers } = summary;
  return createHash('sha256').update(canonicalJson({ task, features, label, classes, layers })).digest('hex');
}

/**
 * The first difference between the configuration's summary (`expected`) and a checkpoint's
 * (`found`) as one line naming it, or null when they are compatible.
 *
 * @example
 * compareConfig({ ...s, features: ['a', 'b'] }, { ...s, features: ['a', 'b', 'c'] });
 * // 'features differ: checkpoint has [a,b,c], config has [a,b]'
 */
export function compareConfig(expected: ConfigSummary, found: ConfigSummary): string | null {
  if (expected.task !== found.task) return `task differs: checkpoint "${found.task}", config "${expected.task}"`;
  if (canonicalJson(expected.features) !== canonicalJson(found.features)) {
    return `features differ: checkpoint has [${found.features.join(',')}], config has [${expected.features.join(',')}]`;
  }
  if (expected.label !== found.label) return `label differs: checkpoint "${found.label}", config "${expected.label}"`;
  if (expected.classes !== found.classes) {
    return `classes differ: checkpoint has ${found.classes}, config has ${expected.classes}`;
  }
  return compareLayers(expected.layers, found.layers);
}

function compareLayers(expected: unknown, found: unknown): string | null {
  if (canonicalJson(expected) === canonicalJson(found)) return null;
  if (Array.isArray(expected) && Array.isArray(found)) {
    if (expected.length !== found.length) {
      return (
        `model layers differ: checkpoint has ${found.length} hidden layer(s) ${canonicalJson(found)}, ` +
        `config has ${expected.length} ${canonicalJson(expected)}`
      );
    }
    const i = expected.findIndex((layer, k) => canonicalJson(layer) !== canonicalJson(found[k]));
    return `model layers differ at layer ${i}: checkpoint ${canonicalJson(found[i])}, config ${canonicalJson(expected[i])}`;
  }
  return `model layers differ: checkpoint ${canonicalJson(found)}, config ${canonicalJson(expected)}`;
}

/** JSON with object keys sorted at every depth (undefined members dropped, as JSON does). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  ) ?? 'undefined';
}
