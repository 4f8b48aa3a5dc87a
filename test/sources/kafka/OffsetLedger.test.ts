import { describe, expect, it } from 'vitest';
import { OffsetLedger, type KafkaOffset } from '../../../src/sources/kafka/OffsetLedger.js';
import { seededRandom } from '../../support/seededRandom.js';

// The exactly-once promise of the Kafka source, stated as the ledger's rules: every (partition,
// offset) is handed out once, and the group's committed offset never passes a record not yet done.

const at = (topic: string, partition: number, offset: number): KafkaOffset => ({ topic, partition, offset: String(offset) });

/** A ledger fed like the fetcher and the reader do: admit, then hand out in index order. */
class Feed {
  next = 0;
  readonly handed: Array<{ index: number; topic: string; partition: number; offset: number }> = [];
  constructor(readonly ledger: OffsetLedger) {}

  /** Fetches these offsets of a partition; returns the ones handed out (not refetches). */
  fetch(topic: string, partition: number, offsets: readonly number[]): number[] {
    const handed: number[] = [];
    for (const offset of offsets) {
      if (!this.ledger.admit(topic, partition, offset)) continue;
      const index = this.next++;
      this.ledger.handOut(index, topic, partition, offset);
      this.handed.push({ index, topic, partition, offset });
      handed.push(offset);
    }
    return handed;
  }
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('OffsetLedger', () => {
  it('never commits past a record not yet done, whatever is allowed', () => {
    const ledger = new OffsetLedger();
    ledger.assign([{ topic: 't', partition: 0 }]);
    const feed = new Feed(ledger);
    feed.fetch('t', 0, range(10, 15)); // indexes 0..4
    expect(ledger.pending()).toEqual([]);
    ledger.markDone(2); // offsets 10, 11, 12
    expect(ledger.positions()).toEqual([at('t', 0, 13)]);
    ledger.allow([at('t', 0, 100)]); // a caller asking for more than is done
    expect(ledger.pending()).toEqual([at('t', 0, 13)]);
    ledger.markDone(4);
    expect(ledger.pending()).toEqual([at('t', 0, 13)]); // done is not allowed: the caller allows (after its checkpoint)
    ledger.allow(ledger.positions());
    expect(ledger.pending()).toEqual([at('t', 0, 15)]);
  });

  it('marks done by index across interleaved partitions: each partition up to its last record at or before the index', () => {
    const ledger = new OffsetLedger();
    ledger.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    const feed = new Feed(ledger);
    const rand = seededRandom(11);
    const next = [0, 0];
    for (let i = 0; i < 200; i++) {
      const p = rand() < 0.5 ? 0 : 1;
      feed.fetch('t', p, [next[p]!++]);
    }
    for (const index of [0, 17, 18, 99, 150, 199]) {
      ledger.markDone(index);
      for (const p of [0, 1]) {
        const done = feed.handed.filter((h) => h.partition === p && h.index <= index);
        const expected = done.length === 0 ? undefined : at('t', p, done.at(-1)!.offset + 1);
        expect(ledger.positions().find((o) => o.partition === p)).toEqual(expected);
      }
    }
  });

  it('ignores done marks that go back, and a mark past the handed-out records covers only those', () => {
    const ledger = new OffsetLedger();
    ledger.assign([{ topic: 't', partition: 0 }]);
    const feed = new Feed(ledger);
    feed.fetch('t', 0, range(0, 5));
    ledger.markDone(3);
    ledger.markDone(1); // late, out-of-order mark
    expect(ledger.positions()).toEqual([at('t', 0, 4)]);
    ledger.markDone(1000); // more than was handed out
    expect(ledger.positions()).toEqual([at('t', 0, 5)]);
    feed.fetch('t', 0, range(5, 8)); // handed out after the mark: not done
    expect(ledger.positions()).toEqual([at('t', 0, 5)]);
    ledger.allow([at('t', 0, 8)]);
    expect(ledger.pending()).toEqual([at('t', 0, 5)]);
    ledger.markDone(7);
    expect(ledger.positions()).toEqual([at('t', 0, 8)]);
  });

  it('hands out each offset once: a refetch after a consumer restart from the committed offset is skipped', () => {
    const ledger = new OffsetLedger();
    ledger.assign([{ topic: 't', partition: 0 }]);
    const feed = new Feed(ledger);
    expect(feed.fetch('t', 0, range(0, 10))).toEqual(range(0, 10));
    ledger.markDone(3);
    ledger.allow(ledger.positions());
    ledger.committed('t', 0, 4);
    // the broker went away; kafkajs restarts the consumer from the committed offset 4
    expect(feed.fetch('t', 0, range(4, 14))).toEqual(range(10, 14));
    expect(feed.handed.map((h) => h.offset)).toEqual(range(0, 14));
  });

  it('commits only the partitions assigned now: a revoked partition is its new owner to commit, until it comes back', () => {
    const ledger = new OffsetLedger();
    ledger.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    const feed = new Feed(ledger);
    feed.fetch('t', 0, range(0, 3)); // indexes 0..2
    feed.fetch('t', 1, range(0, 3)); // indexes 3..5
    ledger.markDone(5);
    ledger.allow(ledger.positions());
    expect(ledger.pending()).toEqual([at('t', 0, 3), at('t', 1, 3)]);

    ledger.assign([{ topic: 't', partition: 1 }]); // rebalance: partition 0 revoked
    expect(ledger.pending()).toEqual([at('t', 1, 3)]);
    ledger.committed('t', 1, 3);
    expect(ledger.pending()).toEqual([]);
    expect(ledger.positions()).toEqual([at('t', 0, 3), at('t', 1, 3)]); // a checkpoint still knows both

    // the other member read partition 0 on to 6 and committed; it comes back to this member
    ledger.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    ledger.committed('t', 0, 6);
    expect(ledger.pending()).toEqual([]); // never commits backwards
    expect(feed.fetch('t', 0, range(6, 9))).toEqual(range(6, 9));
    ledger.markDone(feed.next - 1);
    ledger.allow(ledger.positions());
    expect(ledger.pending()).toEqual([at('t', 0, 9)]);
  });

  it('a re-assigned partition that was not committed by its other owner skips what this member handed out', () => {
    const ledger = new OffsetLedger();
    ledger.assign([{ topic: 't', partition: 0 }]);
    const feed = new Feed(ledger);
    feed.fetch('t', 0, range(0, 5));
    ledger.assign([]);
    ledger.assign([{ topic: 't', partition: 0 }]);
    expect(feed.fetch('t', 0, range(0, 7))).toEqual([5, 6]); // the group starts again at 0: 0..4 were handed out already
  });

  it('restarts from stored positions: seeks there at the first join only, hands out nothing before, and may commit them', () => {
    const ledger = new OffsetLedger([at('t', 0, 10), at('t', 1, 4)]);
    expect(ledger.positions()).toEqual([at('t', 0, 10), at('t', 1, 4)]); // a checkpoint taken now stores the same
    const first = ledger.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
    ]);
    expect(first.seeks).toEqual([at('t', 0, 10)]);
    expect(ledger.assign([{ topic: 't', partition: 1 }]).seeks).toEqual([]);

    const feed = new Feed(ledger);
    expect(feed.fetch('t', 1, range(0, 7))).toEqual([4, 5, 6]); // the group had committed less than the checkpoint
    ledger.allow(ledger.positions()); // the resumed checkpoint is durable
    expect(ledger.pending()).toEqual([at('t', 1, 4)]);
    ledger.markDone(0);
    ledger.allow(ledger.positions());
    expect(ledger.pending()).toEqual([at('t', 1, 5)]);
  });

  it('allows nothing for a partition it has no position for', () => {
    const ledger = new OffsetLedger();
    ledger.assign([{ topic: 't', partition: 0 }]);
    ledger.allow([at('t', 0, 7)]);
    expect(ledger.pending()).toEqual([]);
  });

  it('tells which committed offsets were confirmed', () => {
    const ledger = new OffsetLedger([at('t', 0, 5), at('t', 1, 5)]);
    ledger.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    ledger.allow(ledger.positions());
    const offsets = ledger.pending();
    ledger.committed('t', 0, 5); // only partition 0 confirmed (the consumer was restarting)
    expect(ledger.unconfirmed(offsets)).toEqual([at('t', 1, 5)]);
    expect(ledger.pending()).toEqual([at('t', 1, 5)]);
  });

  it('starts each partition at the resume offset, else the group offset, else the earliest or latest', () => {
    const join = (fromBeginning: boolean, resume: KafkaOffset[] = []) => {
      const ledger = new OffsetLedger(resume);
      const { generation } = ledger.assign([0, 1, 2].map((partition) => ({ topic: 't', partition })));
      ledger.joined(
        generation,
        [
          { topic: 't', partition: 0, low: '5', high: '50', committed: '20' },
          { topic: 't', partition: 1, low: '5', high: '50', committed: '-1' },
          { topic: 't', partition: 2, low: '30', high: '50', committed: '10' }, // committed offset deleted by retention
        ],
        fromBeginning,
      );
      return ledger.statuses().map((s) => s.position);
    };
    expect(join(true)).toEqual(['20', '5', '30']);
    expect(join(false)).toEqual(['20', '50', '30']);
    expect(join(true, [at('t', 0, 42)])).toEqual(['42', '5', '30']);
  });

  it('ignores the offsets of a join that another join replaced, and partitions not assigned to it', () => {
    const ledger = new OffsetLedger();
    const old = ledger.assign([{ topic: 't', partition: 0 }]).generation;
    const now = ledger.assign([{ topic: 't', partition: 1 }]).generation;
    const offsets = [0, 1].map((partition) => ({ topic: 't', partition, low: '0', high: '9', committed: '3' }));
    expect(ledger.joined(old, offsets, true)).toBe(false);
    expect(ledger.joinReady).toBe(false);
    expect(ledger.joined(now, offsets, true)).toBe(true);
    expect(ledger.joinReady).toBe(true);
    expect(ledger.statuses()).toEqual([{ topic: 't', partition: 1, position: '3', committed: '3', end: '9', lag: 6 }]);
    ledger.allow([at('t', 0, 3)]);
    expect(ledger.pending()).toEqual([]);
  });

  it('reaches the end at the first join end offsets, counting batches of control records', () => {
    const ledger = new OffsetLedger();
    const { generation } = ledger.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    expect(ledger.reachedEnd()).toBe(false); // offsets not loaded yet
    ledger.joined(
      generation,
      [
        { topic: 't', partition: 0, low: '0', high: '3', committed: '-1' },
        { topic: 't', partition: 1, low: '0', high: '2', committed: '2' },
      ],
      true,
    );
    expect(ledger.reachedEnd()).toBe(false);
    const feed = new Feed(ledger);
    feed.fetch('t', 0, [0, 1]);
    expect(ledger.reachedEnd()).toBe(false);
    ledger.scanned('t', 0, 3, 7); // offset 2 was a transaction marker; more was produced since (high 7)
    expect(ledger.reachedEnd()).toBe(true); // partition 1 starts at its end
    expect(ledger.statuses()).toEqual([
      { topic: 't', partition: 0, position: '2', committed: '-1', end: '7', lag: 5 },
      { topic: 't', partition: 1, position: '2', committed: '2', end: '2', lag: 0 },
    ]);
    const again = ledger.assign([{ topic: 't', partition: 0 }]).generation; // a later join does not move the end
    ledger.joined(again, [{ topic: 't', partition: 0, low: '0', high: '7', committed: '-1' }], true);
    expect(ledger.reachedEnd()).toBe(true);
  });

  it('keeps every record of a long random run exactly once, with positions that only grow', () => {
    const rand = seededRandom(2024);
    const ledger = new OffsetLedger();
    ledger.assign([0, 1, 2].map((partition) => ({ topic: 't', partition })));
    const feed = new Feed(ledger);
    const fetched = [0, 0, 0];
    let previous = new Map<number, number>();
    for (let step = 0; step < 3000; step++) {
      const p = Math.floor(rand() * 3);
      // a fetch sometimes starts again a little before what was fetched (a restart from an older commit)
      const from = Math.max(0, fetched[p]! - (rand() < 0.1 ? Math.floor(rand() * 5) : 0));
      const to = from + 1 + Math.floor(rand() * 4);
      feed.fetch('t', p, range(from, to));
      fetched[p] = Math.max(fetched[p]!, to);
      if (rand() < 0.3) ledger.markDone(Math.floor(rand() * feed.next));
      const now = new Map(ledger.positions().map((o) => [o.partition, Number(o.offset)]));
      for (const [partition, offset] of previous) expect(now.get(partition)!).toBeGreaterThanOrEqual(offset);
      previous = now;
    }
    for (const p of [0, 1, 2]) {
      expect(feed.handed.filter((h) => h.partition === p).map((h) => h.offset)).toEqual(range(0, fetched[p]!));
    }
  });
});
