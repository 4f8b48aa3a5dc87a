import { describe, expect, it } from 'vitest';
import { PendingLabels, type PendingEvent } from '../../src/records/PendingLabels.js';

type Ev = PendingEvent<string, number>;
const kinds = (events: Ev[]): string[] => events.map((e) => `${e.kind}:${e.key}`);
const id = <T>(x: T): T => x;
const F = 'f/0';
const L = 'l/0';

describe('PendingLabels', () => {
  it('joins a record with the label that comes later, reporting the delay in records and ms', () => {
    const p = new PendingLabels<string, number>({ maxPending: 10 });
    expect(p.record('a', 'A', 1000, F)).toEqual([]);
    expect(p.record('b', 'B', 2000, F)).toEqual([]);
    expect(p.record('c', 'C', 3000, F)).toEqual([]);
    expect(p.size).toBe(3);
    const [joined] = p.label('a', 1, 4500, L);
    expect(joined).toEqual({ kind: 'joined', key: 'a', record: 'A', label: 1, delayRecords: 2, delayMs: 3500 });
    expect(p.size).toBe(2);
  });

  it('holds a label that comes before its record, and joins it when the record arrives', () => {
    const p = new PendingLabels<string, number>({ maxPending: 10 });
    p.record('other', 'O', 1, F);
    expect(p.label('x', 0, 10, L)).toEqual([]);
    expect(p.earlyLabels).toBe(1);
    expect(kinds(p.record('x', 'X', 5, F))).toEqual(['joined:x']);
    expect(p.earlyLabels).toBe(0);
  });

  it('tells duplicates: a second label after the join, or a second early label', () => {
    const p = new PendingLabels<string, number>({ maxPending: 10 });
    p.record('a', 'A', 0, F);
    p.label('a', 1, 0, L);
    expect(kinds(p.label('a', 1, 0, L))).toEqual(['duplicate:a']);
    p.label('z', 1, 5, L);
    expect(kinds(p.label('z', 0, 5, L))).toEqual(['duplicate:z']);
  });

  it('expires a record once every labels lane is past the time of the record ttlRecords after it on its lane; its late label is an orphan', () => {
    const p = new PendingLabels<string, number>({ ttlRecords: 3, maxPending: 100 });
    for (let i = 0; i < 6; i++) p.record(`k${i}`, `R${i}`, i * 10, F);
    // k0's label never comes; its deadline is k3's time (30).
    expect(kinds(p.label('k1', 1, 30, L))).toEqual(['joined:k1']);
    expect(kinds(p.label('k2', 1, 30, L))).toEqual(['joined:k2']);
    const events = p.label('k3', 1, 31, L);
    expect(kinds(events)).toEqual(['joined:k3', 'expired:k0']);
    expect(events[1]?.kind === 'expired' && events[1].why).toMatch(/3 records/);
    expect(kinds(p.label('k0', 1, 40, L))).toEqual(['orphan:k0']);
  });

  it('expires a record when its deadline becomes known after the labels have passed it (labels read ahead)', () => {
    const p = new PendingLabels<string, number>({ ttlRecords: 2, maxPending: 100 });
    p.record('a', 'A', 0, F);
    p.label('z', 1, 100, L); // the labels are far ahead; a's deadline is not known yet
    p.record('b', 'B', 10, F);
    expect(kinds(p.record('c', 'C', 20, F))).toEqual(['expired:a']);
  });

  it('waits for the slowest labels lane before expiring anything', () => {
    const p = new PendingLabels<string, number>({ ttlSeconds: 1, maxPending: 100 });
    p.record('a', 'A', 0, F);
    p.record('b', 'B', 0, F);
    p.label('b', 1, 0, 'l/1'); // lane l/1 seen, still at time 0
    expect(kinds(p.label('x', 1, 5000, 'l/0'))).toEqual([]); // an early label, far ahead on l/0
    expect(p.size).toBe(1);
    expect(kinds(p.label('y', 1, 5000, 'l/1'))).toEqual(['expired:a']);
  });

  it('does not expire records nor orphan labels when one topic or partition is read far ahead of the other', () => {
    const p = new PendingLabels<string, number>({ ttlRecords: 2, maxPending: 10_000 });
    // Partition 1's records first, all labels next (those of partition 0 are early), partition 0's records last.
    const lane = (i: number): string => `f/${i % 2}`;
    p.record('k0', 'R0', 0, lane(0)); // both partitions have delivered something
    for (let i = 1; i < 1000; i += 2) expect(p.record(`k${i}`, `R${i}`, i, lane(i))).toEqual([]);
    const events: string[] = [];
    for (let i = 0; i < 1000; i++) events.push(...kinds(p.label(`k${i}`, 1, i + 3, 'l/0')));
    for (let i = 2; i < 1000; i += 2) events.push(...kinds(p.record(`k${i}`, `R${i}`, i, lane(i))));
    expect(events.filter((e) => !e.startsWith('joined'))).toEqual([]);
    expect(events.length).toBe(1000);
    expect(p.size + p.earlyLabels).toBe(0);
  });

  it('orphans an early label once every records lane is past its time and the labels past its TTL', () => {
    const p = new PendingLabels<string, number>({ ttlSeconds: 1, maxPending: 100 });
    p.record('a', 'A', 0, 'f/0');
    p.record('b', 'B', 0, 'f/1');
    p.label('a', 1, 1, L);
    p.label('b', 1, 1, L);
    expect(p.label('ghost', 1, 10, L)).toEqual([]);
    expect(p.label('c', 1, 2000, L)).toEqual([]); // the labels are past its TTL, but no records lane past its time
    expect(p.record('c', 'C', 20, 'f/0').map((e) => e.kind)).toEqual(['joined']); // f/1 is still at 0: its record could come
    expect(kinds(p.record('d', 'D', 1500, 'f/1'))).toEqual(['orphan:ghost']);
  });

  it('holds expiry and orphans back until every expected lane has delivered (a partition read late at start)', () => {
    const p = new PendingLabels<string, number>({ ttlRecords: 2, maxPending: 1000 });
    p.expectLanes(['f/0', 'f/1'], [L]);
    const events: string[] = [];
    for (let i = 0; i < 100; i += 2) events.push(...kinds(p.record(`k${i}`, 'R', i, 'f/0')));
    for (let i = 0; i < 100; i++) events.push(...kinds(p.label(`k${i}`, 1, i + 1, L))); // f/1's labels come first
    for (let i = 1; i < 100; i += 2) events.push(...kinds(p.record(`k${i}`, 'R', i, 'f/1')));
    expect(events.filter((e) => !e.startsWith('joined'))).toEqual([]);
    const json = JSON.parse(JSON.stringify(p.snapshot(id, id))) as ReturnType<typeof p.snapshot>;
    const fresh = new PendingLabels<string, number>({ ttlRecords: 2, maxPending: 1000 });
    fresh.expectLanes(['f/0', 'f/1', 'f/2'], [L]);
    fresh.restore(json, (v) => v as string, (v) => v as number);
    fresh.label('ghost', 1, 50, L);
    for (let i = 0; i < 5; i++) fresh.label(`x${i}`, 1, 200 + i, L);
    expect(fresh.earlyLabels).toBe(6);
    expect(kinds(fresh.record('y', 'R', 150, 'f/0'))).toEqual([]);
    expect(kinds(fresh.record('z', 'R', 150, 'f/1'))).toEqual([]); // f/2, a partition added since the snapshot, has delivered nothing
    expect(kinds(fresh.record('w', 'R', 150, 'f/2'))).toEqual(['orphan:ghost']);
  });

  it('without a TTL, an early label waits for its record however late (until maxPending)', () => {
    const p = new PendingLabels<string, number>({ maxPending: 100 });
    p.label('late', 1, 10, L);
    for (let i = 0; i < 50; i++) p.record(`r${i}`, 'R', 100 + i, F);
    expect(p.earlyLabels).toBe(1);
    expect(kinds(p.record('late', 'X', 5, 'f/1'))).toEqual(['joined:late']);
  });

  it('is bounded: past maxPending the oldest record expires, a newer record of the same key supersedes the older', () => {
    const p = new PendingLabels<string, number>({ maxPending: 2 });
    p.record('a', 'A', 0, F);
    p.record('b', 'B', 0, F);
    expect(kinds(p.record('c', 'C', 0, F))).toEqual(['expired:a']);
    expect(p.size).toBe(2);
    expect(kinds(p.record('b', 'B2', 0, F))).toEqual(['expired:b']);
    const [joined] = p.label('b', 0, 0, L);
    expect(joined?.kind === 'joined' && joined.record).toBe('B2');
  });

  it('survives a snapshot through JSON: the same events follow', () => {
    const step = (p: PendingLabels<string, number>, i: number, out: string[]): void => {
      out.push(...kinds(p.record(`k${i}`, `R${i}`, i * 100, `f/${i % 3}`)));
      if (i % 9 === 4) out.push(...kinds(p.label(`ghost${i}`, 1, i * 100 + 1, L)));
      if (i >= 5 && i % 7 !== 0) out.push(...kinds(p.label(`k${i - 5}`, i % 2, i * 100 + 2, L)));
    };
    const settings = { ttlRecords: 3, maxPending: 50 };
    const straight = new PendingLabels<string, number>(settings);
    const all: string[] = [];
    for (let i = 0; i < 60; i++) step(straight, i, all);
    const first = new PendingLabels<string, number>(settings);
    const resumedEvents: string[] = [];
    for (let i = 0; i < 30; i++) step(first, i, resumedEvents);
    const json = JSON.parse(JSON.stringify(first.snapshot(id, id))) as ReturnType<typeof first.snapshot>;
    const resumed = new PendingLabels<string, number>(settings);
    resumed.restore(json, (v) => v as string, (v) => v as number);
    for (let i = 30; i < 60; i++) step(resumed, i, resumedEvents);
    expect(resumedEvents).toEqual(all);
    expect(all.some((k) => k.startsWith('expired'))).toBe(true);
    expect(all.some((k) => k.startsWith('orphan'))).toBe(true);
  });
});
