import type { Evaluation, SplitMetrics } from '../eval/Evaluator.js';
import type { RecordCounts } from '../records/RecordCounts.js';
import type { HyperParams, Task } from '../types.js';

/** The end-of-run summary (`--summary-json`), also printed as a table. NaN becomes null in JSON. */
export interface Summary {
  readonly source: string;
  readonly task: Task;
  readonly backend: string;
  /** The engine that computed the model: dense or tfjs. */
  readonly engine: string;
  readonly records: { total: number; trained: number; holdout: number; rejected: number };
  readonly rejectedByReason: RecordCounts['rejectedByReason'];
  readonly skippedSteps: number;
  readonly batches: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly prequential: SplitMetrics;
  readonly holdout: SplitMetrics;
  readonly window: Evaluation['window'];
  readonly baselines: Record<string, Record<string, number>>;
  readonly hyperParams: HyperParams;
  /** The population at the end (absent for a single model): the champion's id and every member. */
  readonly population?: SummaryPopulation;
  readonly tuningEvents: readonly unknown[];
  readonly interrupted: boolean;
}

export interface SummaryPopulation {
  readonly champion: number;
  readonly members: readonly { readonly id: number; readonly learningRate: number; readonly l2: number; readonly batchSize: number; readonly loss: number }[];
}

export function buildSummary(input: {
  source: string;
  task: Task;
  backend: string;
  engine: string;
  counts: RecordCounts;
  evaluation: Evaluation;
  seconds: number;
  /** Records read by this process (less than `counts.total` when it resumed from a checkpoint). */
  recordsThisRun?: number;
  hyperParams: HyperParams;
  population?: SummaryPopulation;
  tuningEvents?: readonly unknown[];
  interrupted: boolean;
}): Summary {
  const { counts, evaluation } = input;
  const baselines: Record<string, Record<string, number>> = {};
  for (const [name, b] of Object.entries(evaluation.baselines)) {
    if (b) baselines[name] = { ...b.cumulative };
  }
  return {
    source: input.source,
    task: input.task,
    backend: input.backend,
    engine: input.engine,
    records: { total: counts.total, trained: counts.trained, holdout: counts.holdout, rejected: counts.rejected },
    rejectedByReason: { ...counts.rejectedByReason },
    skippedSteps: counts.skippedSteps,
    batches: counts.batches,
    seconds: input.seconds,
    recordsPerSecond: input.seconds > 0 ? (input.recordsThisRun ?? counts.total) / input.seconds : 0,
    prequential: evaluation.cumulative.train,
    holdout: evaluation.cumulative.holdout,
    window: evaluation.window,
    baselines,
    hyperParams: input.hyperParams,
    ...(input.population ? { population: input.population } : {}),
    tuningEvents: input.tuningEvents ?? [],
    interrupted: input.interrupted,
  };
}

/** JSON text with non-finite numbers as null (JSON has no NaN). */
export function summaryJson(summary: Summary): string {
  return JSON.stringify(summary, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

/** A plain-text table for the terminal. */
export function formatSummary(s: Summary): string {
  const rows: Array<[string, string]> = [
    ['source', s.source],
    ['task / engine / backend', `${s.task} / ${s.engine} / ${s.backend}`],
    ['records', `${n(s.records.total)} total = ${n(s.records.trained)} trained + ${n(s.records.holdout)} holdout + ${n(s.records.rejected)} rejected`],
  ];
  const reasons = Object.entries(s.rejectedByReason);
  if (reasons.length > 0) rows.push(['rejected by reason', reasons.map(([r, c]) => `${r}: ${n(c ?? 0)}`).join(', ')]);
  rows.push(['time', `${s.seconds.toFixed(1)} s, ${n(Math.round(s.recordsPerSecond))} records/s`]);
  if (s.skippedSteps > 0) rows.push(['skipped steps', `${s.skippedSteps} (non-finite loss or gradients)`]);
  for (const [label, m] of [
    ['prequential (train)', s.prequential],
    ['holdout', s.holdout],
  ] as const) {
    rows.push([label, metricText(m)]);
  }
  for (const [name, b] of Object.entries(s.baselines)) {
    rows.push([`baseline ${name}`, metricText(b)]);
  }
  rows.push(['learning rate / l2', `${short(s.hyperParams.learningRate)} / ${short(s.hyperParams.l2)}`]);
  if (s.population) {
    const champion = s.population.members.find((m) => m.id === s.population?.champion);
    const batch = champion ? `, ${champion.batchSize} per step` : '';
    rows.push(['population', `${s.population.members.length} members, champion ${s.population.champion}${batch}`]);
  }
  if (s.tuningEvents.length > 0) {
    const byReason = new Map<string, number>();
    for (const e of s.tuningEvents as Array<{ reason: string }>) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
    rows.push(['tuning events', [...byReason].map(([r, c]) => `${r}: ${c}`).join(', ')]);
  }
  if (s.interrupted) rows.push(['stopped', 'interrupted by signal; the in-flight batch was finished']);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

function metricText(m: Partial<Record<string, number>>): string {
  return Object.entries(m)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${Number.isFinite(v) ? (v as number).toFixed(4) : '-'}`)
    .join('  ');
}

/** Four significant digits, without float noise (0.000054000000000000005 -> 0.000054). */
function short(x: number): string {
  return String(Number(x.toPrecision(4)));
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}
