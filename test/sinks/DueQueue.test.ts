import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DueQueue } from '../../src/sinks/DueQueue.js';

describe('DueQueue', () => {
  it('gives the items due by a position, earliest first, ties in push order, and keeps the rest', () => {
    const queue = new DueQueue<string>();
    queue.push(5, 'b');
    queue.push(2, 'a');
    queue.push(5, 'c');
    queue.push(9, 'd');
    queue.push(2, 'a2');
    expect(queue.popDue(1)).toEqual([]);
    expect(queue.popDue(4)).toEqual(['a', 'a2']);
    expect(queue.size).toBe(3);
    expect(queue.popDue(Infinity)).toEqual(['b', 'c', 'd']);
    expect(queue.size).toBe(0);
  });

  it('pops in the order of a stable sort by due position, for any pushes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (dues) => {
        const queue = new DueQueue<number>();
        dues.forEach((due, i) => queue.push(due, i));
        const expected = dues.map((due, i) => ({ due, i })).sort((x, y) => x.due - y.due || x.i - y.i).map((x) => x.i);
        const popped = [...queue.popDue(25), ...queue.popDue(Infinity)];
        expect(popped).toEqual(expected);
      }),
    );
  });
});
