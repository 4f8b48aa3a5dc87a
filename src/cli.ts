#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { mergeConfig, parseConfig, readConfigFile } from './config.js';
import { StreamtuneError } from './errors.js';
import { createLogger } from './telemetry/logger.js';
import { inspectCommand } from './commands/inspect.js';
import { replayCommand } from './commands/replay.js';
import { train } from './commands/train.js';

/**
 * `streamtune train | ...`: parses flags, environment (`STREAMTUNE_*`) and the config file into
 * one validated config, runs the command, and turns errors into one clear line and an exit code
 * (2: bad configuration, 1: anything else).
 */
const program = new Command('streamtune')
  .description('Reactive stream-processing trainer for continual tuning')
  .showHelpAfterError('(run with --help for the options)');

const num = (name: string) => (value: string) => {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number, got "${value}"`);
  return x;
};

/** `--checkpoint-every 5000` (records) or `--checkpoint-every 30s` (seconds). */
function checkpointEvery(value: string): Record<string, number> {
  const m = /^(\d+(?:\.\d+)?)(s?)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`--checkpoint-every takes a record count (10000) or seconds (30s), got "${value}"`);
  return m[2] === 's' ? { everySeconds: Number(m[1]) } : { everyRecords: Number(m[1]) };
}

/** Flag -> config path. Each flag can also come from the environment as STREAMTUNE_<FLAG_IN_SNAKE_CASE>. */
const flags: ReadonlyArray<{ flag: string; key: string; path: string[]; parse?: (v: string) => unknown; help: string; choices?: string[] }> = [
  { flag: '--source <path>', key: 'source', path: ['source'], help: 'a .csv or .jsonl file, kafka://HOST:PORT/TOPIC[,TOPIC], or synth:sea / synth:hyperplane[?params] (default: the embedded Elec2 stream)' },
  { flag: '--label <name>', key: 'label', path: ['label'], help: 'label column (default: the last column)' },
  { flag: '--features <names>', key: 'features', path: ['features'], parse: (v) => v.split(',').map((s) => s.trim()).filter(Boolean), help: 'comma-separated feature columns (default: all others)' },
  { flag: '--key-field <name>', key: 'keyField', path: ['keyField'], help: 'column whose value routes a record to train/holdout (default: the record index)' },
  { flag: '--task <task>', key: 'task', path: ['task'], choices: ['binary', 'regression', 'multiclass'], help: 'learning task' },
  { flag: '--classes <n>', key: 'classes', path: ['classes'], parse: num('--classes'), help: 'number of classes (multiclass)' },
  { flag: '--validation-split <fraction>', key: 'validationSplit', path: ['validationSplit'], parse: num('--validation-split'), help: 'fraction of records held out for scoring only (default 0.2)' },
  { flag: '--batch-size <n>', key: 'batchSize', path: ['batch', 'size'], parse: num('--batch-size'), help: 'mini-batch size (default 32)' },
  { flag: '--max-wait-ms <ms>', key: 'maxWaitMs', path: ['batch', 'maxWaitMs'], parse: num('--max-wait-ms'), help: 'emit a partial batch after this wait (default 1000)' },
  { flag: '--lr <rate>', key: 'lr', path: ['optimizer', 'learningRate'], parse: num('--lr'), help: 'Adam learning rate (default 0.001)' },
  { flag: '--l2 <strength>', key: 'l2', path: ['l2'], parse: num('--l2'), help: 'L2 strength on dense kernels (default 0.001)' },
  { flag: '--max-records <n>', key: 'maxRecords', path: ['maxRecords'], parse: num('--max-records'), help: 'stop after reading this many records' },
  { flag: '--rate <n>', key: 'rate', path: ['rate'], parse: num('--rate'), help: 'throttle the source to n records per second' },
  { flag: '--backend <name>', key: 'backend', path: ['backend'], choices: ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'], help: 'TensorFlow.js backend (default auto: tfjs-node-gpu, tfjs-node, wasm, cpu)' },
  { flag: '--metrics-host <host>', key: 'metricsHost', path: ['metrics', 'host'], help: 'address for /metrics and /healthz (default 127.0.0.1)' },
  { flag: '--metrics-port <port>', key: 'metricsPort', path: ['metrics', 'port'], parse: num('--metrics-port'), help: 'port for /metrics (default 9464; 0 picks a free one)' },
  { flag: '--dead-letter <path>', key: 'deadLetter', path: ['deadLetter'], help: 'JSONL file for rejected records (default dead-letter.jsonl)' },
  { flag: '--metrics-log <path>', key: 'metricsLog', path: ['metricsLog'], help: 'append one JSON line of metrics per evaluation interval' },
  { flag: '--summary-json <path>', key: 'summaryJson', path: ['summaryJson'], help: 'write the end-of-run summary as JSON' },
  { flag: '--progress <mode>', key: 'progress', path: ['progress'], choices: ['auto', 'tty', 'json', 'off'], help: 'progress display (default auto: a status line on a terminal, JSON logs otherwise)' },
  { flag: '--group <id>', key: 'group', path: ['kafka', 'group'], help: 'Kafka consumer group (default streamtune)' },
  { flag: '--dead-letter-topic <topic>', key: 'deadLetterTopic', path: ['kafka', 'deadLetterTopic'], help: 'send rejected Kafka messages to this topic instead of the dead-letter file' },
  { flag: '--events-topic <topic>', key: 'eventsTopic', path: ['kafka', 'eventsTopic'], help: 'publish tuning events and drift detections to this topic' },
  { flag: '--checkpoint-dir <dir>', key: 'checkpointDir', path: ['checkpoint', 'dir'], help: 'keep checkpoints here and resume from the newest on start' },
  { flag: '--checkpoint-every <n|Ts>', key: 'checkpointEvery', path: ['checkpoint'], parse: checkpointEvery, help: 'checkpoint every n records (e.g. 10000) or T seconds (e.g. 30s); default 10000 records or 30 s, whichever first' },
  { flag: '--seed <n>', key: 'seed', path: ['model', 'seed'], parse: num('--seed'), help: 'seed for weight initialization and dropout (default 42)' },
];

const trainCommand = program
  .command('train')
  .description('train continually on a stream, serving metrics, and print a summary at the end')
  .option('--config <path>', 'YAML or JSON config file (flags override it; see README for every key)');
for (const f of flags) {
  const option = new Option(f.flag, f.help);
  if (f.choices) option.choices(f.choices);
  if (f.parse) option.argParser(f.parse as (v: string) => unknown);
  trainCommand.addOption(option);
}
trainCommand.option('--no-metrics', 'do not serve /metrics');
trainCommand.option('--stop-at-end', 'Kafka: stop once every assigned partition is read to the end offset it had at start');
trainCommand.option('--no-tuning', 'turn the tuning loop off: the learning rate and L2 stay as configured');

trainCommand.action(async (opts: Record<string, unknown>) => {
  const log = createLogger();
  const overrides: Record<string, unknown> = {};
  for (const f of flags) {
    const envName = `STREAMTUNE_${f.key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const env = process.env[envName];
    let value = opts[f.key];
    if (value === undefined && env !== undefined && env !== '') value = f.parse ? f.parse(env) : env;
    if (value !== undefined) setPath(overrides, f.path, value);
  }
  if (opts.metrics === false) setPath(overrides, ['metrics', 'enabled'], false);
  if (opts.tuning === false) setPath(overrides, ['tuning', 'enabled'], false);
  if (opts.stopAtEnd === true || process.env.STREAMTUNE_STOP_AT_END === 'true') setPath(overrides, ['kafka', 'stopAtEnd'], true);
  const file = typeof opts.config === 'string' ? readConfigFile(opts.config) : {};
  const config = parseConfig(mergeConfig({ source: 'embedded:elec2' }, file, overrides));
  const code = await train(config, { log, stdout: process.stdout, stderr: process.stderr, forceExit: () => process.exit(130) });
  process.exitCode = code;
});

const positiveInt = (name: string) => (value: string) => {
  const x = num(name)(value);
  if (!Number.isInteger(x) || x <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
  return x;
};

function addProducerOptions(command: Command): Command {
  return command
    .requiredOption('--brokers <list>', 'Kafka bootstrap brokers, comma-separated (HOST:PORT)')
    .requiredOption('--topic <name>', 'topic to produce into (created when missing)')
    .option('--partitions <n>', 'partitions when the topic is created (default 1)', positiveInt('--partitions'))
    .option('--rate <n>', 'records per second (default: as fast as the broker takes them)', num('--rate'))
    .option('--key-column <name>', 'field whose value becomes the message key')
    .addOption(new Option('--format <format>', 'message value format').choices(['json', 'csv']).default('json'))
    .option('--max-records <n>', 'stop after this many records', positiveInt('--max-records'))
    .option('--no-progress', 'no progress bar');
}

addProducerOptions(
  program
    .command('replay')
    .description('produce a CSV or JSON Lines file into a Kafka topic, one message per record')
    .argument('<file>', 'a .csv, .jsonl or .ndjson file'),
).action(async (file: string, opts: Record<string, unknown>) => {
  process.exitCode = await replayCommand(file, opts, { log: createLogger(), stdout: process.stdout, stderr: process.stderr });
});

addProducerOptions(
  program
    .command('synth')
    .description('produce a seeded synthetic drifting stream into a Kafka topic')
    .option('--stream <uri>', 'synth:sea[?params] or synth:hyperplane[?params]', 'synth:sea'),
).action(async (opts: Record<string, unknown>) => {
  process.exitCode = await replayCommand(String(opts.stream), opts, {
    log: createLogger(),
    stdout: process.stdout,
    stderr: process.stderr,
  });
});

program
  .command('inspect')
  .description('show what the newest checkpoint in a directory holds: records, offsets, hyperparameters, metrics, age')
  .argument('<dir>', 'checkpoint directory (--checkpoint-dir of the trainer)')
  .option('--json', 'print JSON instead of a table')
  .action(async (dir: string, opts: { json?: boolean }) => {
    process.exitCode = await inspectCommand(dir, opts, { stdout: process.stdout, stderr: process.stderr });
  });

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  const layer: Record<string, unknown> = {};
  let node = layer;
  for (const key of path.slice(0, -1)) node = node[key] = {};
  node[path[path.length - 1] as string] = value;
  Object.assign(target, mergeConfig(target, layer));
}

program
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    if (err instanceof StreamtuneError) {
      process.stderr.write(`streamtune: ${err.message}\n`);
      process.exitCode = err.tag === 'config' ? 2 : 1;
    } else {
      process.stderr.write(`streamtune: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  })
  .finally(() => {
    // Everything was closed and awaited; if a client library still keeps the process alive (kafkajs
    // can restart a consumer it was told to disconnect while the broker is down), do not hang.
    setTimeout(() => {
      process.stderr.write('streamtune: a client did not shut down within 5 s after the run; exiting\n');
      process.exit();
    }, 5000).unref();
  });
