import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { SourceError } from '../../errors.js';
import type { RawRecord } from '../../types.js';
import type { BoundedQueue } from './BoundedQueue.js';
import { fetchJoinOffsets } from './fetchJoinOffsets.js';
import { kafkaErrorLine as oneLine } from './kafkaClient.js';
import { describeMembers } from './describeMembers.js';
import { decodeKafkaMessage, type KafkaMessageOptions } from './kafkaMessage.js';
import type { KafkaSourceOptions } from './KafkaSourceOptions.js';
import type { KafkaOffset, OffsetLedger } from './OffsetLedger.js';
import type { TopicPartition } from './PartitionBook.js';
import type { StatusReporter } from './StatusReporter.js';

/** While waiting for queue space inside eachBatch, heartbeat at least this often. */
const WAIT_SLICE_MS = 1000;
/** Retry delay for the offsets fetched after a group join. */
const JOIN_INFO_RETRY_MS = 1000;
/** Longest wait for the group to be stable when a handover asks for its members. */
const MEMBERS_TIMEOUT_MS = 60_000;

/** What a {@link KafkaFetcher} feeds. */
export interface FetcherParts {
  readonly consumer: Consumer;
  readonly admin: Admin;
  readonly queue: BoundedQueue<RawRecord>;
  readonly ledger: OffsetLedger;
  readonly reporter: StatusReporter;
}

/**
 * The consumer side of a `KafkaSource`: turns fetched batches into decoded records in the queue
 * (waiting, heartbeating, while it is full; skipping what the ledger already admitted), and the
 * consumer's events into the ledger: group joins (seek to the resume offsets, then load where
 * each partition starts and ends), commits, empty batches, and crashes (down, or a failure for
 * the reader when kafkajs gives up).
 *
 * @example
 * const fetcher = new KafkaFetcher({ consumer, admin, queue, ledger, reporter }, options);
 * fetcher.listen();
 * await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => fetcher.eachBatch(p) });
 */
export class KafkaFetcher {
  private nextIndex = 0;
  /** This consumer's Kafka member id at its last group join. */
  private memberId: string | undefined;
  private readonly decodeOptions: KafkaMessageOptions;

  constructor(
    private readonly parts: FetcherParts,
    private readonly options: KafkaSourceOptions,
  ) {
    this.decodeOptions = {
      format: options.format ?? 'auto',
      ...(options.csvColumns ? { csvColumns: options.csvColumns } : {}),
      ...(options.keyField === undefined ? {} : { keyField: options.keyField }),
    };
  }

  /** kafkajs `eachBatch`: queues the new messages in order, resolving each offset once queued. */
  async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { queue, ledger } = this.parts;
    const { topic, partition } = batch;
    ledger.watermark(topic, partition, Number(batch.highWatermark));
    const halt = (): boolean => queue.closed || !isRunning() || isStale();
    for (const message of batch.messages) {
      while (queue.full) {
        if (halt()) return;
        await queue.waitForSpace(WAIT_SLICE_MS);
        if (halt()) return;
        await heartbeat();
      }
      if (halt()) return;
      this.enqueue(topic, partition, message);
      resolveOffset(message.offset);
    }
    // lastOffset also covers control records at the end of a transactional batch
    ledger.scanned(topic, partition, Number(batch.lastOffset()) + 1);
    queue.wake();
  }

  /** Subscribes to the consumer's events (before it connects). */
  listen(): void {
    const { consumer, ledger, queue, reporter } = this.parts;
    const { groupId, kafka } = this.options;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = Object.entries(payload.memberAssignment).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
      this.memberId = payload.memberId;
      const { generation, seeks, added, revoked } = ledger.assign(partitions);
      if (this.options.onRebalance) this.holdForHandover(generation, payload.memberId, partitions, added, revoked);
      else for (const seek of seeks) consumer.seek(seek);
      reporter.status({ up: true });
      void this.loadJoinInfo(generation);
    });
    // A crash disconnects (DISCONNECT) and, for retriable errors, restarts the consumer later: it is
    // down from the crash to the next group join. CONNECT is only emitted by the first connect().
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const reason = oneLine(payload.error, kafka);
      if (payload.restart) {
        this.options.logger?.warn({ groupId }, `Kafka consumer crashed, restarting: ${reason}`);
        reporter.status({ up: false, reason });
        // With handovers, the group may give this member's partitions to another before it rejoins:
        // give them up now (queued records dropped, in-flight ones checkpointed); the rejoin takes
        // partitions through the handover again.
        if (this.options.onRebalance && this.memberId !== undefined) {
          const { generation, added, revoked } = ledger.assign([]);
          this.holdForHandover(generation, this.memberId, [], added, revoked);
        }
        return;
      }
      const where = `group "${groupId}" on ${kafka.brokers.join(',')}`;
      queue.fail(new SourceError(`Kafka consumer for ${where} stopped: ${reason}`, { cause: payload.error, retriable: false }));
      reporter.status({ up: false, reason });
    });
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const { topic, partitions } of payload.topics) {
        for (const { partition, offset } of partitions) ledger.committed(topic, partition, Number(String(offset)));
      }
    });
    // Batches of only aborted messages or control records never reach eachBatch: count them as read.
    consumer.on(consumer.events.START_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0) return;
      ledger.scanned(payload.topic, payload.partition, Number(payload.lastOffset) + 1, Number(payload.highWatermark));
      queue.wake();
    });
  }

  private enqueue(topic: string, partition: number, message: KafkaMessage): void {
    if (!this.parts.ledger.owns(topic, partition)) return; // revoked, or held for a handover: read again by its owner
    if (!this.parts.ledger.admit(topic, partition, Number(message.offset))) return; // refetched after a restart: already handed out
    const origin = { topic, partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value };
    this.parts.queue.push(decodeKafkaMessage(origin, this.nextIndex++, this.decodeOptions));
  }

  /** After a group join: the committed offsets and end offsets of the assigned partitions (retried until a later join). */
  private async loadJoinInfo(generation: number): Promise<void> {
    const { admin, ledger, queue, reporter } = this.parts;
    try {
      const offsets = await fetchJoinOffsets(admin, this.options.groupId, ledger.assignedTopics());
      if (!ledger.joined(generation, offsets, this.options.fromBeginning ?? true)) return;
      queue.wake();
      reporter.report();
    } catch (error) {
      if (generation !== ledger.generation || queue.closed) return;
      this.options.logger?.warn(
        { err: error },
        `cannot fetch Kafka offsets after the group join; retrying: ${oneLine(error, this.options.kafka)}`,
      );
      setTimeout(() => void this.loadJoinInfo(generation), JOIN_INFO_RETRY_MS).unref();
    }
  }

  /**
   * A join with handovers (`onRebalance`): pauses the added partitions, drops the queued records
   * of the revoked ones (their next owner reads them), then lets the listener settle where the
   * added ones start (docs/scale-out.md, "Handing partitions over").
   */
  private holdForHandover(generation: number, memberId: string, assignment: TopicPartition[], added: readonly TopicPartition[], revoked: readonly TopicPartition[]): void {
    const { consumer, ledger, queue } = this.parts;
    ledger.hold(added);
    if (added.length > 0) consumer.pause(byTopic(added));
    const gone = new Set(revoked.map((p) => `${p.topic}/${p.partition}`));
    if (gone.size > 0) queue.removeWhere((r) => r.origin !== undefined && gone.has(`${r.origin.topic}/${r.origin.partition}`));
    ledger.dropped(revoked);
    void this.handOver(generation, { memberId, assignment, added, revoked, handedThrough: ledger.handedThrough });
  }

  /** Asks the listener where the added partitions start, seeks them to the higher of that and the group's offset, and resumes them. */
  private async handOver(generation: number, join: { memberId: string; assignment: TopicPartition[]; added: readonly TopicPartition[]; revoked: readonly TopicPartition[]; handedThrough: number }): Promise<void> {
    const { consumer, admin, ledger, queue } = this.parts;
    const { groupId, logger } = this.options;
    const stale = (): boolean => ledger.generation !== generation || queue.closed;
    let fromState: readonly KafkaOffset[] = [];
    try {
      fromState = await this.options.onRebalance!({
        ...join,
        generation,
        currentHandedThrough: () => ledger.handedThrough,
        members: () => describeMembers(admin, groupId, MEMBERS_TIMEOUT_MS),
        stale,
      });
    } catch (error) {
      if (stale()) return;
      logger?.warn({ err: error }, `partition handover incomplete, starting the new partitions at the group's offsets: ${(error as Error).message}`);
    }
    if (stale() || join.added.length === 0) return;
    let committed: { topic: string; partition: number; committed: string }[] = [];
    for (;;) {
      try {
        committed = await fetchJoinOffsets(admin, groupId, [...new Set(join.added.map((p) => p.topic))]);
        break;
      } catch (error) {
        if (stale()) return;
        logger?.warn({ err: error }, `cannot fetch the group's offsets for the handover; retrying: ${oneLine(error, this.options.kafka)}`);
        await new Promise((resolve) => setTimeout(resolve, JOIN_INFO_RETRY_MS));
      }
    }
    if (stale()) return;
    for (const { topic, partition } of join.added) {
      const offsets = [
        Number(committed.find((c) => c.topic === topic && c.partition === partition)?.committed ?? -1),
        ...fromState.filter((o) => o.topic === topic && o.partition === partition).map((o) => Number(o.offset)),
        ledger.doneNext(topic, partition),
      ];
      const start = Math.max(...offsets);
      if (start >= 0) consumer.seek({ topic, partition, offset: String(start) });
      ledger.settle(topic, partition, start >= 0 ? start : undefined);
    }
    logger?.info({ added: join.added, revoked: join.revoked }, `took over ${join.added.length} partition(s), gave up ${join.revoked.length}`);
    consumer.resume(byTopic(join.added));
    queue.wake();
  }
}

/** Partitions grouped by topic, as kafkajs pause/resume take them. */
function byTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition]);
  return [...topics].map(([topic, ps]) => ({ topic, partitions: ps }));
}
