import { describe, expect, it } from 'vitest';
import { CommitScheduler } from '../../../src/sources/kafka/CommitScheduler.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A commit function whose calls finish when the test says, counting how many run at once. */
function fakeCommits() {
  const calls: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const state = { running: 0, most: 0, started: 0 };
  const commit = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      state.started++;
      state.running++;
      state.most = Math.max(state.most, state.running);
      const end = (): void => void state.running--;
      calls.push({ resolve: () => (end(), resolve()), reject: (error) => (end(), reject(error)) });
    });
  return { commit, calls, state };
}

describe('CommitScheduler', () => {
  it('runs one commit at a time: the next starts after the one in flight, even when it failed', async () => {
    const { commit, calls, state } = fakeCommits();
    const scheduler = new CommitScheduler(commit, 0);
    const first = scheduler.commit();
    const second = scheduler.commit();
    const third = scheduler.commit();
    await settle();
    expect(state.started).toBe(1);
    expect(scheduler.busy).toBe(true);
    calls[0]!.reject(new Error('not running'));
    await expect(first).rejects.toThrow('not running');
    await settle();
    expect(state.started).toBe(2);
    calls[1]!.resolve();
    await second;
    await settle();
    calls[2]!.resolve();
    await third;
    expect(state.most).toBe(1);
    expect(scheduler.busy).toBe(false);
  });

  it('starts a background commit only with work, none in flight, and the interval passed since the last start', async () => {
    const { commit, calls, state } = fakeCommits();
    let now = 10_000;
    const scheduler = new CommitScheduler(commit, 1000, () => now);
    expect(scheduler.maybe(false)).toBeUndefined();
    const first = scheduler.maybe(true);
    expect(first).toBeDefined();
    await settle();
    expect(scheduler.maybe(true)).toBeUndefined(); // in flight
    now += 1500;
    expect(scheduler.maybe(true)).toBeUndefined(); // still in flight
    calls[0]!.resolve();
    await first;
    expect(scheduler.maybe(true)).toBeDefined(); // 1500 ms since the first started
    await settle();
    calls[1]!.resolve();
    now += 999;
    expect(scheduler.maybe(true)).toBeUndefined(); // too soon
    const flush = scheduler.commit(); // a flush does not wait for the interval
    await settle();
    expect(state.started).toBe(3);
    calls[2]!.resolve();
    await flush;
  });
});
