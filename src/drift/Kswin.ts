import { z } from 'zod';
import { DriftDetectorBase } from './DriftDetectorBase.js';
import { ksTwoSample } from './ksTwoSample.js';
import { PythonRandom, type PythonRandomState } from './PythonRandom.js';
import { setting } from './setting.js';
import type { SnapshotReader } from './SnapshotReader.js';

const settingsSchema = z
  .strictObject({
    /** Significance of the Kolmogorov-Smirnov test (River: 0.005). */
    alpha: setting.inUnitInterval().default(0.005),
    /** Length of the sliding window (River: 100). */
    windowSize: setting.intAtLeast(2).default(100),
    /** Length of the recent part compared with a sample of the older part (River: 30; at most 10,000). */
    statSize: setting.intInRange(1, 10_000).default(30),
    /**
     * Seed of the sampling generator, drawn as Python's `random.Random(seed)` would (River: None).
     * Absent: a random seed at construction and after each drift, as River does without a seed.
     */
    seed: setting.seed().optional(),
    /** Values already collected, to avoid a cold start (River: None). */
    window: setting.numbers().optional(),
  })
  .refine(({ windowSize, statSize }) => windowSize >= 2 * statSize, {
    path: ['windowSize'],
    error: ({ input }) => `an integer >= 2 * statSize = ${2 * (input as { statSize: number }).statSize}`,
  });

/** Settings of {@link Kswin}: River's parameters and defaults. */
export type KswinSettings = z.input<typeof settingsSchema>;

/** Learned state of {@link Kswin}. */
export interface KswinSnapshot {
  /** Updates since the start or the last drift. */
  readonly n: number;
  /** The sliding window's values, oldest first. */
  readonly values: number[];
  /** Statistic and p-value of the last test (0 and 0 before any). */
  readonly statistic: number;
  readonly pValue: number;
  readonly rng: PythonRandomState;
  readonly driftDetected: boolean;
}

interface State {
  n: number;
  window: number[];
  statistic: number;
  pValue: number;
  rng: PythonRandom;
}

/**
 * KSWIN (Kolmogorov-Smirnov windowing, Raab et al. 2020), a port of River's `drift.KSWIN`: once the
 * sliding window is full, the last `statSize` values are compared by a two-sample KS test with
 * `statSize` values drawn without replacement from the rest; a drift is signalled when
 * p <= alpha and D > 0.1. With a `seed` the draws, hence the detections, are River's own.
 *
 * @example
 * const kswin = new Kswin({ alpha: 0.0001, seed: 42 });
 * for (const loss of losses) {
 *   kswin.update(loss);
 *   if (kswin.driftDetected) console.log('drift, p =', kswin.stats().pValue);
 * }
 */
export class Kswin extends DriftDetectorBase<typeof settingsSchema, State, KswinSnapshot> {
  constructor(settings: KswinSettings = {}) {
    super('kswin', settingsSchema, settings);
  }

  /** The state after construction and `reset()`: the initial `window` (if any), generator re-seeded. */
  protected initial(): State {
    return { ...this.afterDrift(), window: [...(this.settings.window ?? [])].slice(-this.settings.windowSize) };
  }

  /** River's `_reset` after a drift: empty window, counters to zero, generator re-seeded. */
  protected override afterDrift(): State {
    return { n: 0, window: [], statistic: 0, pValue: 0, rng: newRng(this.settings.seed) };
  }

  protected step(x: number): boolean {
    const { windowSize, statSize, alpha } = this.settings;
    const s = this.state;
    s.n += 1;
    s.window.push(x);
    if (s.window.length > windowSize) s.window.shift();
    if (s.window.length < windowSize) return false;
    const sampled = s.rng.sample(windowSize - statSize, statSize).map((i) => s.window[i] as number);
    const recent = s.window.slice(windowSize - statSize);
    const { statistic, pValue } = ksTwoSample(sampled, recent);
    s.statistic = statistic;
    s.pValue = pValue;
    const drift = pValue <= alpha && statistic > 0.1;
    if (drift) s.window = recent;
    return drift;
  }

  /** n, the window's length, and the statistic and p-value of the last test. */
  stats(): Record<string, number> {
    const s = this.state;
    return { n: s.n, windowLength: s.window.length, statistic: s.statistic, pValue: s.pValue };
  }

  protected save(): Omit<KswinSnapshot, 'driftDetected'> {
    const s = this.state;
    return { n: s.n, values: [...s.window], statistic: s.statistic, pValue: s.pValue, rng: s.rng.getState() };
  }

  protected load(read: SnapshotReader): State {
    const values = read.numbers('values');
    read.check(values.length <= this.settings.windowSize, `"values" holds at most windowSize = ${this.settings.windowSize} values`);
    const state = { n: read.count('n'), window: [...values], statistic: read.number('statistic'), pValue: read.number('pValue') };
    const rng = newRng(this.settings.seed);
    rng.setState(read.raw('rng') as PythonRandomState);
    return { ...state, rng };
  }
}

function newRng(seed: number | undefined): PythonRandom {
  return new PythonRandom(seed ?? Math.floor(Math.random() * 2 ** 32));
}
