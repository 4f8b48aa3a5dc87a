import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { ConfigError, SourceError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { RawRecord } from '../types.js';
import { createKafka, kafkaConnectError as connectError, kafkaErrorLine as oneLine, type KafkaSettings } from './kafkaClient.js';
import { decodeKafkaMessage, type KafkaFormat } from './kafkaMessage.js';

/** Whether the consumer is connected and in its group; `reason` says why not. */
export interface KafkaStatus {
  readonly up: boolean;
  readonly reason?: string;
}

/** Progress of one assigned partition. Offsets are decimal strings. */
export interface KafkaPartitionStatus {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to hand out (everything before it was handed to the reader). */
  readonly position: string;
  /** Offset committed for the group (the next one to read after a restart), `-1` when none. */
  readonly committed: string;
  /** Latest known high watermark (the offset the next produced message will get). */
  readonly end: string;
  /** `end - position`, never below 0. */
  readonly lag: number;
}

/** Settings of {@link KafkaSource.open}. */
export interface KafkaSourceOptions {
  readonly kafka: KafkaSettings;
  readonly topics: readonly string[];
  readonly groupId: string;
  /** Where a group with no committed offset starts. Default true (the earliest offset). */
  readonly fromBeginning?: boolean;
  /** How message values are read. Default `auto`. */
  readonly format?: KafkaFormat;
  /** Names of the values of CSV-line messages. */
  readonly csvColumns?: readonly string[];
  /** Field whose value is the routing key (default: the message key). */
  readonly keyField?: string;
  /** Complete once every assigned partition is read up to its end offset at start. Default false (run forever). */
  readonly stopAtEnd?: boolean;
  /** Messages buffered ahead of the reader at most. Default 10 000. */
  readonly queueSize?: number;
  /** Commit at most this often from {@link KafkaSource.commitThrough}. Default 1000 ms. */
  readonly commitIntervalMs?: number;
  /**
   * Group session timeout (kafkajs default 30 000 ms, broker minimum 6000). After a broker outage
   * the restarted consumer joins as a new member, and the group waits up to this long for the old
   * one before it rebalances.
   */
  readonly sessionTimeoutMs?: number;
  /** How often partitions are reported to `onPartition` besides after each commit. Default 5000 ms. */
  readonly reportIntervalMs?: number;
  /**
   * Resume here (from a checkpoint), whatever the group has committed: the first join seeks each
   * listed partition to its offset, and nothing before it is handed out.
   */
  readonly startOffsets?: readonly KafkaOffset[];
  readonly logger?: Logger;
  readonly onStatus?: (status: KafkaStatus) => void;
  readonly onPartition?: (partition: KafkaPartitionStatus) => void;
}

/** The next offset to read in one topic-partition (what a group commits and a checkpoint stores). */
export interface KafkaOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** What the source knows of one topic-partition. Offsets as numbers (exact below 2^53). */
interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Highest offset put in the queue (handed out or about to be), -1 before any. */
  enqueued: number;
  /** Next offset after the last one handed to the reader, -1 before any. */
  handedNext: number;
  /** Next offset past the fetched batches, counting control records and aborted messages that never reach the queue. */
  scannedNext: number;
  /** Where reading starts for the group (committed offset, or earliest/latest), -1 until known. */
  start: number;
  /** Highest offset the reader marked done, -1 before any. */
  done: number;
  /** Committed offset (next to read), -1 when none. */
  committed: number;
  /** Highest next-offset the caller allowed to commit (covered by durable state), -1 before any. */
  allowed: number;
  /** Where a checkpoint said to resume, -1 when none. */
  resumeAt: number;
  /** End offset at the first group join: what `stopAtEnd` reads up to. */
  stopAt?: number;
  /** Latest high watermark. */
  high?: number;
}

/**
 * A run of handed-out records not yet marked done: consecutive indices of one partition with
 * consecutive offsets (a whole fetch batch, usually), so the bookkeeping stays small.
 */
interface InFlight {
  readonly state: PartitionState;
  firstIndex: number;
  readonly firstOffset: number;
  lastIndex: number;
}

const DEFAULT_QUEUE_SIZE = 10_000;
const DEFAULT_COMMIT_INTERVAL_MS = 1000;
const DEFAULT_REPORT_INTERVAL_MS = 5000;
/** While waiting for queue space inside eachBatch, heartbeat at least this often. */
const WAIT_SLICE_MS = 1000;
/** Long-poll of an idle fetch (the Java client's default): close() waits for the fetch in flight. */
const FETCH_MAX_WAIT_MS = 500;
/** Retry delay for the offsets fetched after a group join. */
const JOIN_INFO_RETRY_MS = 1000;

const tp = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * A Kafka consumer-group source: an `AsyncIterable<RawRecord>` pulled one record at a time.
 * Messages are fetched into a bounded queue (`queueSize`); when it is full the fetch waits
 * (heartbeating), so a slow reader never makes the backlog sit in memory. Records get a global
 * `index` in consumption order and `position` `topic/partition@offset`; message values are read
 * by {@link decodeKafkaMessage} (poison messages come out as error records, never as a crash).
 *
 * Offsets are committed only for records the caller marked done with {@link commitThrough}
 * (at most every `commitIntervalMs`) or {@link flush}; never for records still in flight. After a
 * broker outage kafkajs restarts the consumer from the committed offsets; records already handed
 * out are skipped, so each (partition, offset) is handed out once per source.
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
  private readonly queue: RawRecord[] = [];
  private head = 0;
  private nextIndex = 0;
  private readonly partitions = new Map<string, PartitionState>();
  private readonly inFlight: InFlight[] = [];
  private inFlightHead = 0;
  /** Partitions assigned at the last group join; undefined before the first. */
  private assigned: PartitionState[] | undefined;
  /** Offsets for the current assignment are known (start, stopAt). */
  private joinReady = false;
  private joinGeneration = 0;
  /** The resume offsets were sought (once, at the first join). */
  private seeked = false;
  private up: boolean | undefined;
  private failure: SourceError | undefined;
  private stopped = false;
  private closing: Promise<void> | undefined;
  private dataWaiters: Array<() => void> = [];
  private spaceWaiters: Array<() => void> = [];
  private commitRunning: Promise<void> | undefined;
  private lastCommitAt = 0;
  private readonly reportTimer: ReturnType<typeof setInterval> | undefined;
  private readonly queueSize: number;
  private readonly commitIntervalMs: number;
  private readonly log: Logger | undefined;

  private constructor(
    private readonly options: KafkaSourceOptions,
    private readonly consumer: Consumer,
    private readonly admin: Admin,
  ) {
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
    this.commitIntervalMs = options.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS;
    this.log = options.logger;
    for (const { topic, partition, offset } of options.startOffsets ?? []) {
      const state = this.partition(topic, partition);
      state.resumeAt = Number(offset);
      state.enqueued = state.resumeAt - 1; // nothing before the resume point is handed out
    }
    if (options.onPartition) {
      this.reportTimer = setInterval(() => this.report(), options.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS);
      this.reportTimer.unref();
    }
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
    validate(options);
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
      if (missing.length > 0) throw missingTopicError(options.kafka, missing);
      source.listen();
      await consumer.connect().catch((error: unknown) => {
        throw connectError(options.kafka, error);
      });
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => source.eachBatch(payload),
      });
      if (source.failure) throw source.failure;
      return source;
    } catch (error) {
      source.stopped = true;
      clearInterval(source.reportTimer);
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
    return this.buffered === 0 && this.fetchedAll();
  }

  /** Records fetched but not yet handed to the reader (at most `queueSize`). */
  get buffered(): number {
    return this.queue.length - this.head;
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
   * topic holds nothing before its end with `stopAtEnd`. Without `stopAtEnd` it waits for a message.
   *
   * @example
   * const columns = await source.columns(); // ['date', 'nswprice', ..., 'class']
   */
  async columns(): Promise<string[] | undefined> {
    if (this.options.csvColumns) return [...this.options.csvColumns];
    for (;;) {
      for (let i = this.head; i < this.queue.length; i++) {
        const record = this.queue[i]!;
        if (record.fields) return Object.keys(record.fields);
        if (record.values) return undefined;
      }
      if (this.failure) throw this.failure;
      if (this.stopped || this.buffered >= this.queueSize || this.fetchedAll()) return undefined;
      await new Promise<void>((resolve) => this.dataWaiters.push(resolve));
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
    while (this.inFlightHead < this.inFlight.length) {
      const run = this.inFlight[this.inFlightHead]!;
      if (run.firstIndex > index) break;
      const through = Math.min(index, run.lastIndex);
      run.state.done = Math.max(run.state.done, run.firstOffset + (through - run.firstIndex));
      if (through < run.lastIndex) break;
      this.inFlightHead++;
    }
    if (this.inFlightHead > 1024 && this.inFlightHead * 2 > this.inFlight.length) {
      this.inFlight.splice(0, this.inFlightHead);
      this.inFlightHead = 0;
    }
  }

  /**
   * The next offset to read of every partition this source has a position for: after the last
   * record marked done, or the resume point when nothing was done since. What a checkpoint stores.
   *
   * @example
   * source.markDone(i); const offsets = source.positions(); // [{ topic: 'elec2', partition: 0, offset: '1520' }, ...]
   */
  positions(): KafkaOffset[] {
    const out: KafkaOffset[] = [];
    for (const s of this.partitions.values()) {
      const next = Math.max(s.done + 1, s.resumeAt);
      if (next > 0) out.push({ topic: s.topic, partition: s.partition, offset: String(next) });
    }
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /**
   * Allows committing up to these offsets (those of a durable checkpoint, or of records marked
   * done when there are no checkpoints); commits at most every `commitIntervalMs`, in the
   * background, one commit at a time; a failed commit is logged and retried on a later call.
   *
   * @example
   * source.allowCommit(checkpoint.positions.offsets);
   */
  allowCommit(offsets: readonly KafkaOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const state = this.partition(topic, partition);
      state.allowed = Math.max(state.allowed, Number(offset));
    }
    if (this.commitRunning === undefined && Date.now() - this.lastCommitAt >= this.commitIntervalMs && this.pending().length > 0) {
      this.commit().catch((error: unknown) => {
        this.log?.warn({ err: error }, `Kafka offset commit failed; retrying later: ${oneLine(error, this.options.kafka)}`);
      });
    }
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
    return this.commit();
  }

  /**
   * Stops fetching, commits what is marked done, leaves the group and disconnects. A pending or
   * later `next()` ends the iteration. A failed final commit is logged, not thrown (its records
   * are read again by the group: duplicates, never loss). Safe to call more than once.
   *
   * @example
   * await source.close();
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      clearInterval(this.reportTimer);
      this.wake();
      try {
        this.consumer.pause(this.options.topics.map((topic) => ({ topic })));
      } catch {
        // not running (crashed or never joined): nothing is fetching
      }
      try {
        await this.flush();
      } catch (error) {
        this.log?.warn({ err: error }, `final Kafka offset commit failed: ${oneLine(error, this.options.kafka)}`);
      }
      await Promise.allSettled([this.consumer.disconnect(), this.admin.disconnect()]);
    })();
    return this.closing;
  }

  private async next(): Promise<IteratorResult<RawRecord>> {
    for (;;) {
      if (this.stopped) return { done: true, value: undefined }; // closed: what is still queued is read again by the group
      if (this.head < this.queue.length) return { done: false, value: this.take() };
      if (this.failure) throw this.failure;
      if (this.fetchedAll()) return { done: true, value: undefined };
      await new Promise<void>((resolve) => this.dataWaiters.push(resolve));
    }
  }

  private take(): RawRecord {
    const record = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as RawRecord;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    const { topic, partition, offset } = record.origin!;
    const state = this.partition(topic, partition);
    const at = Number(offset);
    state.handedNext = Math.max(state.handedNext, at + 1);
    const last = this.inFlight.at(-1);
    if (
      last &&
      this.inFlight.length > this.inFlightHead &&
      last.state === state &&
      last.lastIndex + 1 === record.index &&
      last.firstOffset + (record.index - last.firstIndex) === at
    ) {
      last.lastIndex = record.index;
    } else {
      this.inFlight.push({ state, firstIndex: record.index, firstOffset: at, lastIndex: record.index });
    }
    // resume a waiting fetch once a quarter of the queue is free, not after every record
    if (this.spaceWaiters.length > 0 && this.buffered <= this.queueSize - Math.ceil(this.queueSize / 4)) {
      const waiters = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const wake of waiters) wake();
    }
    return record;
  }

  /** With `stopAtEnd`: every assigned partition was fetched up to its end offset (so with an empty queue, all handed out). */
  private fetchedAll(): boolean {
    if (!this.options.stopAtEnd || !this.assigned || !this.joinReady) return false;
    return this.assigned.every((s) => Math.max(s.start, s.enqueued + 1, s.scannedNext) >= (s.stopAt ?? Infinity));
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const state = this.partition(batch.topic, batch.partition);
    state.high = Math.max(state.high ?? 0, Number(batch.highWatermark));
    const halt = (): boolean => this.stopped || !isRunning() || isStale();
    for (const message of batch.messages) {
      while (this.buffered >= this.queueSize) {
        if (halt()) return;
        await this.waitForSpace();
        if (halt()) return;
        await heartbeat();
      }
      if (halt()) return;
      this.enqueue(state, batch.topic, batch.partition, message);
      resolveOffset(message.offset);
    }
    // lastOffset also covers control records at the end of a transactional batch
    state.scannedNext = Math.max(state.scannedNext, Number(batch.lastOffset()) + 1);
    this.wake();
  }

  private enqueue(state: PartitionState, topic: string, partition: number, message: KafkaMessage): void {
    const offset = Number(message.offset);
    if (offset <= state.enqueued) return; // refetched after a restart: already handed out
    state.enqueued = offset;
    const origin = { topic, partition, offset: message.offset, key: message.key, value: message.value };
    this.queue.push(
      decodeKafkaMessage(origin, this.nextIndex++, {
        format: this.options.format ?? 'auto',
        ...(this.options.csvColumns ? { csvColumns: this.options.csvColumns } : {}),
        ...(this.options.keyField === undefined ? {} : { keyField: this.options.keyField }),
      }),
    );
    const waiters = this.dataWaiters;
    this.dataWaiters = [];
    for (const wake of waiters) wake();
  }

  private waitForSpace(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, WAIT_SLICE_MS);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.spaceWaiters.push(done);
    });
  }

  /** Wakes everything waiting on a state change. */
  private wake(): void {
    const waiters = [...this.dataWaiters, ...this.spaceWaiters];
    this.dataWaiters = [];
    this.spaceWaiters = [];
    for (const wake of waiters) wake();
  }

  private partition(topic: string, partition: number): PartitionState {
    const key = tp(topic, partition);
    let state = this.partitions.get(key);
    if (!state) {
      state = {
        topic,
        partition,
        enqueued: -1,
        handedNext: -1,
        scannedNext: -1,
        start: -1,
        done: -1,
        committed: -1,
        allowed: -1,
        resumeAt: -1,
      };
      this.partitions.set(key, state);
    }
    return state;
  }

  private listen(): void {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned: PartitionState[] = [];
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) assigned.push(this.partition(topic, partition));
      }
      this.assigned = assigned;
      this.joinReady = false;
      if (!this.seeked) {
        this.seeked = true;
        for (const state of assigned) {
          if (state.resumeAt >= 0) this.consumer.seek({ topic: state.topic, partition: state.partition, offset: String(state.resumeAt) });
        }
      }
      const generation = ++this.joinGeneration;
      this.setStatus({ up: true });
      void this.loadJoinInfo(generation);
    });
    // A crash disconnects (DISCONNECT) and, for retriable errors, restarts the consumer later: it is
    // down from the crash to the next group join. CONNECT is only emitted by the first connect().
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const reason = oneLine(payload.error, this.options.kafka);
      if (payload.restart) {
        this.log?.warn({ groupId: this.options.groupId }, `Kafka consumer crashed, restarting: ${reason}`);
        this.setStatus({ up: false, reason });
        return;
      }
      this.failure ??= new SourceError(
        `Kafka consumer for group "${this.options.groupId}" on ${this.options.kafka.brokers.join(',')} stopped: ${reason}`,
        { cause: payload.error, retriable: false },
      );
      this.setStatus({ up: false, reason });
      this.wake();
    });
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const { topic, partitions } of payload.topics) {
        for (const { partition, offset } of partitions) {
          const state = this.partition(topic, partition);
          state.committed = Math.max(state.committed, Number(String(offset)));
        }
      }
    });
    // Batches of only aborted messages or control records never reach eachBatch: count them as read.
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0) return;
      const state = this.partition(payload.topic, payload.partition);
      state.scannedNext = Math.max(state.scannedNext, Number(payload.lastOffset) + 1);
      state.high = Math.max(state.high ?? 0, Number(payload.highWatermark));
      this.wake();
    });
  }

  /** After a group join: the committed offsets and end offsets of the assigned partitions. */
  private async loadJoinInfo(generation: number): Promise<void> {
    const assigned = this.assigned ?? [];
    const topics = [...new Set(assigned.map((s) => s.topic))];
    try {
      const current = new Set(assigned);
      const [committed, ...ends] = await Promise.all([
        this.admin.fetchOffsets({ groupId: this.options.groupId, topics }),
        ...topics.map((topic) => this.admin.fetchTopicOffsets(topic)),
      ]);
      if (generation !== this.joinGeneration) return;
      const fromBeginning = this.options.fromBeginning ?? true;
      topics.forEach((topic, t) => {
        const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const { partition, low, high } of ends[t] ?? []) {
          const state = this.partitions.get(tp(topic, partition));
          if (!state || !current.has(state)) continue; // not assigned to this member
          const lowOffset = Number(low);
          const highOffset = Number(high);
          const groupOffset = Number(group.find((p) => p.partition === partition)?.offset ?? -1);
          state.stopAt ??= highOffset;
          state.high = Math.max(state.high ?? 0, highOffset);
          state.committed = Math.max(state.committed, groupOffset);
          state.start =
            state.resumeAt >= 0
              ? state.resumeAt
              : groupOffset >= 0
                ? Math.max(groupOffset, lowOffset)
                : fromBeginning
                  ? lowOffset
                  : highOffset;
        }
      });
      this.joinReady = true;
      this.wake();
      this.report();
    } catch (error) {
      if (generation !== this.joinGeneration || this.stopped) return;
      this.log?.warn({ err: error }, `cannot fetch Kafka offsets after the group join; retrying: ${oneLine(error, this.options.kafka)}`);
      setTimeout(() => void this.loadJoinInfo(generation), JOIN_INFO_RETRY_MS).unref();
    }
  }

  /** Assigned partitions allowed to commit past the committed offset (a revoked partition is its new owner's to commit). */
  private pending(): PartitionState[] {
    return (this.assigned ?? []).filter((s) => s.allowed > s.committed);
  }

  /** Queues a commit of every done offset after the commit in flight (commits never overlap). */
  private commit(): Promise<void> {
    const run = (this.commitRunning ?? Promise.resolve()).catch(() => {}).then(() => this.commitPending());
    this.commitRunning = run;
    const clear = (): void => {
      if (this.commitRunning === run) this.commitRunning = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private async commitPending(): Promise<void> {
    this.lastCommitAt = Date.now();
    const offsets = this.pending().map((s) => ({ topic: s.topic, partition: s.partition, offset: String(s.allowed) }));
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
    const missed = offsets.filter((o) => this.partition(o.topic, o.partition).committed < Number(o.offset));
    this.report();
    if (missed.length > 0) {
      throw new SourceError(
        `cannot commit Kafka offsets for group "${this.options.groupId}" (${missed.map((o) => `${o.topic}/${o.partition}@${o.offset}`).join(', ')}): the consumer is not running (restarting after a broker error?); they are committed on the next try`,
        { retriable: true },
      );
    }
  }

  private report(): void {
    const { onPartition } = this.options;
    if (!onPartition || !this.assigned) return;
    for (const s of this.assigned) {
      const position = Math.max(s.start, s.handedNext, 0);
      const end = Math.max(s.high ?? 0, position);
      try {
        onPartition({
          topic: s.topic,
          partition: s.partition,
          position: String(position),
          committed: String(s.committed),
          end: String(end),
          lag: end - position,
        });
      } catch (error) {
        this.log?.warn({ err: error }, 'onPartition callback failed');
      }
    }
  }

  private setStatus(status: KafkaStatus): void {
    if (this.up === status.up) return;
    this.up = status.up;
    try {
      this.options.onStatus?.(status);
    } catch (error) {
      this.log?.warn({ err: error }, 'onStatus callback failed');
    }
  }
}

function validate(options: KafkaSourceOptions): void {
  if (options.topics.length === 0) throw new ConfigError('kafka source: name at least one topic');
  if (options.groupId === '') throw new ConfigError('kafka source: "groupId" must not be empty');
  const { queueSize, commitIntervalMs, reportIntervalMs } = options;
  if (queueSize !== undefined && !(Number.isInteger(queueSize) && queueSize >= 1)) {
    throw new ConfigError(`kafka source: "queueSize" must be an integer >= 1, got ${queueSize}`);
  }
  if (commitIntervalMs !== undefined && !(commitIntervalMs >= 0)) {
    throw new ConfigError(`kafka source: "commitIntervalMs" must be >= 0, got ${commitIntervalMs}`);
  }
  if (options.sessionTimeoutMs !== undefined && !(Number.isInteger(options.sessionTimeoutMs) && options.sessionTimeoutMs >= 3)) {
    throw new ConfigError(`kafka source: "sessionTimeoutMs" must be an integer number of milliseconds, got ${options.sessionTimeoutMs}`);
  }
  if (reportIntervalMs !== undefined && !(reportIntervalMs > 0)) {
    throw new ConfigError(`kafka source: "reportIntervalMs" must be > 0, got ${reportIntervalMs}`);
  }
  if (options.csvColumns && options.csvColumns.length === 0) {
    throw new ConfigError('kafka source: "csvColumns" must name at least one column');
  }
}

function missingTopicError(settings: KafkaSettings, missing: readonly string[]): SourceError {
  const brokers = settings.brokers.join(',');
  const topic = missing[0]!;
  return new SourceError(
    `Kafka topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist on ${brokers}; ` +
      `create it with "streamtune replay <file> --topic ${topic}" or "kafka-topics.sh --bootstrap-server ${settings.brokers[0]} --create --topic ${topic} --partitions 3"`,
    { retriable: false },
  );
}
