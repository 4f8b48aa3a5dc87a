import { Partitioners, type Admin, type KafkaConfig, type Message } from 'kafkajs';
import { ConfigError, SourceError } from '../errors.js';
import type { RawRecord } from '../types.js';
import { ensureTopic } from '../sources/kafka/ensureTopic.js';
import { createKafka } from '../sources/kafka/kafkaClient.js';

/** How a record is written into a message value. */
export type ReplayFormat = 'json' | 'csv';

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
  /** Field whose value becomes the message key (murmur2-partitioned like the Java client); without it, keys are null and messages go round-robin. */
  readonly keyColumn?: string;
  /** `json`: one JSON object per message; `csv`: one CSV line (no header) per message. */
  readonly format: ReplayFormat;
  /** Field order (and selection) of each message; needed to name the values of JSON-array records. Default: each record's own field order. */
  readonly columns?: readonly string[];
  /** Stop after reading this many records. Default all. */
  readonly maxRecords?: number;
  /** Messages per `send` (one request, awaited before reading on). Default 500. */
  readonly batchSize?: number;
  /** Aborting stops the reading; records already read are still sent, then the result is returned. */
  readonly signal?: AbortSignal;
  /** Called after each send with the count so far and, when known, the count there will be at the end. */
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
}

const DEFAULT_BATCH_SIZE = 500;
const REPLAY_CLIENT_ID = 'streamtune-replay';
/** A decimal number as text, with nothing around it: `-1`, `0.5`, `.5`, `2.`, `6.02e23`. Not `0x10`, `Infinity`, `1_000`, ` 1`. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

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
 * Kafka failures throw a `SourceError` naming the topic and the brokers (`retriable` as kafkajs
 * says); source read errors are thrown as they are; bad options throw a `ConfigError`.
 *
 * @example
 * const source = await openSource('data/elec2.csv');
 * const { sent, seconds } = await replay({
 *   records: source.records, columns: source.columns, brokers: ['127.0.0.1:9092'],
 *   topic: 'elec2', partitions: 3, format: 'json', rate: 5_000,
 * });
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const { records, topic, format, rate, keyColumn, columns, signal, onProgress } = options;
  const { maxRecords = Infinity, batchSize = DEFAULT_BATCH_SIZE } = options;
  const onWarning = options.onWarning ?? ((message: string) => process.emitWarning(message));
  checkOptions(options);

  const brokers = [...options.brokers];
  const where = `topic "${topic}" on ${brokers.join(',')}`;
  const kafka = createKafka({ brokers, clientId: REPLAY_CLIENT_ID }, undefined, options.kafka);

  const partitions = await kafkaStep(where, 'setting up the topic', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await topicPartitions(admin, topic, options.partitions, onWarning);
    } finally {
      await admin.disconnect();
    }
  });

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await kafkaStep(where, 'connecting the producer', () => producer.connect());
  const bound = Number.isFinite(maxRecords) ? maxRecords : undefined;
  const batch: Message[] = [];
  let sent = 0;
  let read = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const messages = batch.splice(0);
    await kafkaStep(where, `sending records ${sent + 1}-${sent + messages.length}`, () =>
      producer.send({ topic, acks: -1, messages }),
    );
    sent += messages.length;
    onProgress?.(sent, bound);
  };

  const start = performance.now();
  let aborted = signal?.aborted ?? false;
  let keyChecked = keyColumn === undefined;
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
        if (!keyChecked && (record.fields || record.columns)) {
          keyChecked = checkKeyColumn(keyColumn!, record.fields ?? fieldsOf(record, record.columns)!, record.position);
        }
        batch.push(toMessage(record, format, columns, keyColumn));
        read++;
        if (batch.length >= batchSize) await flush();
        if (read >= maxRecords) break;
        if (signal?.aborted) {
          aborted = true;
          break;
        }
      }
    }
    await flush();
  } finally {
    await producer.disconnect().catch(() => {});
  }
  const seconds = (performance.now() - start) / 1000;
  onProgress?.(sent, aborted ? bound : sent);
  return { sent, seconds, topic, partitions };
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

function toMessage(
  record: RawRecord,
  format: ReplayFormat,
  columns: readonly string[] | undefined,
  keyColumn: string | undefined,
): Message {
  const fields = record.error ? undefined : fieldsOf(record, columns);
  const key = keyColumn === undefined ? null : keyOf(fields?.[keyColumn]);
  if (!fields) return { key, value: record.raw };
  const names = columns ?? Object.keys(fields);
  if (format === 'csv') return { key, value: names.map((name) => csvValue(fields[name])).join(',') };
  const object: Record<string, unknown> = {};
  for (const name of names) if (name in fields) object[name] = numberOrText(fields[name]);
  return { key, value: JSON.stringify(object) };
}

/** The record's values by name: its fields, or its values named by its own `columns` (a CSV row) or by `columns` (a JSON array). */
function fieldsOf(record: RawRecord, columns: readonly string[] | undefined): Readonly<Record<string, unknown>> | undefined {
  if (record.fields) return record.fields;
  const names = record.columns ?? columns;
  if (!record.values || !names) return undefined;
  const values = record.values;
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}

function numberOrText(value: unknown): unknown {
  if (typeof value !== 'string' || !PLAIN_NUMBER.test(value)) return value;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

function csvValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function keyOf(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A key column absent from the first record is a typo, not data: fail before producing anything. */
function checkKeyColumn(keyColumn: string, fields: Readonly<Record<string, unknown>>, position: string): true {
  if (keyColumn in fields) return true;
  throw new ConfigError(
    `replay: key column "${keyColumn}" is not a field of the source (${position} has ${Object.keys(fields).join(', ')})`,
  );
}

function checkOptions(options: ReplayOptions): void {
  const { brokers, topic, format, partitions, rate, maxRecords, batchSize, keyColumn, columns } = options;
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
