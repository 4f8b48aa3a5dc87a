import { describe, expect, it } from 'vitest';
import type { SourcePositions } from '../../src/checkpoint/Checkpoint.js';
import { CommitGate } from '../../src/training/CommitGate.js';

const at = (index: number): SourcePositions => ({ kind: 'synthetic', uri: 'synth:sea', index });

/** A deferred promise: resolve it from the test. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('CommitGate', () => {
  it('commits only after the dead letters written before are flushed, in the order allowed', async () => {
    const log: string[] = [];
    const flushes = [deferred(), deferred()];
    let flushNo = 0;
    const gate = new CommitGate({
      commit: (p) => void log.push(`commit ${(p as { index: number }).index}`),
      flush: () => {
        log.push(`flush ${flushNo}`);
        return (flushes[flushNo++] as ReturnType<typeof deferred>).promise;
      },
      onError: (e) => log.push(`error ${String(e)}`),
    });
    gate.allow(at(10));
    gate.allow(at(20));
    await Promise.resolve();
    expect(log).toEqual(['flush 0']); // nothing committed while the dead letter is not durable
    flushes[0]?.resolve();
    flushes[1]?.resolve();
    await gate.settled();
    expect(log).toEqual(['flush 0', 'commit 10', 'flush 1', 'commit 20']);
    expect(gate.committed).toBe(2);
  });

  it('reports a failed flush or commit, skips that commit, and still runs the next one', async () => {
    const errors: unknown[] = [];
    const committed: number[] = [];
    let flushes = 0;
    const gate = new CommitGate({
      commit: (p) => {
        const { index } = p as { index: number };
        if (index === 2) throw new Error('broker down');
        committed.push(index);
      },
      flush: async () => {
        if (++flushes === 1) throw new Error('disk full');
      },
      onError: (e) => errors.push((e as Error).message),
    });
    gate.allow(at(1));
    gate.allow(at(2));
    gate.allow(at(3));
    await gate.settled();
    expect(errors).toEqual(['disk full', 'broker down']);
    expect(committed).toEqual([3]);
  });

  it('does nothing for a source that takes no commits (files)', async () => {
    let flushed = 0;
    const gate = new CommitGate({ commit: undefined, flush: async () => void flushed++, onError: () => {} });
    gate.allow(at(5));
    await gate.settled();
    expect(gate.enabled).toBe(false);
    expect(flushed).toBe(0);
  });
});
