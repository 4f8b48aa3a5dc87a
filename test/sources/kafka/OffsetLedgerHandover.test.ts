import { describe, expect, it } from 'vitest';
import { OffsetLedger } from '../../../src/sources/kafka/OffsetLedger.js';

// The ledger's side of a partition handover: which partitions a join adds and revokes, and that a
// held partition admits nothing and is never "at its end" until the handover settles its start.

const tp = (partition: number) => ({ topic: 't', partition });

describe('OffsetLedger handover', () => {
  it('a join reports the partitions it adds and revokes against the settled assignment', () => {
    const ledger = new OffsetLedger();
    const first = ledger.assign([tp(0), tp(1), tp(2)]);
    expect(first.added).toEqual([tp(0), tp(1), tp(2)]);
    expect(first.revoked).toEqual([]);
    for (const p of [0, 1, 2]) ledger.settle('t', p, undefined);
    const second = ledger.assign([tp(1), tp(2), tp(3)]);
    expect(second.added).toEqual([tp(3)]);
    expect(second.revoked).toEqual([tp(0)]);
  });

  it('a partition still held when the next join comes is added again (its handover never finished)', () => {
    const ledger = new OffsetLedger();
    ledger.assign([tp(0), tp(1)]);
    ledger.hold([tp(0), tp(1)]);
    ledger.settle('t', 0, 5);
    const next = ledger.assign([tp(0), tp(1)]);
    expect(next.added).toEqual([tp(1)]);
    expect(next.revoked).toEqual([]);
  });

  it('a held partition is not owned (its records are not queued) until settled, then starts at the settled offset', () => {
    const ledger = new OffsetLedger();
    expect(ledger.owns('t', 0)).toBe(true); // before the first join every partition is
    ledger.assign([tp(0)]);
    ledger.hold([tp(0)]);
    expect(ledger.owns('t', 0)).toBe(false);
    ledger.settle('t', 0, 100);
    expect(ledger.owns('t', 0)).toBe(true);
    expect(ledger.admit('t', 0, 99)).toBe(false); // before the start: another member's
    expect(ledger.admit('t', 0, 100)).toBe(true);
    expect(ledger.owns('t', 1)).toBe(false); // not assigned
  });

  it('does not reach the end while a partition is held, even if its offsets say so', () => {
    const ledger = new OffsetLedger();
    const { generation } = ledger.assign([tp(0)]);
    ledger.hold([tp(0)]);
    ledger.joined(generation, [{ topic: 't', partition: 0, low: '0', high: '10', committed: '10' }], true);
    expect(ledger.reachedEnd()).toBe(false);
    ledger.settle('t', 0, 10);
    expect(ledger.reachedEnd()).toBe(true);
  });

  it('tracks the last record handed out, and where each partition is done up to', () => {
    const ledger = new OffsetLedger();
    ledger.assign([tp(0)]);
    expect(ledger.handedThrough).toBe(-1);
    for (let i = 0; i < 3; i++) {
      ledger.admit('t', 0, 20 + i);
      ledger.handOut(i, 't', 0, 20 + i);
    }
    expect(ledger.handedThrough).toBe(2);
    ledger.markDone(1);
    expect(ledger.doneNext('t', 0)).toBe(22);
    expect(ledger.doneNext('t', 9)).toBe(-1);
  });

  it('a partition fetched ahead, revoked (its queue dropped) and given back is read again, not taken as at its end', () => {
    const ledger = new OffsetLedger();
    const first = ledger.assign([tp(0)]);
    ledger.joined(first.generation, [{ topic: 't', partition: 0, low: '0', high: '100', committed: '-1' }], true);
    for (let offset = 0; offset < 100; offset++) ledger.admit('t', 0, offset); // fetched to the end
    ledger.scanned('t', 0, 100);
    for (let i = 0; i < 10; i++) ledger.handOut(i, 't', 0, i); // 10 handed out, 90 still queued
    expect(ledger.reachedEnd()).toBe(true);
    ledger.assign([]);
    ledger.dropped([tp(0)]); // the 90 queued were dropped
    const back = ledger.assign([tp(0)]);
    expect(back.added).toEqual([tp(0)]);
    ledger.hold(back.added);
    ledger.joined(back.generation, [{ topic: 't', partition: 0, low: '0', high: '100', committed: '-1' }], true);
    ledger.settle('t', 0, undefined); // nobody learned further: the group's start
    expect(ledger.reachedEnd()).toBe(false);
    expect(ledger.admit('t', 0, 10)).toBe(true); // read again from the first record not handed out
  });

  it('settling at an offset resets what was fetched past it before', () => {
    const ledger = new OffsetLedger();
    const { generation } = ledger.assign([tp(0)]);
    ledger.joined(generation, [{ topic: 't', partition: 0, low: '0', high: '100', committed: '-1' }], true);
    ledger.scanned('t', 0, 100);
    ledger.hold([tp(0)]);
    ledger.settle('t', 0, 40);
    expect(ledger.reachedEnd()).toBe(false);
  });
});
