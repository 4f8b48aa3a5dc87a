import { describe, expect, it } from 'vitest';
import { commitUntilDone } from '../../../src/sources/kafka/commitUntilDone.js';

/** A commit that fails `failures` times (the broker is down), then succeeds. */
function flaky(failures: number) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    commit: async () => {
      calls++;
      if (calls <= failures) throw new Error('Connection error: ECONNREFUSED');
    },
  };
}

function logger() {
  const lines: string[] = [];
  return { lines, warn: ((_o: object, message: string) => void lines.push(message)) as never };
}

describe('commitUntilDone', () => {
  it('retries a failing final commit, waiting longer each time, until it succeeds', async () => {
    const commit = flaky(3);
    const log = logger();
    const stop = new AbortController();
    const started = Date.now();
    expect(await commitUntilDone(commit.commit, { signal: stop.signal, log, describe: (e) => (e as Error).message, firstWaitMs: 20 })).toBe(true);
    expect(commit.calls).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 + 80 - 5);
    expect(log.lines).toEqual([
      'final Kafka offset commit failed: Connection error: ECONNREFUSED; retrying in 20 ms until it succeeds or the run is stopped (SIGINT/SIGTERM)',
      'final Kafka offset commit failed: Connection error: ECONNREFUSED; retrying in 40 ms until it succeeds or the run is stopped (SIGINT/SIGTERM)',
      'final Kafka offset commit failed: Connection error: ECONNREFUSED; retrying in 80 ms until it succeeds or the run is stopped (SIGINT/SIGTERM)',
    ]);
  });

  it('gives up when the stop signal aborts, at once, and says the records will be read again', async () => {
    const commit = flaky(Infinity);
    const log = logger();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const started = Date.now();
    expect(await commitUntilDone(commit.commit, { signal: stop.signal, log, describe: () => 'down', firstWaitMs: 60_000 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000); // the 60 s wait was cut short by the signal
    expect(commit.calls).toBe(1); // no attempt after the stop
    expect(log.lines.at(-1)).toBe('final Kafka offset commit abandoned at the stop signal; the group reads the uncommitted records again');
  });

  it('tries once without a signal', async () => {
    const commit = flaky(1);
    const log = logger();
    expect(await commitUntilDone(commit.commit, { log, describe: () => 'down' })).toBe(false);
    expect(commit.calls).toBe(1);
  });

  it('abandons an attempt that hangs (the broker died mid-request) at the stop signal', async () => {
    const log = logger();
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const hanging = () => new Promise<void>(() => {});
    expect(await commitUntilDone(hanging, { signal: stop.signal, log, describe: String })).toBe(false);
    expect(log.lines).toEqual(['final Kafka offset commit abandoned at the stop signal; the group reads the uncommitted records again']);
  });
});
