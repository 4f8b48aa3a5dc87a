import { describe, expect, it } from 'vitest';
import { PendingLabels, type PendingEvent } from '../../src/records/PendingLabels.js';

type Ev = PendingEvent<string, number>;
const kinds = (events: Ev[]): string[] => events.map((e) => `${e.kind}:${e.key}`);
const id = <T>(x: T): T => x;

describe('PendingLabels', () => {
  it('joins a record with the label that comes later, reporting the delay in records and ms', () => {
    const p = new PendingLabels<string, number>({ maxPending: 10 });
    expect(p.record('a', 'A', 1000)).toEqual([]);
    expect(p.record('b', 'B', 2000)).toEqual([]);
    expect(p.record('c', 'C', 3000)).toEqual([]);
    expect(p.size).toBe(3);
    const [joined] = p.label('a', 1, 4500);
    expect(joined).toEqual({ kind: 'joined', key: 'a', record: 'A', label: 1, delayRecords: 2, delayMs: 3500 });
    expect(p.size).toBe(2);
  });

  it('holds a label that comes before its record, and joins it when the record arrives', () => {
    const p = new PendingLabels<string, number>({ maxPending: 10 });
    expect(p.label('x', 0, 10)).toEqual([]);
    expect(p.earlyLabels).toBe(1);
    expect(kinds(p.record('x', 'X', 5))).toEqual(['joined:x']);
    expect(p.earlyLabels).toBe(0);
    expect(p.size).toBe(0);
  });

  it('tells duplicates: a second label after the join, or a second early label', () => {
    const p = new PendingLabels<string, number>({ maxPending: 10 });
    p.record('a', 'A', 0);
    p.label('a', 1, 0);
    expect(kinds(p.label('a', 1, 0))).toEqual(['duplicate:a']);
    p.label('z', 1, 0);
    expect(kinds(p.label('z', 0, 0))).toEqual(['duplicate:z']);
  });

  it('expires a record once a record that arrived ttlRecords later is joined; its late label is then an orphan', () => {
    const p = new PendingLabels<string, number>({ ttlRecords: 3, maxPending: 100 });
    for (let i = 0; i < 6; i++) p.record(`k${i}`, `R${i}`, i);
    // k0's label never comes; k1, k2 are joined: nothing is 3 records behind a joined one yet.
    expect(kinds(p.label('k1', 1, 10))).toEqual(['joined:k1']);
    expect(kinds(p.label('k2', 1, 10))).toEqual(['joined:k2']);
    // k3 arrived 3 records after k0.
    const events = p.label('k3', 1, 10);
    expect(kinds(events)).toEqual(['joined:k3', 'expired:k0']);
    expect(events[1]?.kind === 'expired' && events[1].why).toMatch(/3 records later/);
    expect(kinds(p.label('k0', 1, 11))).toEqual(['orphan:k0']);
  });

  it('does not expire records while no label comes at all (one topic read far ahead of the other)', () => {
    const p = new PendingLabels<string, number>({ ttlRecords: 2, maxPending: 1000 });
    for (let i = 0; i < 500; i++) expect(p.record(`k${i}`, `R${i}`, i)).toEqual([]);
    expect(p.size).toBe(500);
    // Labels then come in order: each joins (never more than 2 joined records ahead of a waiting one).
    for (let i = 0; i < 500; i++) expect(kinds(p.label(`k${i}`, 1, 1000 + i))).toEqual([`joined:k${i}`]);
    expect(p.size).toBe(0);
  });

  it('expires by event time with ttlSeconds', () => {
    const p = new PendingLabels<string, number>({ ttlSeconds: 5, maxPending: 100 });
    p.record('old', 'O', 0);
    p.record('new', 'N', 6000);
    expect(kinds(p.label('new', 1, 6000))).toEqual(['joined:new', 'expired:old']);
  });

  it('orphans an early label once labels that came ttlRecords after it are joined', () => {
    const p = new PendingLabels<string, number>({ ttlRecords: 2, maxPending: 100 });
    p.label('ghost', 1, 0);
    p.label('a', 1, 0);
    p.record('a', 'A', 0);
    expect(p.earlyLabels).toBe(1);
    p.label('b', 1, 0);
    expect(kinds(p.record('b', 'B', 0))).toEqual(['joined:b', 'orphan:ghost']);
  });

  it('is bounded: past maxPending the oldest record expires, a newer record of the same key supersedes the older', () => {
    const p = new PendingLabels<string, number>({ maxPending: 2 });
    p.record('a', 'A', 0);
    p.record('b', 'B', 0);
    expect(kinds(p.record('c', 'C', 0))).toEqual(['expired:a']);
    expect(p.size).toBe(2);
    expect(kinds(p.record('b', 'B2', 0))).toEqual(['expired:b']);
    const [joined] = p.label('b', 0, 0);
    expect(joined?.kind === 'joined' && joined.record).toBe('B2');
  });

  it('survives a snapshot through JSON: the same events follow', () => {
    const run = (p: PendingLabels<string, number>, from: number): string[] => {
      const out: string[] = [];
      for (let i = from; i < 40; i++) {
        out.push(...kinds(p.record(`k${i}`, `R${i}`, i * 100)));
        if (i >= 5 && i % 7 !== 0) out.push(...kinds(p.label(`k${i - 5}`, i % 2, i * 100)));
      }
      return out;
    };
    const settings = { ttlRecords: 8, maxPending: 50 };
    const straight = new PendingLabels<string, number>(settings);
    const all = run(straight, 0);
    const first = new PendingLabels<string, number>(settings);
    const head: string[] = [];
    for (let i = 0; i < 20; i++) {
      head.push(...kinds(first.record(`k${i}`, `R${i}`, i * 100)));
      if (i >= 5 && i % 7 !== 0) head.push(...kinds(first.label(`k${i - 5}`, i % 2, i * 100)));
    }
    const json = JSON.parse(JSON.stringify(first.snapshot(id, id))) as ReturnType<typeof first.snapshot>;
    const resumed = new PendingLabels<string, number>(settings);
    resumed.restore(json, (v) => v as string, (v) => v as number);
    expect([...head, ...run(resumed, 20)]).toEqual(all);
    expect(all.some((k) => k.startsWith('expired'))).toBe(true);
  });
});
