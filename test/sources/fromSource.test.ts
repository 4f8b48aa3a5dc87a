import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../../src/errors.js';
import { chunked } from '../../src/sources/ChunkedRecords.js';
import { fromSource } from '../../src/sources/fromSource.js';
import { sea } from '../../src/sources/synthetic.js';
import type { RawRecord } from '../../src/types.js';

const record = (index: number): RawRecord => ({ index, position: `t#${index}`, raw: String(index) });

/** An instrumented source: counts reads and notes when it was closed. */
function counting(n = Infinity, failAt = Infinity) {
  const state = { reads: 0, closed: false };
  async function* generate(): AsyncGenerator<RawRecord> {
    try {
      for (let i = 0; i < n; i++) {
        if (i === failAt) throw new SourceError(`broken at ${i}`);
        state.reads++;
        yield record(i);
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, records: generate() };
}

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('fromSource', () => {
  it('emits every record in order, then completes', async () => {
    const { records } = counting(25);
    const out = await lastValueFrom(fromSource(records).pipe(toArray()));
    expect(out.map((r) => r.index)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('reads the next record only after the subscriber handled the current one', async () => {
    const { state, records } = counting(100);
    const readsAtEmission: number[] = [];
    await new Promise<void>((resolve) =>
      fromSource(records).subscribe({ next: () => readsAtEmission.push(state.reads), complete: resolve }),
    );
    expect(readsAtEmission).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('stops after maxRecords and closes the source', async () => {
    const { state, records } = counting();
    const out = await lastValueFrom(fromSource(records, { maxRecords: 3 }).pipe(toArray()));
    expect(out.map((r) => r.index)).toEqual([0, 1, 2]);
    await until(() => state.closed);
    expect(state.closed).toBe(true);
    expect(state.reads).toBe(3);
  });

  it('calls return() on the iterator when the subscriber unsubscribes', async () => {
    const { state, records } = counting();
    const first = await firstValueFrom(fromSource(records).pipe(take(2), toArray()));
    expect(first.map((r) => r.index)).toEqual([0, 1]);
    await until(() => state.closed);
    expect(state.closed).toBe(true);
    expect(state.reads).toBeLessThanOrEqual(3);
  });

  it('passes errors of the source to the subscriber after the records before them', async () => {
    const { records } = counting(10, 4);
    const seen: number[] = [];
    const error = await new Promise<unknown>((resolve) =>
      fromSource(records).subscribe({ next: (r) => seen.push(r.index), error: resolve }),
    );
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(error).toBeInstanceOf(SourceError);
  });

  it('completes on abort and closes the source; an aborted signal reads nothing', async () => {
    const { state, records } = counting();
    const controller = new AbortController();
    const out: number[] = [];
    await new Promise<void>((resolve) =>
      fromSource(records, { signal: controller.signal }).subscribe({
        next: (r) => {
          out.push(r.index);
          if (r.index === 2) controller.abort();
        },
        complete: resolve,
      }),
    );
    expect(out).toEqual([0, 1, 2]);
    await until(() => state.closed);
    expect(state.closed).toBe(true);

    const idle = counting();
    const none = await lastValueFrom(fromSource(idle.records, { signal: AbortSignal.abort() }).pipe(toArray()));
    expect(none).toEqual([]);
    expect(idle.state.reads).toBe(0);
  });

  it('paces records at the given rate (record k not before k / rate seconds)', async () => {
    const { records } = counting(50);
    const started = performance.now();
    const times: number[] = [];
    await new Promise<void>((resolve) =>
      fromSource(records, { rate: 500 }).subscribe({ next: () => times.push(performance.now() - started), complete: resolve }),
    );
    expect(times).toHaveLength(50);
    // loose lower bounds only: record 49 is due at 98 ms; timers may fire ~1 ms early
    expect(times[49]!).toBeGreaterThanOrEqual(90);
    expect(times[25]!).toBeGreaterThanOrEqual(45);
  });

  it('lets timers run while a long in-memory source streams', async () => {
    // finite, so a regression fails instead of starving the test runner forever
    let count = 0;
    let completed = false;
    const subscription = fromSource(sea({ n: 1_000_000 })).subscribe({ next: () => count++, complete: () => (completed = true) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();
    expect(count).toBeGreaterThan(0);
    expect(completed).toBe(false);
  });

  it('pulls a chunked source a chunk at a time, with the same records, limits, errors and closing', async () => {
    const state = { pulls: 0, closed: false };
    const source = (n: number, size: number, failAfter = Infinity) =>
      chunked(async function* () {
        try {
          for (let from = 0; from < n; from += size) {
            if (from >= failAfter) throw new SourceError(`broken at ${from}`);
            state.pulls++;
            yield Array.from({ length: Math.min(size, n - from) }, (_, i) => record(from + i));
          }
        } finally {
          state.closed = true;
        }
      });
    const all = await lastValueFrom(fromSource(source(1000, 300)).pipe(toArray()));
    expect(all.map((r) => r.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(state.pulls).toBe(4);
    state.closed = false;
    const first = await lastValueFrom(fromSource(source(1000, 300), { maxRecords: 450 }).pipe(toArray()));
    expect(first).toHaveLength(450); // stops inside the second chunk
    await until(() => state.closed);
    expect(state.closed).toBe(true);
    const seen: number[] = [];
    await expect(lastValueFrom(fromSource(source(1000, 300, 600)).pipe(toArray()))).rejects.toThrow('broken at 600');
    fromSource(source(1000, 300, 600)).subscribe({ next: (r) => seen.push(r.index), error: () => undefined });
    await until(() => seen.length === 600);
    expect(seen).toHaveLength(600); // every record before the error
  });

  it('rejects a non-positive rate and a negative maxRecords', () => {
    expect(() => fromSource(counting().records, { rate: 0 })).toThrow(ConfigError);
    expect(() => fromSource(counting().records, { maxRecords: -1 })).toThrow(/maxRecords/);
  });
});
