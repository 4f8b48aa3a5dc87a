import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.js';
import { BoundedQueue } from '../../../src/sources/kafka/BoundedQueue.js';
import { KafkaFetcher } from '../../../src/sources/kafka/KafkaFetcher.js';
import type { KafkaStatus } from '../../../src/sources/kafka/KafkaSourceOptions.js';
import { OffsetLedger, type KafkaOffset } from '../../../src/sources/kafka/OffsetLedger.js';
import { StatusReporter } from '../../../src/sources/kafka/StatusReporter.js';
import type { RawRecord } from '../../../src/types.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Just enough of a kafkajs consumer and admin: events the test emits, seeks and offsets it records. */
function fakeKafka(ends: Record<number, string> = { 0: '3' }) {
  const handlers = new Map<string, (event: { payload: unknown }) => void>();
  const seeks: KafkaOffset[] = [];
  const consumer = {
    events: { GROUP_JOIN: 'join', CRASH: 'crash', COMMIT_OFFSETS: 'commit', START_BATCH_PROCESS: 'start' },
    on: (name: string, handler: (event: { payload: unknown }) => void) => handlers.set(name, handler),
    seek: (seek: KafkaOffset) => seeks.push(seek),
  } as unknown as Consumer;
  const admin = {
    fetchOffsets: async () => [{ topic: 't', partitions: Object.keys(ends).map((p) => ({ partition: Number(p), offset: '-1' })) }],
    fetchTopicOffsets: async () => Object.entries(ends).map(([p, high]) => ({ partition: Number(p), low: '0', high, offset: high })),
  } as unknown as Admin;
  const emit = (name: string, payload: unknown): void => handlers.get(name)!({ payload });
  return { consumer, admin, seeks, emit };
}

function setup(options: { queueSize?: number; startOffsets?: KafkaOffset[]; ends?: Record<number, string> } = {}) {
  const kafka = fakeKafka(options.ends);
  const queue = new BoundedQueue<RawRecord>(options.queueSize ?? 100);
  const ledger = new OffsetLedger(options.startOffsets);
  const statuses: KafkaStatus[] = [];
  const reporter = new StatusReporter(() => ledger.statuses(), { onStatus: (s) => statuses.push(s) });
  const fetcher = new KafkaFetcher(
    { consumer: kafka.consumer, admin: kafka.admin, queue, ledger, reporter },
    { kafka: { brokers: ['b:9092'] }, topics: ['t'], groupId: 'g' },
  );
  fetcher.listen();
  return { ...kafka, queue, ledger, statuses, fetcher };
}

/** A batch of JSON messages at these offsets, recording resolved offsets and heartbeats. */
function batch(partition: number, offsets: readonly number[], flags: { stale?: boolean } = {}) {
  const resolved: string[] = [];
  let heartbeats = 0;
  const payload = {
    batch: {
      topic: 't',
      partition,
      highWatermark: String(Math.max(...offsets) + 1),
      messages: offsets.map((o) => ({ offset: String(o), key: null, value: Buffer.from(`{"x":${o}}`) })),
      lastOffset: () => String(Math.max(...offsets)),
    },
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat: async () => void heartbeats++,
    isRunning: () => true,
    isStale: () => flags.stale === true,
  } as unknown as EachBatchPayload;
  return { payload, resolved, heartbeats: () => heartbeats };
}

const taken = (queue: BoundedQueue<RawRecord>): string[] => {
  const out: string[] = [];
  for (let r = queue.shift(); r !== undefined; r = queue.shift()) out.push(`${r.index}:${r.position}`);
  return out;
};

describe('KafkaFetcher', () => {
  it('seeks to the resume offsets at the first join, reports up, and loads where each partition starts and ends', async () => {
    const { emit, seeks, ledger, statuses } = setup({ startOffsets: [{ topic: 't', partition: 0, offset: '2' }] });
    emit('join', { memberAssignment: { t: [0] } });
    expect(seeks).toEqual([{ topic: 't', partition: 0, offset: '2' }]);
    expect(statuses).toEqual([{ up: true }]);
    await settle();
    expect(ledger.joinReady).toBe(true);
    expect(ledger.statuses()).toEqual([{ topic: 't', partition: 0, position: '2', committed: '-1', end: '3', lag: 1 }]);
  });

  it('queues each new message once, decoded with a global index, and resolves its offset', async () => {
    const { emit, fetcher, queue } = setup();
    emit('join', { memberAssignment: { t: [0, 1] } });
    const first = batch(0, [0, 1, 2]);
    await fetcher.eachBatch(first.payload);
    await fetcher.eachBatch(batch(1, [0]).payload);
    const again = batch(0, [1, 2, 3]); // refetched after a restart from offset 1
    await fetcher.eachBatch(again.payload);
    expect(first.resolved).toEqual(['0', '1', '2']);
    expect(again.resolved).toEqual(['1', '2', '3']);
    expect(taken(queue)).toEqual(['0:t/0@0', '1:t/0@1', '2:t/0@2', '3:t/1@0', '4:t/0@3']);
  });

  it('waits while the queue is full, then goes on when the reader frees a quarter', async () => {
    const { emit, fetcher, queue } = setup({ queueSize: 4 });
    emit('join', { memberAssignment: { t: [0] } });
    await settle(); // the join's offsets are loaded (that wakes every waiter)
    const b = batch(0, [0, 1, 2, 3, 4, 5]);
    const running = fetcher.eachBatch(b.payload);
    await settle();
    expect(queue.size).toBe(4);
    expect(b.resolved).toEqual(['0', '1', '2', '3']); // the rest is not resolved: fetched again if the batch is dropped
    expect(b.heartbeats()).toBe(0);
    queue.shift();
    await settle();
    expect(b.heartbeats()).toBe(1); // heartbeats between waits
    expect(queue.size).toBe(4);
    queue.shift();
    queue.shift();
    await running;
    expect(b.resolved).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('drops the rest of a batch that went stale or when the queue closes', async () => {
    const { emit, fetcher, queue } = setup({ queueSize: 2 });
    emit('join', { memberAssignment: { t: [0] } });
    const stale = batch(0, [0, 1], { stale: true });
    await fetcher.eachBatch(stale.payload);
    expect(stale.resolved).toEqual([]);
    const b = batch(0, [0, 1, 2, 3]);
    const running = fetcher.eachBatch(b.payload);
    await settle();
    queue.close();
    await running;
    expect(b.resolved).toEqual(['0', '1']);
  });

  it('counts batches of only control records as read, so stop-at-end can complete', async () => {
    const { emit, ledger } = setup({ ends: { 0: '5' } });
    emit('join', { memberAssignment: { t: [0] } });
    await settle();
    expect(ledger.reachedEnd()).toBe(false);
    emit('start', { topic: 't', partition: 0, batchSize: 0, lastOffset: '4', highWatermark: '5' });
    expect(ledger.reachedEnd()).toBe(true);
  });

  it('records confirmed commits in the ledger', async () => {
    const { emit, ledger } = setup({ startOffsets: [{ topic: 't', partition: 0, offset: '3' }] });
    emit('join', { memberAssignment: { t: [0] } });
    ledger.allow(ledger.positions());
    expect(ledger.pending()).toEqual([{ topic: 't', partition: 0, offset: '3' }]);
    emit('commit', { topics: [{ topic: 't', partitions: [{ partition: 0, offset: '3' }] }] });
    expect(ledger.pending()).toEqual([]);
  });

  it('reports a restarting crash as down, and one kafkajs gives up on as a failure for the reader', async () => {
    const { emit, queue, statuses } = setup();
    emit('join', { memberAssignment: { t: [0] } });
    emit('crash', { error: new Error('connection lost'), restart: true });
    expect(statuses).toEqual([{ up: true }, { up: false, reason: 'connection lost' }]);
    expect(queue.failure).toBeUndefined();
    emit('join', { memberAssignment: { t: [0] } });
    emit('crash', { error: new Error('not authorized'), restart: false });
    await expect(queue.take()).rejects.toThrow(SourceError);
    await expect(queue.take()).rejects.toThrow(/group "g" on b:9092 stopped: not authorized/);
    expect(statuses.at(-1)).toEqual({ up: false, reason: 'not authorized' });
  });
});
