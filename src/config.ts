import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { formatIssues } from './formatIssues.js';
import { createDetector, DETECTOR_TYPES, type DetectorSpec } from './drift/createDetector.js';
import { DRIFT_SIGNALS } from './drift/DriftMonitor.js';
import { ACTIVATIONS, INITIALIZERS } from './model/ModelSpec.js';
import { tuningSchema } from './tune/tuningSchema.js';

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

const initializer = z.enum(INITIALIZERS);

const dense = z.strictObject({
  type: z.literal('dense'),
  units: positiveInt,
  activation: z.enum(ACTIVATIONS).default('relu'),
  initializer: initializer.optional(),
});
const dropout = z.strictObject({ type: z.literal('dropout'), rate: z.number().min(0).lt(1) });

/** The one configuration schema: file, environment and flags all end up validated here. */
export const configSchema = z
  .strictObject({
    source: z.string().min(1),
    label: z.string().min(1).optional(),
    features: z.array(z.string().min(1)).min(1).optional(),
    keyField: z.string().min(1).optional(),
    task: z.enum(['binary', 'regression', 'multiclass']).default('binary'),
    classes: z.number().int().min(2).optional(),
    validationSplit: fraction.default(0.2),
    splitSeed: z.number().int().default(0),
    maxRecords: positiveInt.optional(),
    rate: z.number().positive().optional(),
    batch: z
      .strictObject({ size: positiveInt.default(32), maxWaitMs: z.number().positive().default(1000) })
      .prefault({}),
    model: z
      .strictObject({
        layers: z.array(z.discriminatedUnion('type', [dense, dropout])).default([
          { type: 'dense', units: 64, activation: 'relu' },
        ]),
        initializer: initializer.default('glorotUniform'),
        seed: z.number().int().default(42),
      })
      .prefault({}),
    optimizer: z
      .strictObject({
        learningRate: z.number().positive().default(0.001),
        beta1: z.number().min(0).lt(1).default(0.9),
        beta2: z.number().min(0).lt(1).default(0.999),
        epsilon: z.number().positive().default(1e-7),
        amsgrad: z.boolean().default(false),
        clipNorm: z.number().positive().optional(),
      })
      .prefault({}),
    l2: z.number().min(0).default(0.001),
    standardize: z
      .strictObject({
        halfLife: z.number().positive().optional(),
        clip: z.number().positive().optional(),
        target: z.boolean().optional(),
      })
      .prefault({}),
    eval: z
      .strictObject({ window: positiveInt.default(1000), logEvery: positiveInt.default(1000) })
      .prefault({}),
    kafka: z
      .strictObject({
        /** Consumer group of the trainer. */
        group: z.string().min(1).default('streamtune'),
        /** Where a group with no committed offset starts: the earliest offset (true) or the end. */
        fromBeginning: z.boolean().default(true),
        /** How message values are read: JSON objects/arrays, or CSV lines (names from csvColumns). */
        format: z.enum(['auto', 'json', 'csv']).default('auto'),
        csvColumns: z.array(z.string().min(1)).min(1).optional(),
        /** Finish when every assigned partition is read to the end offset it had at start. */
        stopAtEnd: z.boolean().default(false),
        /** Rejected messages go here (original bytes and key, reason and source position in headers). */
        deadLetterTopic: z.string().min(1).optional(),
        /** Tuning events and drift detections go here as JSON. */
        eventsTopic: z.string().min(1).optional(),
        clientId: z.string().min(1).default('streamtune'),
        ssl: z
          .union([
            z.boolean(),
            z.strictObject({
              ca: z.string().min(1).optional(),
              cert: z.string().min(1).optional(),
              key: z.string().min(1).optional(),
              rejectUnauthorized: z.boolean().optional(),
            }),
          ])
          .optional(),
        /** The password comes from an environment variable (default STREAMTUNE_KAFKA_PASSWORD) or a file, never the config. */
        sasl: z
          .strictObject({
            mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
            username: z.string().min(1),
            passwordEnv: z.string().min(1).optional(),
            passwordFile: z.string().min(1).optional(),
          })
          .optional(),
        sessionTimeoutMs: z.number().int().min(6000).optional(),
        commitIntervalMs: z.number().min(0).default(1000),
        queueSize: positiveInt.default(10_000),
      })
      .prefault({}),
    drift: z
      .strictObject({
        /** Default: prequential_error for classification, prequential_loss for regression. */
        signal: z.enum(DRIFT_SIGNALS).optional(),
        /** Default: Page-Hinkley watching increases for classification, ADWIN for regression. */
        detectors: z
          .array(
            z.looseObject({ type: z.enum(DETECTOR_TYPES) }).superRefine((spec, ctx) => {
              try {
                createDetector(spec as unknown as DetectorSpec);
              } catch (error) {
                ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^createDetector: /, '') });
              }
            }),
          )
          .optional(),
      })
      .prefault({}),
    tuning: tuningSchema.prefault({}),
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    metrics: z
      .strictObject({
        enabled: z.boolean().default(true),
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(9464),
      })
      .prefault({}),
    deadLetter: z.string().min(1).default('dead-letter.jsonl'),
    checkpoint: z
      .strictObject({
        dir: z.string().min(1).optional(),
        everyRecords: positiveInt.default(10_000),
        everySeconds: z.number().positive().default(30),
        keep: positiveInt.default(3),
      })
      .prefault({}),
    metricsLog: z.string().min(1).optional(),
    summaryJson: z.string().min(1).optional(),
    progress: z.enum(['auto', 'tty', 'json', 'off']).default('auto'),
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
