import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDetector, type DetectorSpec } from '../../src/drift/createDetector.js';
import type { DriftDetector } from '../../src/drift/DriftDetector.js';
import { bernoulliStream, gaussianStream } from './driftStreams.js';

// Parity with River: the same sequences go through our detectors and River's (one Python call for
// all cases), and the detection and warning indices must be identical, as must a few statistics
// right after each detection and at the end (ADWIN's window sum and variance, Page-Hinkley's sums).
//
// Known, documented arithmetic differences, none of which moves a detection on these sequences:
// - ADWIN's bound takes ln(width): Rust calls libm's log, we call V8's Math.log; they can differ in
//   the last bit, which could only matter if |mean0 - mean1| equalled the bound to 1 ulp.
// - EDDM's s' is `var ** 0.5` in River (libm pow, not always correctly rounded) and Math.sqrt here.
// - KSWIN: where SciPy's exact p-value sum leaves [0, 1] through rounding (p about 1), SciPy switches
//   to its asymptotic p-value and we clip; p-values are compared with a tolerance for that reason,
//   and detections (which need p <= alpha) are unaffected.
// KSWIN is compared with seeds only: River without a seed draws from the OS.

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const python = join(repo, '.venv-river', 'bin', 'python');
const script = join(here, 'river_reference.py');
const setup = join(here, 'setup-river.sh');
const pinned = /RIVER_VERSION=(\S+)/.exec(readFileSync(setup, 'utf8'))?.[1];

interface RiverResult {
  drifts: number[];
  warnings: number[] | null;
  /** Statistics right after each drift, and at the end. */
  atDrifts: Record<string, number>[];
  final: Record<string, number>;
}

interface Case {
  name: string;
  spec: DetectorSpec;
  sequence: number[];
}

function runRiver(input: unknown): unknown {
  if (!existsSync(python)) {
    throw new Error(
      `River parity tests need the venv ${python}, which is missing: run \`bash test/drift/setup-river.sh\` ` +
        '(it creates it and installs the pinned River).',
    );
  }
  const out = execFileSync(python, [script], { input: JSON.stringify(input), maxBuffer: 1 << 28, encoding: 'utf8' });
  return JSON.parse(out) as unknown;
}

const stable = gaussianStream(14, [{ length: 5000, from: 2 }]);
const realSequences: Record<string, number[]> = {
  'gaussian, abrupt 0 -> 1.5 -> -0.5 (6000)': gaussianStream(11, [
    { length: 2000, from: 0 },
    { length: 2000, from: 1.5 },
    { length: 2000, from: -0.5 },
  ]),
  'gaussian, small shift 0 -> 0.5 at 5000 (10000)': gaussianStream(12, [
    { length: 5000, from: 0 },
    { length: 5000, from: 0.5 },
  ]),
  'gaussian, gradual 0 -> 3 over 2000 (8000)': gaussianStream(13, [
    { length: 3000, from: 0 },
    { length: 2000, from: 0, to: 3 },
    { length: 3000, from: 3 },
  ]),
  'gaussian, no drift (5000)': stable,
  'squared error, scale 1 -> 1.6 at 2000 (4000)': gaussianStream(15, [{ length: 4000, from: 0 }]).map(
    (z, i) => (z * (i < 2000 ? 1 : 1.6)) ** 2,
  ),
};
const binarySequences: Record<string, number[]> = {
  'errors 0.1 -> 0.4 at 5000 (10000)': bernoulliStream(21, [
    { length: 5000, from: 0.1 },
    { length: 5000, from: 0.4 },
  ]),
  'errors 0.1 -> 0.4 gradually over 3000 (8000)': bernoulliStream(22, [
    { length: 3000, from: 0.1 },
    { length: 3000, from: 0.1, to: 0.4 },
    { length: 2000, from: 0.4 },
  ]),
  'errors 0.2, no drift (6000)': bernoulliStream(23, [{ length: 6000, from: 0.2 }]),
  'errors 0.3 -> 0.05 at 1000 (2000)': bernoulliStream(24, [
    { length: 1000, from: 0.3 },
    { length: 1000, from: 0.05 },
  ]),
};

const anyInput: DetectorSpec[] = [
  { type: 'pageHinkley' },
  { type: 'pageHinkley', mode: 'up', threshold: 25 },
  { type: 'pageHinkley', mode: 'down', threshold: 20, delta: 0.01 },
  { type: 'pageHinkley', alpha: 0.999, minInstances: 100 },
  { type: 'adwin' },
  { type: 'adwin', clock: 1 },
  { type: 'adwin', delta: 0.05, clock: 4, maxBuckets: 3, minWindowLength: 10, gracePeriod: 50 },
];
// River's KSWIN runs a SciPy test per update (about 0.5 ms): fewer pairs keep the Python call short.
const kswinPairs: [DetectorSpec, string][] = [
  [{ type: 'kswin', seed: 42 }, 'gaussian, abrupt 0 -> 1.5 -> -0.5 (6000)'],
  [{ type: 'kswin', seed: 42 }, 'errors 0.3 -> 0.05 at 1000 (2000)'],
  [{ type: 'kswin', seed: 7, alpha: 0.0001, windowSize: 200, statSize: 50 }, 'squared error, scale 1 -> 1.6 at 2000 (4000)'],
  // Python samples with a set here, not a pool
  [{ type: 'kswin', seed: 3, windowSize: 500, statSize: 30 }, 'gaussian, gradual 0 -> 3 over 2000 (8000)'],
  [{ type: 'kswin', seed: 5, window: stable.slice(0, 100) }, 'gaussian, no drift (5000)'],
];
const binaryOnly: DetectorSpec[] = [
  { type: 'ddm' },
  { type: 'ddm', warmStart: 100, warningThreshold: 1.5, driftThreshold: 2.5 },
  { type: 'eddm' },
  { type: 'eddm', alpha: 0.8, beta: 0.75 },
  { type: 'hddmA' },
  { type: 'hddmA', twoSidedTest: true },
  { type: 'hddmA', driftConfidence: 0.0001, warningConfidence: 0.01, twoSidedTest: true },
];

function sequenceNamed(name: string): number[] {
  const sequence = realSequences[name] ?? binarySequences[name];
  if (!sequence) throw new Error(`no sequence named "${name}"`);
  return sequence;
}

const label = ({ type, window, ...rest }: DetectorSpec & { window?: unknown }): string =>
  `${type}${window ? ' (initial window)' : ''} ${JSON.stringify(rest)}`;

const cases: Case[] = [
  ...Object.entries({ ...realSequences, ...binarySequences }).flatMap(([name, sequence]) =>
    anyInput.map((spec) => ({ name: `${label(spec)} on ${name}`, spec, sequence })),
  ),
  ...Object.entries(binarySequences).flatMap(([name, sequence]) =>
    binaryOnly.map((spec) => ({ name: `${label(spec)} on ${name}`, spec, sequence })),
  ),
  ...kswinPairs.map(([spec, name]) => ({
    name: `${label(spec)} on ${name}`,
    spec,
    sequence: sequenceNamed(name),
  })),
];

type State = Record<string, number>;

/** The statistics River's script reports for a detector (see `state` in river_reference.py). */
function state(detector: DriftDetector): State {
  const stats = detector.stats();
  const pick = (...keys: string[]): State => Object.fromEntries(keys.map((k) => [k, stats[k] as number]));
  switch (detector.name) {
    case 'adwin': {
      // River's `variance` is the window's sum of squared deviations: ours is that over the width.
      const { width, total } = stats as { width: number; total: number };
      return { width, total, variance: (detector.snapshot() as { variance: number }).variance };
    }
    case 'pageHinkley':
      return pick('n', 'mean', 'sumIncrease', 'sumDecrease');
    case 'kswin':
      return pick('n', 'pValue', 'windowLength');
    case 'ddm':
      return pick('n', 'errorRate');
    case 'hddmA':
      return pick('n', 'mean', 'minCutN', 'minCutMean', 'maxCutN', 'maxCutMean');
    default:
      return pick('n', 'errors', 'meanDistance');
  }
}

/** Runs one of our detectors over a sequence, as the Python script runs River's. */
function runOurs(c: Case): RiverResult {
  const detector = createDetector(c.spec);
  const drifts: number[] = [];
  const warnings: number[] = [];
  const atDrifts: State[] = [];
  c.sequence.forEach((x, i) => {
    detector.update(x);
    if (detector.driftDetected) {
      drifts.push(i);
      atDrifts.push(state(detector));
    }
    if (detector.warningDetected) warnings.push(i);
  });
  return { drifts, warnings: detector.warningDetected === undefined ? null : warnings, atDrifts, final: state(detector) };
}

/** KSWIN's p-values are compared to 1e-12 (see the header); everything else must be identical. */
function comparable(s: State): State {
  return 'pValue' in s ? { ...s, pValue: Math.round((s.pValue as number) * 1e12) / 1e12 } : s;
}

describe('drift detectors match River', () => {
  let river: RiverResult[] = [];
  let failure: unknown;

  // A missing venv or another River version fails every test below (with the fix in the message).
  beforeAll(() => {
    try {
      const { river: version } = runRiver({ version: true }) as { river: string };
      if (version !== pinned) {
        throw new Error(`the venv has River ${version}, the tests pin ${pinned}: run \`bash test/drift/setup-river.sh\``);
      }
      river = runRiver(
        cases.map(({ spec: { type, ...settings }, sequence }) => ({ detector: type, params: settings, sequence })),
      ) as RiverResult[];
    } catch (error) {
      failure = error;
    }
  });

  it(`runs River ${pinned} from the project's venv`, () => {
    if (failure) throw failure;
    expect(river).toHaveLength(cases.length);
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    if (failure) throw failure;
    const theirs = river[i] as RiverResult;
    const ours = runOurs(cases[i] as Case);
    expect(ours.drifts).toEqual(theirs.drifts);
    expect(ours.warnings).toEqual(theirs.warnings);
    expect(ours.atDrifts.map(comparable)).toEqual(theirs.atDrifts.map(comparable));
    expect(comparable(ours.final)).toEqual(comparable(theirs.final));
  });

  it('compares cases that detect drifts and warnings, not only quiet ones', () => {
    if (failure) throw failure;
    const total = (pick: (r: RiverResult) => number) => river.reduce((n, r) => n + pick(r), 0);
    expect(total((r) => r.drifts.length)).toBeGreaterThan(100);
    expect(total((r) => r.warnings?.length ?? 0)).toBeGreaterThan(100);
    const detecting = river.filter((r) => r.drifts.length > 0).length;
    expect(detecting).toBeGreaterThan(cases.length / 2);
    for (const type of ['pageHinkley', 'adwin', 'kswin', 'ddm', 'eddm', 'hddmA']) {
      expect(cases.some((c, i) => c.spec.type === type && (river[i]?.drifts.length ?? 0) > 0), type).toBe(true);
    }
  });
});
