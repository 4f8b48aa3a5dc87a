import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';
import { HandoverDirectory } from '../../src/checkpoint/HandoverDirectory.js';
import type { GroupMember, Rebalance } from '../../src/sources/kafka/Rebalance.js';
import type { TopicPartition } from '../../src/sources/kafka/PartitionBook.js';
import { Handover } from '../../src/training/Handover.js';

// The trainer's side of the handover protocol (docs/scale-out.md) against a real shared checkpoint root.

const roots: string[] = [];
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const tp = (partition: number): TopicPartition => ({ topic: 't', partition });

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function root(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamtune-handover-'));
  roots.push(dir);
  return dir;
}

function rebalance(over: Omit<Partial<Rebalance>, 'members'> & { members?: GroupMember[] }): Rebalance {
  const { members = [], ...rest } = over;
  return {
    generation: 1,
    memberId: 'k-self',
    assignment: [],
    added: [],
    revoked: [],
    handedThrough: -1,
    currentHandedThrough: () => over.handedThrough ?? -1,
    members: async () => members,
    stale: () => false,
    ...rest,
  };
}

/** A checkpoint of group `g` whose Kafka positions are `offsets` (partition → next offset). */
async function checkpointAt(dir: string, offsets: Record<number, number>): Promise<void> {
  const positions = { kind: 'kafka' as const, group: 'g', offsets: Object.entries(offsets).map(([p, o]) => ({ topic: 't', partition: Number(p), offset: String(o) })) };
  const records = { total: 0, trained: 0, holdout: 0, rejected: 0, rejectedByReason: {} };
  await new CheckpointStore({ dir }).save({
    format: 1, createdAt: new Date().toISOString(), configHash: 'h', configSummary: { task: 'binary', label: 'y', features: ['x'], classes: 2, layers: [] },
    records, hyperParams: { learningRate: 0.1, l2: 0 }, positions, state: { trainer: {}, scaler: {}, evaluator: {} },
  } as never);
}

describe('Handover', () => {
  it('starts added partitions at the furthest durable offset over every member, and declares its assignment', async () => {
    const shared = root();
    await checkpointAt(join(shared, 'm1'), { 0: 500, 1: 40 });
    await checkpointAt(join(shared, 'm2'), { 0: 700, 2: 90 });
    const handover = new Handover(new HandoverDirectory(shared, 'm3'), 'g', log);
    const starts = await handover.listener(rebalance({ assignment: [tp(0), tp(2)], added: [tp(0), tp(2)] }));
    const byPartition = Object.fromEntries(starts.map((o) => [o.partition, o.offset]));
    expect(byPartition).toMatchObject({ 0: '700', 2: '90' });
    const markers = await new HandoverDirectory(shared, 'x').markers();
    expect(markers).toEqual([{ member: 'm3', kafkaMemberId: 'k-self', assignment: [tp(0), tp(2)] }]);
  });

  it('waits for every other live member to declare its current assignment before starting added partitions', async () => {
    const shared = root();
    const handover = new Handover(new HandoverDirectory(shared, 'm1'), 'g', log);
    const peer = new HandoverDirectory(shared, 'm2');
    await peer.writeMarker('k-peer', [tp(0), tp(1)], 1); // its marker for the previous join
    let settled = false;
    const done = handover
      .listener(rebalance({ assignment: [tp(1)], added: [tp(1)], members: [{ memberId: 'k-self', assignment: [tp(1)] }, { memberId: 'k-peer', assignment: [tp(0)] }] }))
      .then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(settled).toBe(false); // the peer still claims partition 1
    await peer.writeMarker('k-peer', [tp(0)], 2);
    await done;
    expect(settled).toBe(true);
  });

  it('a member that revoked partitions checkpoints once the records handed out before the join are learned', async () => {
    const shared = root();
    const handover = new Handover(new HandoverDirectory(shared, 'm1'), 'g', log);
    const checkpoints: number[] = [];
    handover.attach(async (through) => {
      checkpoints.push(through);
      return true;
    });
    handover.progress(9);
    let handed = 15;
    const done = handover.listener(rebalance({ assignment: [tp(0)], revoked: [tp(1)], handedThrough: 15, currentHandedThrough: () => handed }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(checkpoints).toEqual([]); // records 10..15 are still in flight
    expect(await new HandoverDirectory(shared, 'x').markers()).toEqual([]); // not declared before its checkpoint
    handed = 31;
    handover.progress(12);
    expect(checkpoints).toEqual([]);
    handover.progress(31);
    await done;
    expect(checkpoints).toEqual([31]);
    expect((await new HandoverDirectory(shared, 'x').markers()).map((m) => m.assignment)).toEqual([[tp(0)]]);
  });

  it('with nothing in flight the revoking member checkpoints at once', async () => {
    const handover = new Handover(new HandoverDirectory(root(), 'm1'), 'g', log);
    const checkpoints: number[] = [];
    handover.attach(async (through) => (checkpoints.push(through), true));
    handover.progress(40);
    await handover.listener(rebalance({ assignment: [], revoked: [tp(0)], handedThrough: 40 }));
    expect(checkpoints).toEqual([40]);
  });

  it('a marker for an older join never overwrites a newer one, even when its write comes later', async () => {
    const board = new HandoverDirectory(root(), 'm1');
    await Promise.all([board.writeMarker('k2', [tp(1)], 2), board.writeMarker('k1', [tp(0), tp(1)], 1)]);
    expect(await board.markers()).toEqual([{ member: 'm1', kafkaMemberId: 'k2', assignment: [tp(1)] }]);
  });

  it('a join that is already stale declares nothing', async () => {
    const shared = root();
    const handover = new Handover(new HandoverDirectory(shared, 'm1'), 'g', log);
    expect(await handover.listener(rebalance({ assignment: [tp(0)], added: [tp(0)], stale: () => true }))).toEqual([]);
    expect(await new HandoverDirectory(shared, 'x').markers()).toEqual([]);
  });
});
