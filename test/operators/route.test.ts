import { describe, it, expect } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { route } from '../../operators/route.js';
import { hashUnit } from '../../src/records/hashKey.js';
import { ConfigError } from '../../src/errors.js';
import type { RoutedSample, Sample } from '../../src/types.js';

const sample = (index: number, key?: string): Sample => ({
  index,
  position: `test.csv:${index + 2}`,
  ...(key === undefined ? {} : { key }),
  x: Float32Array.of(index, -index),
  y: index % 2,
});

/** The first key (`prefix` + n) whose hash under `seed` is below / at-or-above `split`. */
function keyWhere(prefix: string, seed: number, holdout: boolean, split: number): string {
  for (let n = 0; ; n++) {
    const key = `${prefix}${n}`;
    if (hashUnit(key, seed) < split === holdout) return key;
  }
}

const run = async (samples: Sample[], split: number, seed?: number): Promise<RoutedSample[]> =>
  lastValueFrom(from(samples).pipe(route({ validationSplit: split, ...(seed === undefined ? {} : { seed }) }), toArray()));

describe('route', () => {
  const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it('tags by key hash and keeps timing, completion and the sample fields (marbles)', () => {
    const h = keyWhere('h', 0, true, 0.3);
    const t = keyWhere('t', 0, false, 0.3);
    const a = sample(0, h);
    const b = sample(1, t);
    const c = sample(2, h);
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b--c|', { a, b, c });
      expectObservable(source.pipe(route({ validationSplit: 0.3 }))).toBe('a-b--c|', {
        a: { ...a, split: 'holdout' },
        b: { ...b, split: 'train' },
        c: { ...c, split: 'holdout' },
      });
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('passes errors through (marbles)', () => {
    const t = sample(0, keyWhere('t', 0, false, 0.5));
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', { a: t }).pipe(route({ validationSplit: 0.5 }))).toBe('a-#', {
        a: { ...t, split: 'train' },
      });
    });
  });

  it('uses the index when there is no key', async () => {
    const samples = Array.from({ length: 200 }, (_, i) => sample(i));
    const routed = await run(samples, 0.4, 3);
    routed.forEach((r, i) => {
      expect(r.split).toBe(hashUnit(String(i), 3) < 0.4 ? 'holdout' : 'train');
    });
  });

  it('sends everything to train at 0 and everything to holdout at 1', async () => {
    const samples = Array.from({ length: 2000 }, (_, i) => sample(i, i % 3 === 0 ? `k${i}` : undefined));
    expect((await run(samples, 0)).every((r) => r.split === 'train')).toBe(true);
    expect((await run(samples, 1)).every((r) => r.split === 'holdout')).toBe(true);
  });

  it('holds out about validationSplit of the keys', async () => {
    const samples = Array.from({ length: 20_000 }, (_, i) => sample(i, `user-${i}`));
    const holdout = (await run(samples, 0.2)).filter((r) => r.split === 'holdout').length;
    // binomial std at n=2e4, p=0.2 is ~57
    expect(Math.abs(holdout - 4000)).toBeLessThan(300);
  });

  it('is deterministic: the same key always lands on the same side, whatever its position', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `device-${i % 50}`);
    const routed = await run(
      keys.map((k, i) => sample(i, k)),
      0.5,
    );
    const side = new Map<string, string>();
    for (const r of routed) {
      const seen = side.get(r.key!);
      if (seen !== undefined) expect(r.split).toBe(seen);
      side.set(r.key!, r.split);
    }
    const again = await run(
      [...keys].reverse().map((k, i) => sample(i, k)),
      0.5,
    );
    for (const r of again) expect(r.split).toBe(side.get(r.key!));
  });

  it('draws a different holdout with a different seed', async () => {
    const samples = Array.from({ length: 2000 }, (_, i) => sample(i, `user-${i}`));
    const a = await run(samples, 0.5, 0);
    const b = await run(samples, 0.5, 7);
    const differ = a.filter((r, i) => r.split !== b[i]!.split).length;
    expect(differ).toBeGreaterThan(800);
    expect(differ).toBeLessThan(1200);
  });

  it('rejects a validationSplit outside [0, 1] and a non-integer seed', () => {
    expect(() => route({ validationSplit: -0.1 })).toThrow(ConfigError);
    expect(() => route({ validationSplit: 1.5 })).toThrow(ConfigError);
    expect(() => route({ validationSplit: NaN })).toThrow(ConfigError);
    expect(() => route({ validationSplit: 0.2, seed: 0.5 })).toThrow(ConfigError);
  });
});
