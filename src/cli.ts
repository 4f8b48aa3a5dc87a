#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXPORT_FORMATS, mergeConfig, parseConfig, readConfigFile } from './config.js';
import { StreamtuneError } from './errors.js';
import { createLogger } from './telemetry/logger.js';
import { docsCommand } from './commands/docsCommand.js';
import { numberArg } from './commands/numberArg.js';
import { TRAIN_FLAGS as flags } from './commands/trainFlags.js';
import { TRAIN_SWITCHES as switches } from './commands/trainSwitches.js';
import { EMBEDDED_SOURCE } from './sources/openSource.js';
import { exportCommand } from './commands/export.js';
import { inspectCommand } from './commands/inspect.js';
import { predictCommand, type PredictOptions } from './commands/predict.js';
import { ctlCommand } from './commands/ctl.js';
import { replayCommand } from './commands/replay.js';
import { reportCommand } from './commands/report.js';
import { train } from './commands/train.js';

/**
 * `streamtune train | ...`: parses flags, environment (`STREAMTUNE_*`) and the config file into
 * one validated config, runs the command, and turns errors into one clear line and an exit code
 * (2: bad configuration, 1: anything else).
 */
const program = new Command('streamtune')
  .description('Reactive stream-processing trainer for continual tuning')
  .showHelpAfterError('(run with --help for the options)');

const num = numberArg;

const trainCommand = program
  .command('train')
  .description('train continually on a stream, serving metrics, and print a summary at the end')
  .option('--config <path>', 'YAML or JSON config file (flags override it; every key: docs/config.md)');
for (const f of flags) {
  const option = new Option(f.flag, f.help);
  if (f.choices) option.choices(f.choices);
  if (f.parse) option.argParser(f.parse as (v: string) => unknown);
  trainCommand.addOption(option);
}
for (const s of switches) trainCommand.option(s.flag, s.help);

trainCommand.action(async (opts: Record<string, unknown>) => {
  const log = createLogger();
  const overrides: Record<string, unknown> = {};
  for (const f of flags) {
    const env = process.env[f.env];
    let value = opts[f.key];
    if (value === undefined && env !== undefined && env !== '') value = f.parse ? f.parse(env) : env;
    if (value !== undefined) setPath(overrides, f.path, value);
  }
  for (const s of switches) {
    if (opts[s.key] === s.value || (s.env !== undefined && process.env[s.env] === 'true')) setPath(overrides, s.path, s.value);
  }
  const file = typeof opts.config === 'string' ? readConfigFile(opts.config) : {};
  const config = parseConfig(mergeConfig({ source: EMBEDDED_SOURCE }, file, overrides));
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
)
  .option('--labels-topic <name>', 'split each record: its label goes to this topic as {"label": value}, its features (without the label) to --topic, both keyed by --key-column or else the record index')
  .option('--label <name>', 'with --labels-topic: the label column (default: the last column)')
  .option('--label-delay <delay>', "with --labels-topic: feature records sent between a record's features and its label: N, uniform:MIN:MAX or exp:MEAN (default 0)")
  .option('--seed <n>', 'with a random --label-delay: seed of the delays (default 1)', num('--seed'))
  .action(async (file: string, opts: Record<string, unknown>) => {
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

program
  .command('export')
  .description('write the model of the newest checkpoint with its preprocessing: TF.js Layers (model.json, weights.bin, preprocessing.json) or one ONNX graph that takes raw features (docs/export.md)')
  .argument('<checkpoint-dir>', 'checkpoint directory (--checkpoint-dir of the trainer)')
  .requiredOption('--out <dir>', 'directory to write (replaced atomically; created when missing)')
  .addOption(new Option('--format <format>', 'what to write').choices(EXPORT_FORMATS).default('tfjs'))
  .option('--clip <z>', "the trainer's standardize.clip, for a checkpoint too old to record it", num('--clip'))
  .action(async (dir: string, opts: { out: string; format: (typeof EXPORT_FORMATS)[number]; clip?: number }) => {
    process.exitCode = await exportCommand(dir, opts, { stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('predict')
  .description('score a stream with an exported model and no learning: one JSON line {position, key?, prediction, probabilities?} per record, rejects to the dead letter as in train')
  .requiredOption('--model <dir>', 'an export directory (tfjs), or an --export-dir whose latest file names one')
  .requiredOption('--source <source>', 'a .csv or .jsonl/.ndjson file, or kafka://HOST:PORT/TOPIC')
  .option('--out <path>', 'write the predictions to this JSON Lines file (default: standard output)')
  .option('--topic <name>', 'publish the predictions to this Kafka topic instead, keyed by the record key')
  .option('--brokers <list>', "brokers of --topic when the source is a file (default: the source's)")
  .option('--key-field <name>', 'field whose value is the record key')
  .option('--dead-letter <path>', 'JSONL file for rejected records', 'dead-letter.jsonl')
  .option('--dead-letter-topic <topic>', 'send rejected Kafka messages here instead')
  .option('--group <id>', 'consumer group of a Kafka source', 'streamtune-predict')
  .option('--stop-at-end', 'Kafka: finish when every partition is read to the end it had at start')
  .option('--max-records <n>', 'stop after reading this many records', positiveInt('--max-records'))
  .action(async (opts: PredictOptions) => {
    process.exitCode = await predictCommand(opts, { log: createLogger(), stdout: process.stdout, stderr: process.stderr });
  });

program
  .command('report')
  .description('write one self-contained HTML report of a run: metrics, baselines, drift and tuning events, hyperparameters, rejects, throughput')
  .argument('<run>', 'the --metrics-log file of a run, or its --checkpoint-dir')
  .option('--summary <file>', 'the run summary (--summary-json) to show beside it')
  .option('--out <file>', 'where to write the report', 'report.html')
  .action(async (run: string, opts: { summary?: string; out: string }) => {
    process.exitCode = await reportCommand(run, opts, { stdout: process.stdout });
  });

program
  .command('ctl')
  .description('control a running trainer through its control API: status, pause-learning, resume-learning, set, rollback, reset-scaler, checkpoint-now')
  .argument('<address>', 'HOST:PORT of the trainer\'s metrics server (or its http:// URL)')
  .argument('<action>', 'status | pause-learning | resume-learning | set | rollback | reset-scaler | checkpoint-now')
  .option('--token-file <path>', 'file holding the control token (default: $STREAMTUNE_CONTROL_TOKEN)')
  .option('--lr <rate>', 'set: the learning rate', num('--lr'))
  .option('--l2 <strength>', 'set: the L2 strength', num('--l2'))
  .option('--before-records <n>', 'rollback: to the newest checkpoint taken at or before this many records', num('--before-records'))
  .option('--before-time <iso>', 'rollback: to the newest checkpoint taken at or before this time')
  .option('--timeout <seconds>', 'how long to wait for the answer (default 30)', num('--timeout'))
  .action(async (address: string, action: string, opts: Record<string, unknown>) => {
    process.exitCode = await ctlCommand(address, action, opts, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  });

program
  .command('docs', { hidden: true })
  .description('write docs/config.md, docs/metrics.md and docs/cli.md from the config schema, the metrics registry and this help')
  .option('--dir <dir>', 'where to write them', 'docs')
  .option('--check', 'write nothing; exit 1 naming the files that differ')
  .action(async (opts: { dir: string; check?: boolean }) => {
    process.exitCode = await docsCommand(program, opts, { stdout: process.stdout, stderr: process.stderr });
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
