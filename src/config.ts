import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { formatIssues } from './formatIssues.js';
import { createDetector, DETECTOR_TYPES, type DetectorSpec } from './drift/createDetector.js';
import { DRIFT_SIGNALS } from './drift/DriftMonitor.js';
import { ACTIVATIONS, INITIALIZERS } from './model/ModelSpec.js';
import { labelsSchema } from './records/labelsSchema.js';
import { lagsSchema } from './records/lagsSchema.js';
import { syncSchema } from './tune/syncSchema.js';
import { tuningSchema } from './tune/tuningSchema.js';
import { controlSchema } from './control/controlSchema.js';
import { servingSchema } from './predict/servingSchema.js';

export { EXPORT_FORMATS } from './predict/exportSchema.js';

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

const initializer = z.enum(INITIALIZERS);

const dense = z.strictObject({
  type: z.literal('dense').describe('a fully connected layer'),
  units: positiveInt.describe('width of the layer'),
  activation: z.enum(ACTIVATIONS).default('relu').describe('activation of the layer'),
  initializer: initializer.optional().describe("kernel initializer of this layer (unset: model.initializer)"),
});
const dropout = z.strictObject({
  type: z.literal('dropout').describe('drops a fraction of its inputs while training'),
  rate: z.number().min(0).lt(1).describe('fraction of inputs dropped'),
});

/**
 * The one configuration schema: file, environment and flags all end up validated here. Every key
 * carries its default and a one-line `.describe()`: the CLI help and docs/config.md read them from
 * here (`npm run docs` regenerates the docs), so a new key is added in this one place.
 */
export const configSchema = z
  .strictObject({
    source: z
      .string()
      .min(1)
      .describe('a .csv or .jsonl/.ndjson file, kafka://HOST:PORT/TOPIC[,TOPIC], synth:sea / synth:hyperplane[?params], or embedded:elec2'),
    label: z.string().min(1).optional().describe('label column (unset: the last column)'),
    features: z.array(z.string().min(1)).min(1).optional().describe('feature columns, in model input order (unset: all columns but the label)'),
    keyField: z.string().min(1).optional().describe('field whose value routes a record to train or holdout (unset: the record index)'),
    task: z
      .enum(['binary', 'regression', 'multiclass'])
      .default('binary')
      .describe('learning task: binary (labels 0/1), regression, multiclass (labels 0..classes-1)'),
    classes: z.number().int().min(2).optional().describe('number of classes (multiclass only; required there)'),
    validationSplit: fraction.default(0.1).describe('fraction of records held out: only scored, never learned, never update the scaler'),
    splitSeed: z.number().int().default(0).describe('seed of the train/holdout hash: changes which records are held out'),
    maxRecords: positiveInt.optional().describe('stop after reading this many records (in this run, when resuming)'),
    rate: z.number().positive().optional().describe('throttle the source to this many records per second'),
    csv: z
      .strictObject({
        maxRecordChars: positiveInt
          .default(1_048_576)
          .describe('longest CSV record read, in characters (bytes for ASCII), quoted line breaks included: a longer one, or a quote left open that long, is dead-lettered as malformed_csv and reading goes on at the next line'),
      })
      .prefault({}),
    batch: z
      .strictObject({
        size: positiveInt.default(1).describe('records per Adam step (1: learn record by record); the pipeline moves blocks of at least 32 records'),
        maxWaitMs: z.number().positive().default(1000).describe('train a partial block after this wait (slow streams)'),
      })
      .prefault({}),
    model: z
      .strictObject({
        layers: z
          .array(z.discriminatedUnion('type', [dense, dropout]))
          .default([{ type: 'dense', units: 32, activation: 'relu' }])
          .describe('hidden layers, input to output; the output layer comes from the task'),
        initializer: initializer.default('glorotUniform').describe('kernel initializer of every dense layer'),
        seed: z.number().int().default(42).describe('seed of weight initialization and dropout'),
      })
      .prefault({}),
    optimizer: z
      .strictObject({
        learningRate: z.number().positive().default(0.002).describe('Adam learning rate (runtime state: the tuner changes it)'),
        beta1: z.number().min(0).lt(1).default(0).describe("Adam's decay of the first moment (0: no momentum, each step follows the newest records)"),
        beta2: z.number().min(0).lt(1).default(0.99).describe("Adam's decay of the second moment"),
        epsilon: z.number().positive().default(1e-7).describe("Adam's denominator floor"),
        amsgrad: z.boolean().default(false).describe('AMSGrad: keep the maximum of the second moments'),
        clipNorm: z.number().positive().optional().describe('clip gradients to this global norm (unset: no clipping)'),
      })
      .prefault({}),
    l2: z
      .number()
      .min(0)
      .default(0)
      .describe('L2 strength on dense kernels, not biases: loss + l2 * sum(kernel^2) (runtime state: the tuner changes it)'),
    standardize: z
      .strictObject({
        halfLife: z.number().positive().optional().describe('exponential forgetting of the running statistics, in records (unset: no forgetting)'),
        clip: z.number().positive().optional().describe('clip |z| to this (unset: no clipping)'),
        target: z.boolean().optional().describe('standardize the regression target (unset: true for regression)'),
      })
      .prefault({}),
    eval: z
      .strictObject({
        window: positiveInt.default(1000).describe('records in the rolling evaluation window'),
        logEvery: positiveInt.default(1000).describe('records between two lines of the metrics log (metricsLog)'),
      })
      .prefault({}),
    kafka: z
      .strictObject({
        group: z.string().min(1).default('streamtune').describe('consumer group of the trainer'),
        fromBeginning: z.boolean().default(true).describe('where a group with no committed offset starts: the earliest offset (true) or the end'),
        format: z
          .enum(['auto', 'json', 'csv'])
          .default('auto')
          .describe('how message values are read: JSON objects/arrays, or CSV lines (names from csvColumns)'),
        csvColumns: z.array(z.string().min(1)).min(1).optional().describe('column names of CSV message values'),
        stopAtEnd: z.boolean().default(false).describe('finish when every assigned partition is read to the end offset it had at start'),
        deadLetterTopic: z
          .string()
          .min(1)
          .optional()
          .describe('rejected messages go here (original bytes and key; reason and source position in headers)'),
        eventsTopic: z.string().min(1).optional().describe('tuning events and drift detections are published here as JSON'),
        clientId: z.string().min(1).default('streamtune').describe('Kafka client id'),
        ssl: z
          .union([
            z.boolean(),
            z.strictObject({
              ca: z.string().min(1).optional().describe('CA certificate file (PEM)'),
              cert: z.string().min(1).optional().describe('client certificate file (PEM)'),
              key: z.string().min(1).optional().describe('client key file (PEM)'),
              rejectUnauthorized: z.boolean().optional().describe('refuse brokers whose certificate does not verify'),
            }),
          ])
          .optional()
          .describe('TLS to the brokers: true, or the certificate files'),
        sasl: z
          .strictObject({
            mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).describe('SASL mechanism'),
            username: z.string().min(1).describe('SASL user name'),
            passwordEnv: z.string().min(1).optional().describe('environment variable holding the password (unset: STREAMTUNE_KAFKA_PASSWORD)'),
            passwordFile: z.string().min(1).optional().describe('file holding the password'),
          })
          .optional()
          .describe('SASL authentication; the password comes from the environment or a file, never the config'),
        sessionTimeoutMs: z.number().int().min(6000).optional(),
        commitIntervalMs: z.number().min(0).default(1000).describe('least milliseconds between two offset commits'),
        queueSize: positiveInt.default(10_000).describe('messages buffered ahead of the trainer at most (backpressure)'),
      })
      .prefault({}),
    drift: z
      .strictObject({
        signal: z
          .enum(DRIFT_SIGNALS)
          .optional()
          .describe('per-record signal the detectors watch (unset: prequential_error for classification, prequential_loss for regression)'),
        detectors: z
          .array(
            z
              .looseObject({
                type: z.enum(DETECTOR_TYPES).describe("detector kind; its other keys are River's settings in camelCase"),
              })
              .superRefine((spec, ctx) => {
                try {
                  createDetector(spec as unknown as DetectorSpec);
                } catch (error) {
                  ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^createDetector: /, '') });
                }
              }),
          )
          .optional()
          .describe('drift detectors (unset: pageHinkley watching increases for classification, adwin for regression)'),
      })
      .prefault({}),
    tuning: tuningSchema.prefault({}),
    lags: lagsSchema,
    labels: labelsSchema,
    sync: syncSchema,
    engine: z
      .enum(['auto', 'dense', 'tfjs'])
      .default('auto')
      .describe('what computes the model: dense (Float32Array loops), tfjs (TensorFlow.js tensors), or auto: chosen by model size, batch and a native TF backend (docs/benchmarks.md)'),
    backend: z
      .enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'])
      .default('auto')
      .describe('TensorFlow.js backend; auto tries tensorflow-gpu, tensorflow, wasm, cpu in turn'),
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true).describe('serve /metrics and /healthz'),
        host: z.string().min(1).default('127.0.0.1').describe('address of /metrics and /healthz'),
        port: z.number().int().min(0).max(65535).default(9464).describe('port of /metrics; 0 picks a free one and logs it'),
      })
      .prefault({}),
    control: controlSchema,
    ...servingSchema,
    deadLetter: z.string().min(1).default('dead-letter.jsonl').describe('JSONL file for rejected records (created on the first reject)'),
    checkpoint: z
      .strictObject({
        dir: z.string().min(1).optional().describe('keep checkpoints here and resume from the newest on start (unset: no checkpoints)'),
        everyRecords: positiveInt.default(10_000).describe('checkpoint after this many records (or everySeconds, whichever first)'),
        everySeconds: z.number().positive().default(30).describe('checkpoint after this many seconds (or everyRecords, whichever first)'),
        keep: positiveInt.default(3).describe('checkpoints kept; older ones are deleted'),
      })
      .prefault({}),
    metricsLog: z.string().min(1).optional().describe('append one JSON line of metrics per evaluation interval to this file'),
    summaryJson: z.string().min(1).optional().describe('write the end-of-run summary as JSON to this file'),
    report: z.string().min(1).optional().describe('write the run report (one self-contained HTML file of charts) to this file at the end of the run'),
    progress: z
      .enum(['auto', 'tty', 'json', 'off'])
      .default('auto')
      .describe('progress display: tty status line, json log lines every 5 s, off; auto picks tty on a terminal'),
  })
  .superRefine((c, ctx) => {
    if (c.task === 'multiclass' && c.classes === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['classes'],
        message: 'is required for task "multiclass" (the number of classes, labels are 0..classes-1)',
      });
    }
    if (c.task !== 'multiclass' && c.classes !== undefined && !(c.task === 'binary' && c.classes === 2)) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: `only applies to task "multiclass", not "${c.task}"` });
    }
  });

export type Config = Readonly<z.infer<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;

export { formatIssues };

/** Validates a raw object and returns a frozen config, or throws ConfigError naming every bad field. */
export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(`invalid configuration: ${formatIssues(result.error.issues)}`);
  }
  return deepFreeze(result.data);
}

/** Reads a YAML or JSON config file into a plain object (not yet validated). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}: ${(cause as Error).message}; check the --config path`, {
      cause,
    });
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    const first = (cause as Error).message.split('\n')[0]; // the YAML parser appends a code frame
    throw new ConfigError(`config file ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${first}`, {
      cause,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`config file ${path} must hold a mapping of settings at the top level`);
  }
  return value as Record<string, unknown>;
}

/** Merges override layers into a base object: nested objects merge, everything else replaces; undefined is skipped. */
export function mergeConfig(...layers: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const prev = out[key];
      out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeConfig(prev, value) : value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
