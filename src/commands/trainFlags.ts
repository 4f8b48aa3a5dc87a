import { InvalidArgumentError } from 'commander';
import { configSchema } from '../config.js';
import { EMBEDDED_SOURCE } from '../sources/openSource.js';
import { configKeys, type ConfigKey } from './configKeys.js';
import { numberArg } from './numberArg.js';

/** A value flag of `streamtune train`: the config key it sets, its environment variable and its help. */
export interface TrainFlag {
  /** Commander's syntax: `--batch-size <n>`. */
  readonly flag: string;
  /** Commander's attribute name for it: `batchSize`. */
  readonly key: string;
  /** The environment variable that sets it when the flag is absent: `STREAMTUNE_BATCH_SIZE`. */
  readonly env: string;
  /** The config path it sets (`['checkpoint']` for a flag that sets several keys of a section). */
  readonly path: readonly string[];
  /** The dotted config keys it can set, for the docs. */
  readonly keys: readonly string[];
  /** The CLI's own value when neither the flag, the environment nor the file sets the key. */
  readonly fallback?: unknown;
  /** The key's description and default, read from the schema. */
  readonly help: string;
  /** The key's allowed values, from the schema's enum. */
  readonly choices?: readonly string[];
  readonly parse?: (value: string) => unknown;
}

const KEYS = new Map(configKeys(configSchema).map((k) => [k.path, k]));

/** The schema's entry for a dotted path; a flag naming a key the schema lacks is a programming error. */
function keyAt(path: string): ConfigKey {
  const key = KEYS.get(path);
  if (!key) throw new Error(`trainFlags: the config schema has no key "${path}"`);
  return key;
}

/** Help text of a flag: the key's description and its schema default (or the CLI's own `fallback`). */
function help(key: ConfigKey, fallback?: unknown): string {
  const text = key.description ?? key.path;
  if (key.presence === 'default') return `${text} (default: ${JSON.stringify(key.defaultValue)})`;
  if (fallback !== undefined) return `${text} (default: ${JSON.stringify(fallback)})`;
  return text;
}

function define(flag: string, path: string, options: { parse?: (v: string) => unknown; help?: string; fallback?: unknown } = {}): TrainFlag {
  const name = /^--([\w-]+)/.exec(flag)?.[1] ?? '';
  const key = keyAt(path);
  return {
    flag,
    key: name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    env: `STREAMTUNE_${name.replace(/-/g, '_').toUpperCase()}`,
    path: path.split('.'),
    keys: [path],
    ...(options.fallback !== undefined ? { fallback: options.fallback } : {}),
    help: options.help ?? help(key, options.fallback),
    ...(key.choices ? { choices: key.choices } : {}),
    ...(options.parse ? { parse: options.parse } : {}),
  };
}

const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

/** `--label-lags 1,2`: record counts back. */
function lagList(value: string): number[] {
  return list(value).map((k) => {
    if (!/^\d+$/.test(k)) throw new InvalidArgumentError(`--label-lags takes record counts back, comma-separated (1,2), got "${value}"`);
    return Number(k);
  });
}

/** `--feature-lags nswprice:1,nswprice:2,vicprice:1` -> { nswprice: [1, 2], vicprice: [1] }. */
function featureLags(value: string): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const item of list(value)) {
    const m = /^(.+):(\d+)$/.exec(item);
    if (!m) throw new InvalidArgumentError(`--feature-lags takes name:lag pairs, comma-separated (nswprice:1,nswprice:2), got "${item}"`);
    (out[m[1] as string] ??= []).push(Number(m[2]));
  }
  return out;
}

/** `--checkpoint-every 5000` (records) or `--checkpoint-every 30s` (seconds). */
function checkpointEvery(value: string): Record<string, number> {
  const m = /^(\d+(?:\.\d+)?)(s?)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`--checkpoint-every takes a record count (10000) or seconds (30s), got "${value}"`);
  return m[2] === 's' ? { everySeconds: Number(m[1]) } : { everyRecords: Number(m[1]) };
}

/** `--label-ttl 5000` (records) or `--label-ttl 600s` (seconds of event time). */
function labelTtl(value: string): Record<string, number> {
  const m = /^(\d+(?:\.\d+)?)(s?)$/.exec(value.trim());
  if (!m || Number(m[1]) <= 0 || (m[2] === '' && !Number.isInteger(Number(m[1])))) {
    throw new InvalidArgumentError(`--label-ttl takes a record count (5000) or seconds (600s), got "${value}"`);
  }
  return m[2] === 's' ? { ttlSeconds: Number(m[1]) } : { ttlRecords: Number(m[1]) };
}

/**
 * The value flags of `streamtune train`, in help order. Each sets one config key and can also come
 * from the environment (`env`); its help text, default and choices are read from the config schema,
 * so they are written once, there.
 *
 * @example
 * for (const f of TRAIN_FLAGS) command.addOption(new Option(f.flag, f.help));
 */
export const TRAIN_FLAGS: readonly TrainFlag[] = [
  define('--source <path>', 'source', { fallback: EMBEDDED_SOURCE }),
  define('--label <name>', 'label'),
  define('--features <names>', 'features', { parse: list }),
  define('--key-field <name>', 'keyField'),
  define('--task <task>', 'task'),
  define('--classes <n>', 'classes', { parse: numberArg('--classes') }),
  define('--validation-split <fraction>', 'validationSplit', { parse: numberArg('--validation-split') }),
  define('--batch-size <n>', 'batch.size', { parse: numberArg('--batch-size') }),
  define('--label-lags <lags>', 'lags.label', { parse: lagList }),
  define('--feature-lags <name:lag,...>', 'lags.features', { parse: featureLags }),
  define('--max-wait-ms <ms>', 'batch.maxWaitMs', { parse: numberArg('--max-wait-ms') }),
  define('--lr <rate>', 'optimizer.learningRate', { parse: numberArg('--lr') }),
  define('--l2 <strength>', 'l2', { parse: numberArg('--l2') }),
  define('--population <k>', 'tuning.population.size', { parse: numberArg('--population') }),
  define('--max-records <n>', 'maxRecords', { parse: numberArg('--max-records') }),
  define('--rate <n>', 'rate', { parse: numberArg('--rate') }),
  define('--engine <name>', 'engine'),
  define('--backend <name>', 'backend'),
  define('--metrics-host <host>', 'metrics.host'),
  define('--metrics-port <port>', 'metrics.port', { parse: numberArg('--metrics-port') }),
  define('--control-token-file <path>', 'control.tokenFile'),
  define('--dead-letter <path>', 'deadLetter'),
  define('--metrics-log <path>', 'metricsLog'),
  define('--summary-json <path>', 'summaryJson'),
  define('--report <path>', 'report'),
  define('--progress <mode>', 'progress'),
  define('--group <id>', 'kafka.group'),
  define('--dead-letter-topic <topic>', 'kafka.deadLetterTopic'),
  define('--events-topic <topic>', 'kafka.eventsTopic'),
  define('--sync <uri>', 'sync.topic'),
  define('--sync-every <n>', 'sync.everyRecords', { parse: numberArg('--sync-every') }),
  define('--member-id <id>', 'sync.memberId'),
  define('--predictions <path>', 'predictions.file'),
  define('--predictions-topic <topic>', 'predictions.topic'),
  define('--predictions-brokers <hosts>', 'predictions.brokers', { parse: list }),
  define('--labels <uri>', 'labels.source'),
  define('--join-key <field>', 'labels.joinKey'),
  {
    ...define('--label-ttl <n|Ts>', 'labels.ttlRecords', { parse: labelTtl }),
    path: ['labels'],
    keys: ['labels.ttlRecords', 'labels.ttlSeconds'],
    help:
      'a record whose label has not come expires to the dead letter once the labels are past the record n records after it on its partition (e.g. 5000) ' +
      'or T seconds of event time past it (e.g. 600s) (default: never, only past labels.maxPending; docs/delayed-labels.md)',
  },
  define('--checkpoint-dir <dir>', 'checkpoint.dir'),
  {
    ...define('--checkpoint-every <n|Ts>', 'checkpoint.everyRecords', { parse: checkpointEvery }),
    path: ['checkpoint'],
    keys: ['checkpoint.everyRecords', 'checkpoint.everySeconds'],
    help:
      `checkpoint every n records (e.g. 10000) or T seconds (e.g. 30s) (default: ${JSON.stringify(keyAt('checkpoint.everyRecords').defaultValue)} ` +
      `records or ${JSON.stringify(keyAt('checkpoint.everySeconds').defaultValue)} s, whichever first)`,
  },
  define('--export-dir <dir>', 'export.dir'),
  define('--export-every <n>', 'export.everyRecords', { parse: numberArg('--export-every') }),
  define('--export-format <format>', 'export.format'),
  define('--seed <n>', 'model.seed', { parse: numberArg('--seed') }),
];
