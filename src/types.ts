/** The learning task: decides the output layer, the loss and the label domain. */
export type Task = 'binary' | 'regression' | 'multiclass';

/** Which part of the stream a record belongs to: learned from, or only scored. */
export type Split = 'train' | 'holdout';

/**
 * One record as a source read it, before any validation.
 * `fields` holds values by column name (JSON object keys, CSV header); `values` holds them by
 * position (JSON arrays; CSV rows with their header in `columns`). `error` is set when the source could not even split the record
 * (malformed JSON, wrong column count); decode turns that into a rejection.
 */
export interface RawRecord {
  /** 0-based index of the record in its source, counting every record read. */
  readonly index: number;
  /** Human-readable position: `file.csv:12` (1-based line), `topic/partition@offset`. */
  readonly position: string;
  /** Routing key for the validation split; the record index is used when absent. */
  readonly key?: string;
  /** The original text of the record, as read (kept for the dead letter). */
  readonly raw: string;
  /** When the record came into being, in ms since the epoch (a Kafka message's timestamp); files leave it out and decode stamps the read time. */
  readonly time?: number;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly values?: readonly unknown[];
  /**
   * Names of `values` by position (a CSV header, shared by every record of the source). When set,
   * `values` are looked up by name, as `fields` would be; when absent, `values` hold the features
   * in schema order, then the label.
   */
  readonly columns?: readonly string[];
  readonly error?: { readonly reason: RejectReason; readonly detail: string };
  /** Where a Kafka message came from, kept so a rejected one can be dead-lettered with its original bytes. */
  readonly origin?: KafkaOrigin;
}

/** A Kafka message's coordinates and original bytes. */
export interface KafkaOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** The message timestamp (ms since the epoch, as kafkajs gives it), when there is one. */
  readonly timestamp?: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** A validated record: features in schema order and a label in the task's domain. */
export interface Sample {
  readonly index: number;
  readonly position: string;
  readonly key?: string;
  /** Raw (unstandardized) features in schema order. */
  readonly x: Float32Array;
  /** 0/1 for binary, class id for multiclass, the target value for regression. */
  readonly y: number;
  /** ms since the epoch: the source's timestamp, or when the record was read (for the produce -> learned latency). */
  readonly time?: number;
}

export interface RoutedSample extends Sample {
  readonly split: Split;
}

/** A routed sample after standardization, ready for the model. */
export interface ScaledSample extends RoutedSample {
  /** Standardized features. */
  readonly z: Float32Array;
  /** The value the model is trained on: `y` for classification, the (optionally) standardized target for regression. */
  readonly target: number;
  /** Affine map from the model's output back to the target's units: `y = out * targetScale + targetShift`. */
  readonly targetShift: number;
  readonly targetScale: number;
}

/** A sample whose label came after it (docs/delayed-labels.md): scored with the prediction made when its features arrived. */
export interface ArrivalSample extends ScaledSample {
  /** The champion's prediction when the features arrived, in the target's units (one row of `width` values). */
  readonly arrival: Float32Array;
}

export const REJECT_REASONS = [
  'malformed',
  'malformed_csv',
  'column_count',
  'missing_feature',
  'empty_value',
  'non_numeric',
  'non_finite',
  'missing_label',
  'label_domain',
  // Labels that arrive later (docs/delayed-labels.md): a label that joins no record, a record
  // whose label never came, a second label for the same record.
  'orphan_label',
  'label_expired',
  'duplicate_label',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** A record that failed validation; it goes to the dead letter and is counted by reason. */
export interface Rejected {
  readonly index: number;
  readonly position: string;
  readonly key?: string;
  readonly raw: string;
  readonly reason: RejectReason;
  /** What was wrong, naming the field: `feature "nswprice": "abc" is not a number`. */
  readonly detail: string;
  readonly origin?: KafkaOrigin;
}

/** The hyperparameters that change while training goes on (written by the tuner). */
export interface HyperParams {
  readonly learningRate: number;
  readonly l2: number;
}

/** The decode schema: which fields are features, which is the label, and the label domain. */
export interface Schema {
  readonly task: Task;
  readonly features: readonly string[];
  readonly label: string;
  /** Number of classes (multiclass only; 2 for binary). */
  readonly classes: number;
}

/** One trained-or-scored mini-batch: the samples and the predictions made for them. */
export interface ScoredBatch {
  readonly samples: readonly ScaledSample[];
  /**
   * Predictions in the target's own units, row-major, one row per sample in `samples` order:
   * binary: P(y=1) (1 value); regression: the predicted value (1 value);
   * multiclass: class probabilities (`classes` values).
   * Train rows are scored prequentially (before the update); holdout rows with the current model.
   */
  readonly predictions: Float32Array;
  /** Width of one prediction row (1, or the number of classes). */
  readonly width: number;
  /** Mean training loss of the batch's steps (data loss + L2 term), NaN when the batch had no train rows. */
  readonly loss: number;
  /** False when a step was skipped because the loss or gradients were not finite. */
  readonly applied: boolean;
  /** Adam steps taken on this batch (one per chunk of `batch.size` records holding train rows). */
  readonly steps: number;
  /** Steps skipped by the non-finite guard (weights left untouched). */
  readonly skipped: number;
  /** Hyperparameters in force for this batch's steps. */
  readonly hyperParams: HyperParams;
  /** Wall time of the step in seconds. */
  readonly seconds: number;
}
