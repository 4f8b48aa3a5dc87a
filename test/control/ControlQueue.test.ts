import { describe, expect, it } from 'vitest';
import { ControlQueue } from '../../src/control/ControlQueue.js';

describe('ControlQueue', () => {
  it('applies nothing until drained, then everything in arrival order', async () => {
    const queue = new ControlQueue<string, string>();
    const applied: string[] = [];
    const a = queue.submit('a');
    const b = queue.submit('b');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(applied).toEqual([]);
    expect(queue.size).toBe(2);
    expect(queue.drain((item) => (applied.push(item), item.toUpperCase()))).toBe(2);
    expect(applied).toEqual(['a', 'b']);
    expect(await a).toBe('A');
    expect(await b).toBe('B');
    expect(queue.drain(() => 'never')).toBe(0);
  });

  it('rejects the item whose action throws and applies the others', async () => {
    const queue = new ControlQueue<number, number>();
    const results = [1, 2, 3].map((n) => queue.submit(n).then((r) => `ok ${r}`, (e: Error) => `failed ${e.message}`));
    queue.drain((n) => {
      if (n === 2) throw new Error('two');
      return n * 10;
    });
    expect(await Promise.all(results)).toEqual(['ok 10', 'failed two', 'ok 30']);
  });

  it('refuses beyond its capacity, and close() rejects what waits', async () => {
    const queue = new ControlQueue<number, number>(2);
    const first = queue.submit(1).catch((e: Error) => e.message);
    void queue.submit(2).catch(() => undefined);
    await expect(queue.submit(3)).rejects.toThrow(/2 control actions are already waiting/);
    queue.close('the run ended');
    expect(await first).toBe('the run ended');
    expect(queue.size).toBe(0);
  });
});
