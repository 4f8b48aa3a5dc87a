import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../../src/sources/kafka/BoundedQueue.js';
import { seededRandom } from '../../support/seededRandom.js';

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, and how. */
function watch<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

describe('BoundedQueue', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new BoundedQueue(0)).toThrow(/capacity/);
    expect(() => new BoundedQueue(2.5)).toThrow(/capacity/);
  });

  it('makes the producer wait when full, and wakes it once a quarter is free', async () => {
    const queue = new BoundedQueue<number>(8);
    for (let i = 0; i < 8; i++) expect(await queue.put(i)).toBe(true);
    expect(queue.full).toBe(true);
    const put = watch(queue.put(8));
    await settle();
    expect(put.settled).toBe(false);
    queue.shift(); // 7 left: not yet a quarter free
    await settle();
    expect(put.settled).toBe(false);
    queue.shift(); // 6 left: a quarter free
    await settle();
    expect(put).toMatchObject({ settled: true, value: true });
    expect(queue.size).toBe(7);
  });

  it('makes the reader wait for data, in order', async () => {
    const queue = new BoundedQueue<string>(4);
    const first = watch(queue.take());
    await settle();
    expect(first.settled).toBe(false);
    queue.push('a');
    queue.push('b');
    await settle();
    expect(first.value).toEqual({ done: false, value: 'a' });
    expect(await queue.take()).toEqual({ done: false, value: 'b' });
  });

  it('never holds more than its capacity behind a slow reader, and loses or repeats nothing', async () => {
    const queue = new BoundedQueue<number>(16);
    const rand = seededRandom(5);
    let most = 0;
    let producing = true;
    const producer = (async () => {
      for (let i = 0; i < 2000; i++) {
        await queue.put(i);
        most = Math.max(most, queue.size);
      }
      producing = false;
      queue.wake();
    })();
    const got: number[] = [];
    for (;;) {
      const r = await queue.take(() => !producing);
      if (r.done) break;
      got.push(r.value);
      if (rand() < 0.2) await settle();
    }
    await producer;
    expect(most).toBeLessThanOrEqual(16);
    expect(most).toBe(16); // the producer did fill it (the reader was slower)
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('close wakes the waiting reader (done) and producer (false), and drops what is queued', async () => {
    const reader = new BoundedQueue<number>(2);
    const take = watch(reader.take());
    const writer = new BoundedQueue<number>(1);
    await writer.put(1);
    const put = watch(writer.put(2));
    await settle();
    reader.close();
    writer.close();
    await settle();
    expect(take.value).toEqual({ done: true, value: undefined });
    expect(put.value).toBe(false);
    expect(await writer.take()).toEqual({ done: true, value: undefined });
    expect(writer.push(3)).toBe(false);
  });

  it('fail lets the reader drain what is queued, then throws to it; the waiting producer stops', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.put(1);
    await queue.put(2);
    const put = watch(queue.put(3));
    const error = new Error('broker gone');
    queue.fail(error);
    queue.fail(new Error('second')); // the first failure wins
    await settle();
    expect(put.value).toBe(false);
    expect(await queue.take()).toEqual({ done: false, value: 1 });
    expect(await queue.take()).toEqual({ done: false, value: 2 });
    await expect(queue.take()).rejects.toBe(error);
    expect(queue.failure).toBe(error);
  });

  it('fail wakes a reader waiting on an empty queue', async () => {
    const queue = new BoundedQueue<number>(2);
    const take = watch(queue.take());
    await settle();
    queue.fail(new Error('stopped'));
    await settle();
    expect(take.error).toEqual(new Error('stopped'));
  });

  it('ends the reading when empty and ended() says so, checked again on wake', async () => {
    const queue = new BoundedQueue<number>(2);
    let ended = false;
    queue.push(1);
    expect(await queue.take(() => true)).toEqual({ done: false, value: 1 }); // queued items first
    const take = watch(queue.take(() => ended));
    await settle();
    expect(take.settled).toBe(false);
    ended = true;
    await settle();
    expect(take.settled).toBe(false); // nothing told it to look again
    queue.wake();
    await settle();
    expect(take.value).toEqual({ done: true, value: undefined });
  });

  it('waitForSpace gives up after its slice, so a producer can heartbeat while full', async () => {
    const queue = new BoundedQueue<number>(1);
    queue.push(1);
    const started = Date.now();
    await queue.waitForSpace(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(queue.full).toBe(true);
    const room = new BoundedQueue<number>(4);
    await room.waitForSpace(60_000); // at once: there is room
  });

  it('peek shows the queued items without taking them', async () => {
    const queue = new BoundedQueue<string>(3);
    queue.push('x');
    queue.push('y');
    expect([...queue.peek()]).toEqual(['x', 'y']);
    expect(queue.size).toBe(2);
    queue.shift();
    expect([...queue.peek()]).toEqual(['y']);
  });

  it('keeps order while it compacts its storage over many items', () => {
    const queue = new BoundedQueue<number>(5000);
    const rand = seededRandom(9);
    let pushed = 0;
    let taken = 0;
    for (let round = 0; round < 20_000; round++) {
      if (!queue.full && rand() < 0.55) queue.push(pushed++);
      else if (queue.size > 0) expect(queue.shift()).toBe(taken++);
    }
    while (queue.size > 0) expect(queue.shift()).toBe(taken++);
    expect(taken).toBe(pushed);
    expect(queue.shift()).toBeUndefined();
  });
});

describe('BoundedQueue.removeWhere', () => {
  it('drops the selected items, keeps the order of the rest and frees their space', async () => {
    const queue = new BoundedQueue<number>(4);
    for (const n of [1, 2, 3, 4]) queue.push(n);
    expect(queue.full).toBe(true);
    await queue.take(); // 1 taken: the head moved
    expect(queue.removeWhere((n) => n % 2 === 0)).toBe(2);
    expect(queue.size).toBe(1);
    expect(queue.full).toBe(false);
    queue.push(5);
    expect([...queue.peek()]).toEqual([3, 5]);
  });
});
