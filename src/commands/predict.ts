import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseConfig } from '../config.js';
import { ConfigError, ModelError } from '../errors.js';
import { ExportedModel } from '../export/ExportedModel.js';
import { scoredLine } from '../export/scoredLine.js';
import { unlabelled } from '../export/unlabelled.js';
import { selectBackend } from '../model/selectBackend.js';
import { decode, isRejected } from '../records/decode.js';
import { KafkaTopicWriter } from '../sinks/KafkaTopicWriter.js';
import { parseKafkaUri } from '../sources/kafka/kafkaClient.js';
import { kafkaSettings } from '../sources/kafka/openKafka.js';
import { openSource } from '../sources/openSource.js';
import type { Logger } from '../telemetry/logger.js';
import { openDeadLetter } from '../training/openDeadLetter.js';
import type { Sample, Schema } from '../types.js';

/** Options of `streamtune predict`. */
export interface PredictOptions {
  readonly model: string;
  readonly source: string;
  /** JSON Lines file of the predictions (unset and no topic: standard output). */
  readonly out?: string;
  /** Kafka topic for the predictions (keyed by the record's key). */
  readonly topic?: string;
  /** Brokers of `topic` when the source is a file (a Kafka source's brokers otherwise). */
  readonly brokers?: string;
  readonly deadLetter: string;
  readonly deadLetterTopic?: string;
  readonly group: string;
  readonly stopAtEnd?: boolean;
  readonly keyField?: string;
  readonly maxRecords?: number;
}

const BLOCK = 512;

/**
 * `streamtune predict --model DIR --source FILE|kafka://…`: scores a stream with an exported
 * (tfjs) model and no learning. Records are decoded and rejected exactly as `train` does (a
 * missing label is fine: the label is not needed), rejects go to the dead letter, and each scored
 * record gives one JSON line {position, key?, prediction, probabilities?} on the output file,
 * standard output or topic. Kafka offsets are committed once the predictions before them are written.
 *
 * @example
 * await predictCommand({ model: 'exports', source: 'data.csv', out: 'predictions.jsonl', deadLetter: 'rejects.jsonl', group: 'predict' }, io);
 */
export async function predictCommand(
  opts: PredictOptions,
  io: { log: Logger; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  if (opts.out !== undefined && opts.topic !== undefined) throw new ConfigError('--out and --topic are exclusive: choose where the predictions go');
  await selectBackend();
  const model = await ExportedModel.load(opts.model);
  const p = model.preprocessing;
  const config = parseConfig({
    source: opts.source,
    task: p.label.task,
    ...(p.label.task === 'multiclass' ? { classes: p.label.classes } : {}),
    label: p.label.name,
    features: p.features,
    deadLetter: opts.deadLetter,
    ...(opts.keyField ? { keyField: opts.keyField } : {}),
    kafka: { group: opts.group, stopAtEnd: opts.stopAtEnd ?? false, ...(opts.deadLetterTopic ? { deadLetterTopic: opts.deadLetterTopic } : {}) },
  });
  const schema: Schema = { task: p.label.task, features: p.features, label: p.label.name, classes: p.label.classes };
  const source = await openSource(opts.source, { ...config, kafkaHooks: { logger: io.log } });
  const sourceBrokers = opts.source.startsWith('kafka://') ? parseKafkaUri(opts.source).brokers : [];
  const lagged = p.features.filter((f) => /@\d+$/.test(f) && !source.columns.includes(f));
  if (lagged.length > 0) {
    await source.close?.();
    throw new ModelError(`the model takes lagged features (${lagged.join(', ')}) that predict cannot compute yet; give them as columns of the source`);
  }
  const deadLetter = await openDeadLetter(config, sourceBrokers, io.log);
  const brokers = opts.brokers ? opts.brokers.split(',').map((b) => b.trim()).filter(Boolean) : sourceBrokers;
  if (opts.topic !== undefined && brokers.length === 0) throw new ConfigError('--topic needs --brokers when the source is not a Kafka topic');
  const topic = opts.topic === undefined ? undefined : await KafkaTopicWriter.open(kafkaSettings(config, brokers), opts.topic, io.log);
  let fd: number | undefined;
  if (opts.out !== undefined) {
    mkdirSync(dirname(opts.out), { recursive: true });
    fd = openSync(opts.out, 'w');
  }
  const abort = new AbortController();
  const stop = (): void => {
    abort.abort();
    void source.close?.(); // ends a Kafka stream that waits for messages
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let scored = 0;
  let read = 0;
  const started = performance.now();
  let block: Sample[] = [];
  let lastIndex = -1;
  /** Scores and writes what is in the block now, then commits what it covers. */
  const flushNow = async (): Promise<void> => {
    const samples = block;
    const through = lastIndex;
    block = [];
    if (samples.length > 0) {
      const outputs = model.predict(samples.map((s) => s.x));
      const width = model.width;
      let text = '';
      samples.forEach((sample, i) => {
        const line = JSON.stringify(scoredLine(p.label.task, sample, outputs.subarray(i * width, (i + 1) * width)));
        if (topic) topic.write({ key: sample.key ?? null, value: line });
        else text += line + '\n';
      });
      if (fd !== undefined) writeSync(fd, text);
      else if (!topic) io.stdout.write(text);
      scored += samples.length;
    }
    await topic?.flush();
    await deadLetter.flush();
    if (through >= 0) source.allowCommit?.(source.positionsThrough(through));
  };
  let chain: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => (chain = chain.then(flushNow));
  // A slow stream still gets its predictions out within a quarter of a second.
  const timer = setInterval(() => {
    if (block.length > 0) flush().catch(() => undefined);
  }, 250);
  try {
    for await (const raw of source.records) {
      if (abort.signal.aborted) break;
      read += 1;
      let decoded = decode(raw, schema);
      if (isRejected(decoded) && decoded.reason === 'missing_label') decoded = decode(unlabelled(raw, schema.label), schema);
      if (isRejected(decoded)) deadLetter.write(decoded);
      else block.push(decoded);
      lastIndex = raw.index;
      if (block.length >= BLOCK) await flush();
      if (opts.maxRecords !== undefined && read >= opts.maxRecords) break;
    }
    await flush();
  } finally {
    clearInterval(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (fd !== undefined) closeSync(fd);
    await topic?.close();
    await deadLetter.close();
    await source.close?.();
    model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const where = opts.out ?? (opts.topic ? `topic ${opts.topic}` : 'standard output');
  io.stderr.write(
    `scored ${scored.toLocaleString('en-US')} of ${read.toLocaleString('en-US')} records from ${source.name} with ${model.dir} ` +
      `in ${seconds.toFixed(1)} s to ${where}; ${deadLetter.count} rejected${deadLetter.count > 0 ? ` (${deadLetter.where})` : ''}${abort.signal.aborted ? ' (interrupted)' : ''}\n`,
  );
  return 0;
}
