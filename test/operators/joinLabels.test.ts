import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import { parseSyntheticUri } from '../../src/sources/synthetic.js';
import { createTrainingParts } from '../../src/training/TrainingParts.js';
import type { ArrivalSample, RawRecord, Rejected } from '../../src/types.js';

const N = 6000;
const DELAY = 200;
const brokers = 'kafka://127.0.0.1:9092';

/** SEA as two topics: features (no label) keyed by index, and `{"label": y}` sent DELAY records later; plus extras. */
async function splitStream(options: { missing?: Set<number>; orphans?: number[]; duplicates?: Set<number> } = {}): Promise<RawRecord[]> {
  const synth = parseSyntheticUri(`synth:sea?n=${N}&seed=5`);
  const rows: Record<string, unknown>[] = [];
  for await (const r of synth.records) rows.push(r.fields as Record<string, unknown>);
  const out: RawRecord[] = [];
  const push = (topic: string, key: string, fields: Record<string, unknown>, time: number): void => {
    const raw = JSON.stringify(fields);
    const origin = { topic, partition: 0, offset: String(out.length), key: Buffer.from(key), value: Buffer.from(raw) };
    out.push({ index: out.length, position: `${topic}/0@${out.length}`, key, raw, time, fields, origin });
  };
  const label = (j: number): void => {
    if (options.missing?.has(j)) return;
    push('l', String(j), { label: rows[j]?.y }, 1000 + j + DELAY);
    if (options.duplicates?.has(j)) push('l', String(j), { label: rows[j]?.y }, 1000 + j + DELAY);
  };
  rows.forEach((row, i) => {
    const { y: _y, ...features } = row;
    push('f', String(i), features, 1000 + i);
    if (options.orphans?.includes(i)) push('l', `ghost-${i}`, { label: 1 }, 1000 + i);
    if (i >= DELAY) label(i - DELAY);
  });
  for (let j = N - DELAY; j < N; j++) label(j);
  return out;
}

async function* iterate(records: readonly RawRecord[]): AsyncGenerator<RawRecord> {
  yield* records;
}

function setup(labels: boolean, extra: Record<string, unknown> = {}) {
  const config = parseConfig({
    source: `${brokers}/f`,
    task: 'binary',
    validationSplit: 0.1,
    model: { seed: 1 },
    ...(labels ? { labels: { source: `${brokers}/l`, ttlRecords: 1000, ...extra } } : {}),
  });
  const schema = { task: 'binary' as const, features: ['x1', 'x2', 'x3'], label: labels ? 'label' : 'y', classes: 2 };
  return { config, schema, parts: createTrainingParts(config, schema) };
}

describe('joinLabels in the pipeline (labels on their own topic)', () => {
  it('learns every record once with its label, scores the arrival prediction, and is close to the inline run', async () => {
    const delayed = setup(true);
    const rejected: Rejected[] = [];
    const seen = new Map<number, number>();
    let arrivals = 0;
    const result = await runPipeline({
      ...delayed,
      records: iterate(await splitStream()),
      onRejected: (r) => rejected.push(r),
      onBatch: (report) => {
        for (const s of report.batch.samples) {
          seen.set(s.index, (seen.get(s.index) ?? 0) + 1);
          if ((s as ArrivalSample).arrival) arrivals++;
        }
        // Everything up to doneThrough is learned, dead-lettered or waiting: never past what was read.
        expect(report.doneThrough).toBeGreaterThanOrEqual(report.batch.samples.at(-1)!.index);
      },
    });
    expect(rejected).toEqual([]);
    expect(result.counts.total).toBe(N);
    expect(result.counts.trained + result.counts.holdout).toBe(N);
    expect(seen.size).toBe(N);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(arrivals).toBe(N);
    expect(delayed.parts.labels?.pending).toBe(0);

    const inline = setup(false);
    const synth = parseSyntheticUri(`synth:sea?n=${N}&seed=5`);
    const keyed = (async function* () {
      for await (const r of synth.records) yield { ...r, key: String(r.index) };
    })();
    const reference = await runPipeline({ ...inline, records: keyed, onRejected: () => {} });
    const a = result.evaluation.cumulative.train.accuracy ?? NaN;
    const b = reference.evaluation.cumulative.train.accuracy ?? NaN;
    expect(b).toBeGreaterThan(0.75);
    expect(Math.abs(a - b)).toBeLessThan(0.03);
  });

  it('dead-letters expired records, orphan and duplicate labels with their reasons, and counts them', async () => {
    const { config, schema, parts } = setup(true);
    const rejected: Rejected[] = [];
    const missing = new Set([100, 2500]);
    const result = await runPipeline({
      config,
      schema,
      parts,
      records: iterate(await splitStream({ missing, orphans: [300], duplicates: new Set([700]) })),
      onRejected: (r) => rejected.push(r),
    });
    const by = (reason: string) => rejected.filter((r) => r.reason === reason).map((r) => r.key);
    expect(by('label_expired')).toEqual(['100', '2500']);
    expect(by('orphan_label')).toEqual(['ghost-300']);
    expect(by('duplicate_label')).toEqual(['700']);
    expect(result.counts.rejectedByReason).toEqual({ label_expired: 2, orphan_label: 1, duplicate_label: 1 });
    // total = records + rejected labels = learned + rejected (nothing left waiting)
    expect(result.counts.total).toBe(N + 2);
    expect(result.counts.trained + result.counts.holdout + result.counts.rejected).toBe(result.counts.total);
    expect(parts.labels?.pending).toBe(0);
  });

  it('resumes from a snapshot of the waiting set: the same records learned, none twice', async () => {
    const stream = await splitStream();
    const cut = Math.floor(stream.length / 2);
    const first = setup(true);
    const learned: number[] = [];
    await runPipeline({ ...first, records: iterate(stream.slice(0, cut)), onRejected: () => {}, onBatch: (r) => learned.push(...r.batch.samples.map((s) => s.index)) });
    const waiting = first.parts.labels?.pending ?? 0;
    expect(waiting).toBeGreaterThan(DELAY / 2);
    const snapshot = JSON.parse(JSON.stringify(first.parts.labels?.snapshot()));
    const second = setup(true);
    second.parts.labels?.restore(snapshot);
    expect(second.parts.labels?.pending).toBe(waiting);
    await runPipeline({ ...second, records: iterate(stream.slice(cut)), onRejected: () => {}, onBatch: (r) => learned.push(...r.batch.samples.map((s) => s.index)) });
    expect(learned.length).toBe(N);
    expect(new Set(learned).size).toBe(N);
  });
});
