import { Partitioners, type Admin, type KafkaConfig, type Message } from 'kafkajs';
import { ConfigError, SourceError } from '../errors.js';
import type { RawRecord } from '../types.js';
import { ensureTopic } from '../sources/kafka/ensureTopic.js';
import { createKafka } from '../sources/kafka/kafkaClient.js';
import { fieldsOf } from './fieldsOf.js';
import { LabelDelayQueue, type DueLabel } from './LabelDelayQueue.js';
import { replayMessage, type ReplayFormat } from './replayMessage.js';

export type { ReplayFormat } from './replayMessage.js';

/** The label split of {@link replay}: each record's label leaves its features for a topic of its own, some records later. */
export interface ReplayLabels {
  /** Topic of the labels, one `{"label": value}` per record with its features' key (created like the features topic). */
  readonly topic: string;
  /** The label field. Default: the last of `columns`, else the last field of the first record. */
  readonly column?: string;
  /**
   * Feature records sent after a record's features and before its label: a whole number, or a
   * sampler called once per record in file order (e.g. `labelDelay('exp:500', seed)`). Default 0.
   */
  readonly delay?: number | (() => number);
}

/** Settings of {@link replay}. */
export interface ReplayOptions {
  /** The records to produce, pulled one at a time (e.g. `openSource(path).records`). */
  readonly records: AsyncIterable<RawRecord>;
  /** Bootstrap addresses, `host:port`. */
  readonly brokers: readonly string[];
  /** Raw kafkajs client settings (SASL, TLS, retry, logLevel/logCreator ...) laid over the defaults by `createKafka`; `brokers` above wins. Logs are off unless set here. */
  readonly kafka?: Partial<KafkaConfig>;
  readonly topic: string;
  /** Partitions of the topic when it has to be created. Default 1. An existing topic is used as it is (a warning if this was given and differs). */
  readonly partitions?: number;
  /** Records per second at most: record k is not produced before start + k / rate seconds. Default unlimited. */
  readonly rate?: number;
  /**
   * Field whose value becomes the message key (murmur2-partitioned like the Java client); without
   * it, keys are null and messages go round-robin, or, with `labels`, the record index (decimal).
   */
  readonly keyColumn?: string;
  /** `json`: one JSON object per message; `csv`: one CSV line (no header) per message. */
  readonly format: ReplayFormat;
  /** Field order (and selection) of each message; needed to name the values of JSON-array records. Default: each record's own field order. */
  readonly columns?: readonly string[];
  /** Stop after reading this many records. Default all. */
  readonly maxRecords?: number;
  /** Split each record into its features (on `topic`) and its label (on `labels.topic`), the label sent `labels.delay` feature records later. */
  readonly labels?: ReplayLabels;
  /** Messages per `send` (one request, awaited before reading on). Default 500. */
  readonly batchSize?: number;
  /** Aborting stops the reading; records already read are still sent, then the result is returned. */
  readonly signal?: AbortSignal;
  /** Called after each send with the count of records (features) sent so far and, when known, the count there will be at the end. */
  readonly onProgress?: (sent: number, total?: number) => void;
  /** Called with a message when something is off but the replay goes on. Default `process.emitWarning`. */
  readonly onWarning?: (message: string) => void;
}

/** What {@link replay} did. */
export interface ReplayResult {
  /** Messages produced (and acknowledged by all in-sync replicas). */
  readonly sent: number;
  /** Wall time of the producing, from the first read to the last acknowledgement (topic setup excluded). */
  readonly seconds: number;
  readonly topic: string;
  /** Partitions of the topic as it is (created or found). */
  readonly partitions: number;
  /** With `labels`: label messages produced, their topic and its partitions. */
  readonly labels?: { readonly sent: number; readonly topic: string; readonly partitions: number };
}

const DEFAULT_BATCH_SIZE = 500;
const REPLAY_CLIENT_ID = 'streamtune-replay';
/** Header of every message of a label split: its 0-based place in the one sequence of features and labels, as sent. */
const SEQ_HEADER = 'streamtune-seq';

/**
 * Feeds a Kafka topic from a source: one message per record, produced in batches with
 * `acks: -1`, each send awaited before more records are read (memory stays flat on any file
 * size), paced to `rate` records/s. Creates the topic (`partitions`, waiting for leaders) when
 * it is missing.
 *
 * Message values: `json` gives the record's fields as a JSON object, in column order, with text
 * that is a plain finite decimal number turned into a number (`"0.5"` -> `0.5`) and all other
 * text left as it is (`"abc"`, `"1e400"`, `""` stay strings, so bad rows stay bad); `csv` gives
 * the values as one CSV line, quoted where needed (for a CSV file, its line). Records the source
 * could not split (`error` set, e.g. a wrong column count or malformed JSON) are produced as
 * their raw text, unchanged, so the trainer rejects them into its dead letter like the file
 * would have.
 *
 * With `labels`, each record is split: its features (the record without the label field) go to
 * `topic`, its label as `{"label": value}` to `labels.topic`, both keyed by the key column's value
 * or else the record index (decimal), so a trainer joins them on the key. The label of record i
 * is queued right after the features of record i + delay(i) (all labels still waiting when the
 * source ends or the replay is aborted follow the last features, in due order), and never sent
 * before its own features are acknowledged. Every message then carries a `streamtune-seq` header:
 * its 0-based place in that one sequence. A record the source could not split goes to `topic` as
 * its raw text, keyed by its index, with no label.
 *
 * Kafka failures throw a `SourceError` naming the topic and the brokers (`retriable` as kafkajs
 * says); source read errors are thrown as they are; bad options throw a `ConfigError`.
 *
 * @example
 * const source = await openSource('data/elec2.csv');
 * const { sent, seconds } = await replay({
 *   records: source.records, columns: source.columns, brokers: ['127.0.0.1:9092'],
 *   topic: 'elec2', partitions: 3, format: 'json', rate: 5_000,
 * });
 * // features and labels, each label 500 records after its features:
 * await replay({
 *   records: (await openSource('data/elec2.csv')).records, brokers: ['127.0.0.1:9092'], format: 'json',
 *   topic: 'elec2-features', labels: { topic: 'elec2-labels', delay: 500 },
 * });
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const { records, topic, format, rate, keyColumn, columns, labels, signal, onProgress } = options;
  const { maxRecords = Infinity, batchSize = DEFAULT_BATCH_SIZE } = options;
  const onWarning = options.onWarning ?? ((message: string) => process.emitWarning(message));
  checkOptions(options);
  const waiting = new LabelDelayQueue(labels?.delay ?? 0);

  const brokers = [...options.brokers];
  const where = `topic "${topic}"${labels ? ` and labels topic "${labels.topic}"` : ''} on ${brokers.join(',')}`;
  const kafka = createKafka({ brokers, clientId: REPLAY_CLIENT_ID }, undefined, options.kafka);

  const [partitions, labelPartitions] = await kafkaStep(where, 'setting up the topic', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const features = await topicPartitions(admin, topic, options.partitions, onWarning);
      return [features, labels ? await topicPartitions(admin, labels.topic, options.partitions, onWarning) : 0];
    } finally {
      await admin.disconnect();
    }
  });

  // Idempotent: a send retried after a timeout under load is not written twice.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await kafkaStep(where, 'connecting the producer', () => producer.connect());
  const bound = Number.isFinite(maxRecords) ? maxRecords : undefined;
  /** The messages to send next, in the order they are to be sent. */
  const batch: Array<{ topic: string; message: Message }> = [];
  let sent = 0;
  let labelsSent = 0;
  let read = 0;
  let seq = 0;
  const enqueue = (to: string, message: Message): void => {
    batch.push({ topic: to, message: labels ? { ...message, headers: { [SEQ_HEADER]: String(seq++) } } : message });
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const messages = batch.splice(0);
    const features = messages.filter((m) => m.topic === topic).map((m) => m.message);
    const labelMessages = messages.filter((m) => m.topic !== topic).map((m) => m.message);
    const range = features.length > 0 ? `records ${sent + 1}-${sent + features.length}` : `labels ${labelsSent + 1}-${labelsSent + labelMessages.length}`;
    const topicMessages = [{ topic, messages: features }, ...(labels ? [{ topic: labels.topic, messages: labelMessages }] : [])];
    await kafkaStep(where, `sending ${range}`, () => producer.sendBatch({ acks: -1, topicMessages: topicMessages.filter((t) => t.messages.length > 0) }));
    sent += features.length;
    labelsSent += labelMessages.length;
    if (features.length > 0) onProgress?.(sent, bound);
  };
  /** Queues labels now due; a label never goes in the same send as its own features (those are acknowledged first). */
  const release = async (due: readonly DueLabel[]): Promise<void> => {
    for (const label of due) {
      if (label.features >= sent) await flush();
      enqueue(labels!.topic, label.message);
      if (batch.length >= batchSize) await flush();
    }
  };

  const start = performance.now();
  let aborted = signal?.aborted ?? false;
  let checked = keyColumn === undefined && labels === undefined;
  let labelColumn = labels ? (labels.column ?? columns?.at(-1)) : undefined;
  try {
    if (maxRecords > 0 && !aborted) {
      for await (const record of records) {
        if (rate !== undefined) {
          const due = start + (read * 1000) / rate;
          if (due > performance.now()) {
            await flush(); // send what is ready before waiting, so a slow rate means small, prompt batches
            await sleep(due - performance.now(), signal);
          }
        }
        if (signal?.aborted) {
          aborted = true; // this record was read but is not sent
          break;
        }
        if (!checked && (record.fields || record.columns)) {
          const fields = record.fields ?? fieldsOf(record, record.columns)!;
          if (keyColumn !== undefined) checkColumn('key column', keyColumn, fields, record.position);
          if (labels) {
            labelColumn ??= Object.keys(fields).at(-1);
            if (labelColumn === undefined) throw new ConfigError(`replay: ${record.position} has no fields, so there is no last column to take as the label; name it (--label)`);
            checkColumn('label column', labelColumn, fields, record.position);
            if (labelColumn === keyColumn) throw new ConfigError(`replay: the label column "${labelColumn}" cannot also be the key column: name another --key-column or --label`);
          }
          checked = true;
        }
        const split = replayMessage(record, { format, columns, keyColumn, labelColumn, indexKeys: labels !== undefined });
        enqueue(topic, split.features);
        read++;
        if (batch.length >= batchSize) await flush();
        await release(waiting.afterFeatures(split.label));
        if (read >= maxRecords) break;
        if (signal?.aborted) {
          aborted = true;
          break;
        }
      }
    }
    await release(waiting.end()); // the labels still waiting at the end, in due order: every record sent gets its label
    await flush();
  } finally {
    await producer.disconnect().catch(() => {});
  }
  const seconds = (performance.now() - start) / 1000;
  onProgress?.(sent, aborted ? bound : sent);
  return { sent, seconds, topic, partitions, ...(labels ? { labels: { sent: labelsSent, topic: labels.topic, partitions: labelPartitions } } : {}) };
}

/** Creates the topic when missing; returns its partition count, warning when it differs from the one asked for. */
async function topicPartitions(
  admin: Admin,
  topic: string,
  wanted: number | undefined,
  onWarning: (message: string) => void,
): Promise<number> {
  const { created, partitions } = await ensureTopic(admin, topic, wanted === undefined ? {} : { partitions: wanted });
  if (!created && wanted !== undefined && partitions !== wanted) {
    onWarning(`topic "${topic}" already exists with ${partitions} partition(s), not ${wanted}: producing to its ${partitions} partition(s)`);
  }
  return partitions;
}

/** A key or label column absent from a record is a typo, not data: fail (before producing anything, when it is the first record). */
function checkColumn(what: string, column: string, fields: Readonly<Record<string, unknown>>, position: string): true {
  if (column in fields) return true;
  throw new ConfigError(`replay: ${what} "${column}" is not a field of the source (${position} has ${Object.keys(fields).join(', ')})`);
}

function checkOptions(options: ReplayOptions): void {
  const { brokers, topic, format, partitions, rate, maxRecords, batchSize, keyColumn, columns, labels } = options;
  const fail = (message: string): never => {
    throw new ConfigError(`replay: ${message}`);
  };
  if (brokers.length === 0 || brokers.some((b) => b.trim() === '')) fail(`"brokers" must name at least one host:port, got [${brokers.join(', ')}]`);
  if (topic.trim() === '') fail('"topic" must not be empty');
  if (format !== 'json' && format !== 'csv') fail(`"format" must be json or csv, got "${String(format)}"`);
  if (partitions !== undefined && !(Number.isInteger(partitions) && partitions >= 1)) fail(`"partitions" must be a positive integer, got ${partitions}`);
  if (rate !== undefined && !(rate > 0 && rate !== Infinity)) fail(`"rate" must be > 0 records per second, got ${rate}`);
  if (maxRecords !== undefined && !(maxRecords >= 0)) fail(`"maxRecords" must be >= 0, got ${maxRecords}`);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) fail(`"batchSize" must be a positive integer, got ${batchSize}`);
  if (keyColumn !== undefined && columns !== undefined && !columns.includes(keyColumn)) {
    fail(`key column "${keyColumn}" is not one of the columns (${columns.join(', ')})`);
  }
  if (!labels) return;
  if (labels.topic.trim() === '') fail('"labels.topic" must not be empty');
  if (labels.topic === topic) fail(`"labels.topic" must differ from "topic" (both "${topic}"): features and labels go to two topics`);
  const { column, delay } = labels;
  if (column !== undefined && columns !== undefined && !columns.includes(column)) {
    fail(`label column "${column}" is not one of the columns (${columns.join(', ')})`);
  }
  const label = column ?? columns?.at(-1);
  if (label !== undefined && label === keyColumn) fail(`the label column "${label}" cannot also be the key column: name another --key-column or --label`);
  if (typeof delay === 'number' && !(Number.isSafeInteger(delay) && delay >= 0)) fail(`"labels.delay" must be a whole number of records >= 0, got ${delay}`);
}

/** Runs one Kafka step, turning its failure into a SourceError that says what was being done, where. */
async function kafkaStep<T>(where: string, doing: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const retriable = (error as { retriable?: unknown } | null)?.retriable === true;
    throw new SourceError(
      `replay to ${where} failed while ${doing}: ${message}; check that the brokers are reachable and the client settings (SASL/TLS) match`,
      { cause: error, retriable },
    );
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
