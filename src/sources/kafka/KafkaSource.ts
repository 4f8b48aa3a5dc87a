import type { Admin, Consumer } from 'kafkajs';
import { ConfigError, SourceError } from '../../errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { RawRecord } from '../../types.js';
import { BoundedQueue } from './BoundedQueue.js';
import { CommitScheduler } from './CommitScheduler.js';
import { commitUntilDone } from './commitUntilDone.js';
import { createKafka, kafkaConnectError as connectError, kafkaErrorLine as oneLine, kafkaMissingTopicError } from './kafkaClient.js';
import { KafkaFetcher } from './KafkaFetcher.js';
import { validateKafkaSourceOptions, type KafkaSourceOptions } from './KafkaSourceOptions.js';
import { OffsetLedger, type KafkaOffset } from './OffsetLedger.js';
import { StatusReporter } from './StatusReporter.js';

export type { KafkaSourceOptions, KafkaStatus } from './KafkaSourceOptions.js';
export type { KafkaOffset, KafkaPartitionStatus } from './OffsetLedger.js';

const DEFAULT_QUEUE_SIZE = 10_000;
const DEFAULT_COMMIT_INTERVAL_MS = 1000;
/** Longest wait for leaving the group and disconnecting at close (the broker may be gone). */
const DISCONNECT_TIMEOUT_MS = 10_000;

/** Long-poll of an idle fetch (the Java client's default): close() waits for the fetch in flight. */
const FETCH_MAX_WAIT_MS = 500;

/**
 * A Kafka consumer-group source: an `AsyncIterable<RawRecord>` pulled one record at a time.
 * A {@link KafkaFetcher} puts messages into a {@link BoundedQueue} (`queueSize`); when it is
 * full the fetch waits (heartbeating), so a slow reader never makes the backlog sit in memory.
 * Records get a global `index` in consumption order and `position` `topic/partition@offset`;
 * message values are read by `decodeKafkaMessage` (poison messages come out as error records,
 * never as a crash).
 *
 * The offsets are kept by an {@link OffsetLedger}: they are committed only for records the caller
 * marked done with {@link commitThrough} (at most every `commitIntervalMs`, by a
 * {@link CommitScheduler}) or {@link flush}; never for records still in flight. After a broker
 * outage kafkajs restarts the consumer from the committed offsets; records already handed out
 * are skipped, so each (partition, offset) is handed out once per source.
 *
 * Leaving a `for await` (the iterator's `return()`) does NOT stop or disconnect the consumer:
 * call {@link flush} once the last records are processed, then {@link close}.
 *
 * @example
 * const source = await KafkaSource.open({ kafka: { brokers: ['127.0.0.1:9092'] }, topics: ['elec2'], groupId: 'trainer', stopAtEnd: true });
 * for await (const record of source) {
 *   learn(record);
 *   source.commitThrough(record.index);
 * }
 * await source.flush();
 * await source.close();
 */
export class KafkaSource implements AsyncIterable<RawRecord> {
  private readonly queue: BoundedQueue<RawRecord>;
  private readonly ledger: OffsetLedger;
  private readonly commits: CommitScheduler;
  private readonly reporter: StatusReporter;
  private readonly fetcher: KafkaFetcher;
  private closing: Promise<void> | undefined;
  private readonly log: Logger | undefined;

  private constructor(
    private readonly options: KafkaSourceOptions,
    private readonly consumer: Consumer,
    private readonly admin: Admin,
  ) {
    this.queue = new BoundedQueue(options.queueSize ?? DEFAULT_QUEUE_SIZE);
    this.ledger = new OffsetLedger(options.onRebalance ? [] : options.startOffsets); // with handovers the listener decides where to start
    this.commits = new CommitScheduler(() => this.commitPending(), options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS);
    this.reporter = new StatusReporter(() => this.ledger.statuses(), options);
    this.fetcher = new KafkaFetcher({ consumer, admin, queue: this.queue, ledger: this.ledger, reporter: this.reporter }, options);
    this.log = options.logger;
  }

  /**
   * Connects, checks that the topics exist, joins the group and starts fetching. Fails fast
   * with a non-retriable SourceError (one line, no secret) when the brokers cannot be reached
   * or authentication fails, and names a missing topic and how to create it.
   *
   * @example
   * const source = await KafkaSource.open({ kafka: { brokers: ['127.0.0.1:9092'] }, topics: ['elec2'], groupId: 'g1' });
   */
  static async open(options: KafkaSourceOptions): Promise<KafkaSource> {
    validateKafkaSourceOptions(options);
    const kafka = createKafka(options.kafka, options.logger);
    const admin = kafka.admin();
    const consumer = kafka.consumer({
      groupId: options.groupId,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      ...(options.sessionTimeoutMs === undefined
        ? {}
        : { sessionTimeout: options.sessionTimeoutMs, heartbeatInterval: Math.min(3000, Math.floor(options.sessionTimeoutMs / 3)) }),
    });
    const source = new KafkaSource(options, consumer, admin);
    try {
      await admin.connect().catch((error: unknown) => {
        throw connectError(options.kafka, error);
      });
      const existing = new Set(await admin.listTopics());
      const missing = options.topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) throw kafkaMissingTopicError(options.kafka, missing);
      source.fetcher.listen();
      await consumer.connect().catch((error: unknown) => {
        throw connectError(options.kafka, error);
      });
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => source.fetcher.eachBatch(payload),
      });
      if (source.queue.failure !== undefined) throw source.queue.failure;
      return source;
    } catch (error) {
      source.queue.close();
      source.reporter.stop();
      await Promise.allSettled([consumer.disconnect(), admin.disconnect()]);
      if (error instanceof SourceError || error instanceof ConfigError) throw error;
      throw new SourceError(
        `cannot start the Kafka consumer for group "${options.groupId}" on ${options.kafka.brokers.join(',')}: ${oneLine(error, options.kafka)}`,
        { cause: error, retriable: false },
      );
    }
  }

  /** With `stopAtEnd`: every assigned partition is read to its end and nothing is left to hand out. */
  get exhausted(): boolean {
    return this.queue.size === 0 && this.fetchedAll();
  }

  /** Records fetched but not yet handed to the reader (at most `queueSize`). */
  get buffered(): number {
    return this.queue.size;
  }

  [Symbol.asyncIterator](): AsyncIterator<RawRecord> {
    return {
      next: () => this.next(),
      // Leaving the loop keeps the consumer: the caller flushes and closes when the records are processed.
      return: async () => ({ done: true, value: undefined }),
    };
  }

  /**
   * Field names to pick the label and features from: `csvColumns` when given, else the keys of
   * the first JSON object fetched (peeked: it is still handed out by the iteration). Undefined
   * when the first decodable message is positional (JSON array, CSV without `csvColumns`), or the
   * topic holds nothing before its end with `stopAtEnd`. With `topic`, only that topic's messages
   * count (a labels topic read beside it does not name the features). Without `stopAtEnd` it waits
   * for a message.
   *
   * @example
   * const columns = await source.columns(); // ['date', 'nswprice', ..., 'class']
   */
  async columns(topic?: string): Promise<string[] | undefined> {
    if (this.options.csvColumns) return [...this.options.csvColumns];
    for (;;) {
      for (const record of this.queue.peek()) {
        if (topic !== undefined && record.origin?.topic !== topic) continue; // `topic`: only its messages name the fields
        if (record.fields) return Object.keys(record.fields);
        if (record.values) return undefined;
      }
      if (this.queue.failure !== undefined) throw this.queue.failure;
      if (this.queue.closed || this.queue.full || this.fetchedAll()) return undefined;
      await this.queue.waitForData();
    }
  }

  /**
   * Marks every handed-out record with `index <= index` as fully processed (bookkeeping only:
   * nothing is committed). {@link positions} then includes them.
   *
   * @example
   * source.markDone(batch.at(-1).index);
   */
  markDone(index: number): void {
    this.ledger.markDone(index);
  }

  /**
   * The next offset to read of every partition this source has a position for: after the last
   * record marked done, or the resume point when nothing was done since. What a checkpoint stores.
   *
   * @example
   * source.markDone(i); const offsets = source.positions(); // [{ topic: 'elec2', partition: 0, offset: '1520' }, ...]
   */
  positions(): KafkaOffset[] {
    return this.ledger.positions();
  }

  /**
   * Allows committing up to these offsets (those of a durable checkpoint, or of records marked
   * done when there are no checkpoints; never past a record not marked done); commits at most
   * every `commitIntervalMs`, in the background, one commit at a time; a failed commit is logged
   * and retried on a later call.
   *
   * @example
   * source.allowCommit(checkpoint.positions.offsets);
   */
  allowCommit(offsets: readonly KafkaOffset[]): void {
    this.ledger.allow(offsets);
    this.commits.maybe(this.ledger.pending().length > 0)?.catch((error: unknown) => {
      this.log?.warn({ err: error }, `Kafka offset commit failed; retrying later: ${oneLine(error, this.options.kafka)}`);
    });
  }

  /**
   * Marks records up to `index` done and allows committing them: for runs without checkpoints.
   *
   * @example
   * source.commitThrough(batch.at(-1).index);
   */
  commitThrough(index: number): void {
    this.markDone(index);
    this.allowCommit(this.positions());
  }

  /**
   * Commits the offsets of every record marked done now (after any commit in flight). Rejects
   * with a retriable SourceError when the commit fails (e.g. while the consumer restarts).
   *
   * @example
   * await source.flush();
   */
  flush(): Promise<void> {
    return this.commits.commit();
  }

  /**
   * Stops fetching, commits what is marked done, leaves the group and disconnects. A pending or
   * later `next()` ends the iteration. Safe to call more than once.
   *
   * The final commit: with a `signal` (a stop the caller listens for), a failed commit (the broker
   * is down) is retried, waiting 0.5 s, then twice as long each time up to 10 s, until it succeeds
   * or the signal aborts; without one, or once aborted, a failure is logged, not thrown (its
   * records are read again by the group: duplicates, never loss).
   *
   * @example
   * await source.close({ signal: stop.signal }); // retried until committed or stopped
   */
  close(options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    this.closing ??= (async () => {
      this.queue.close(); // what is still queued is read again by the group
      this.reporter.stop();
      try {
        this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
      } catch {
        // not running (crashed or never joined): nothing is fetching
      }
      await commitUntilDone(() => this.flush(), { signal: options.signal, log: this.log, describe: (e) => oneLine(e, this.options.kafka) });
      // Leaving the group needs the broker: bounded, so a dead broker cannot keep the process alive.
      const disconnected = Promise.allSettled([this.consumer.disconnect(), this.admin.disconnect()]);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([disconnected, new Promise((resolve) => (timer = setTimeout(resolve, DISCONNECT_TIMEOUT_MS)))]);
      clearTimeout(timer);
    })();
    return this.closing;
  }

  private async next(): Promise<IteratorResult<RawRecord>> {
    const result = await this.queue.take(() => this.fetchedAll());
    if (result.done) return { done: true, value: undefined };
    const { topic, partition, offset } = result.value.origin!;
    this.ledger.handOut(result.value.index, topic, partition, Number(offset));
    return result;
  }

  /** With `stopAtEnd`: every assigned partition was fetched up to its end offset (so with an empty queue, all handed out). */
  private fetchedAll(): boolean {
    return this.options.stopAtEnd === true && this.ledger.reachedEnd();
  }

  private async commitPending(): Promise<void> {
    const offsets = this.ledger.pending();
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (error) {
      throw new SourceError(
        `cannot commit Kafka offsets for group "${this.options.groupId}": ${oneLine(error, this.options.kafka)}; they are committed on the next try`,
        { cause: error, retriable: true },
      );
    }
    // kafkajs skips the commit silently while the consumer restarts: only COMMIT_OFFSETS events confirm it
    const missed = this.ledger.unconfirmed(offsets);
    this.reporter.report();
    if (missed.length > 0) {
      throw new SourceError(
        `cannot commit Kafka offsets for group "${this.options.groupId}" (${missed.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(', ')}): the consumer is not running (restarting after a broker error?); they are committed on the next try`,
        { retriable: true },
      );
    }
  }
}
