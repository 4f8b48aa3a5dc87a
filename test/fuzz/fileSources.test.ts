import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { hashUnit } from '../../src/records/hashKey.js';
import { runPipeline, type PipelineResult } from '../../src/pipeline.js';
import { resolveSchema } from '../../src/training/resolveSchema.js';
import { createTrainingParts } from '../../src/training/TrainingParts.js';
import { openSource } from '../../src/sources/openSource.js';
import { REJECT_REASONS, type Rejected, type ScaledSample, type Schema } from '../../src/types.js';
import { csvFile, jsonlFile, LONG, shown, type FuzzFile } from './badRecords.js';
import { FuzzTally } from './FuzzTally.js';

/**
 * Bad input through the REAL pipeline: fuzzed CSV and JSON Lines files (see badRecords.ts for what
 * a record is) are read by `openSource` and run by `runPipeline` with a real Trainer on the cpu
 * backend. Every record must come out exactly once, as a learned or scored sample with the right
 * values and split, or as a rejection with the reason the README's rules give; the counts must add
 * up; nothing may throw or hang (fast-check's `timeout` turns a hang into a counterexample).
 */

const tally = new FuzzTally('file sources');
let dir: string;
let serial = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'streamtune-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  console.log(tally.line());
});

interface RunSettings {
  readonly batchSize: number;
  readonly validationSplit: number;
}
const runSettings: fc.Arbitrary<RunSettings> = fc.record({
  batchSize: fc.integer({ min: 1, max: 16 }),
  validationSplit: fc.constantFrom(0, 0.3, 1),
});

interface Outcome {
  readonly path: string;
  readonly rejected: readonly Rejected[];
  readonly samples: readonly ScaledSample[];
  readonly result: PipelineResult;
}

/** Writes the file and runs it through openSource and runPipeline, as `streamtune train` does. */
async function run(file: FuzzFile, settings: RunSettings, schemaOf?: (columns: readonly string[]) => Schema): Promise<Outcome> {
  const path = join(dir, `f${++serial}.${file.format}`);
  await writeFile(path, file.bytes);
  try {
    const { task, classes, features, label } = file.schema;
    const config = parseConfig({
      source: path,
      task,
      ...(task === 'multiclass' ? { classes } : {}),
      label,
      features: [...features],
      validationSplit: settings.validationSplit,
      batch: { size: settings.batchSize },
      model: { layers: [{ type: 'dense', units: 4 }], seed: 1 },
    });
    const opened = await openSource(path, { features, label });
    const schema = schemaOf ? schemaOf(opened.columns) : resolveSchema(config, opened.columns, opened.name);
    const parts = createTrainingParts(config, schema);
    const rejected: Rejected[] = [];
    const samples: ScaledSample[] = [];
    try {
      const result = await runPipeline({
        config,
        schema,
        records: opened.records,
        parts,
        onRejected: (r) => rejected.push(r),
        onBatch: ({ batch }) => samples.push(...batch.samples),
      });
      return { path, rejected, samples, result };
    } finally {
      parts.engine.dispose();
    }
  } finally {
    await rm(path, { force: true });
  }
}

const show = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...(${text.length} chars)` : text);

/** Compares an outcome with what the file's generator expects; returns the mismatches (empty = all good). */
function mismatches(file: FuzzFile, settings: RunSettings, outcome: Outcome): string[] {
  const problems: string[] = [];
  const { records } = file;
  const { rejected, samples, result, path } = outcome;
  const handled = new Map<number, { sample?: ScaledSample; rejected?: Rejected }>();
  for (const r of rejected) {
    if (handled.has(r.index)) problems.push(`record ${r.index} handled twice (rejected ${r.reason})`);
    handled.set(r.index, { rejected: r });
  }
  for (const s of samples) {
    if (handled.has(s.index)) problems.push(`record ${s.index} handled twice (sample)`);
    handled.set(s.index, { sample: s });
  }
  let lost = 0;
  records.forEach((record, index) => {
    const what = `record ${index} (${record.kind}) ${show(record.text)}`;
    const got = handled.get(index);
    if (!got) {
      lost++;
      problems.push(`${what}: lost (neither learned, scored nor rejected)`);
      return;
    }
    const { expected } = record;
    if (expected.ok) {
      if (!got.sample) return problems.push(`${what}: expected a sample, got reject ${got.rejected?.reason}: ${got.rejected?.detail}`);
      const x = Array.from(got.sample.x);
      if (x.length !== expected.x.length || x.some((v, i) => !Object.is(v, expected.x[i]))) {
        problems.push(`${what}: features ${JSON.stringify(x)}, expected ${JSON.stringify(Array.from(expected.x))}`);
      }
      if (!Object.is(got.sample.y, expected.y)) problems.push(`${what}: label ${got.sample.y}, expected ${expected.y}`);
      if (got.sample.position !== `${path}:${record.line}`) problems.push(`${what}: position ${got.sample.position}, expected ${path}:${record.line}`);
      const split = hashUnit(String(index), 0) < settings.validationSplit ? 'holdout' : 'train';
      if (got.sample.split !== split) problems.push(`${what}: routed to ${got.sample.split}, expected ${split}`);
    } else {
      const r = got.rejected;
      if (!r) return problems.push(`${what}: expected reject ${expected.reason}, got a sample x=${JSON.stringify(Array.from(got.sample?.x ?? []))} y=${got.sample?.y}`);
      if (r.reason !== expected.reason) problems.push(`${what}: rejected as ${r.reason} (${r.detail}), expected ${expected.reason}`);
      if (!(REJECT_REASONS as readonly string[]).includes(r.reason)) problems.push(`${what}: unknown reason ${r.reason}`);
      if (r.detail.length === 0) problems.push(`${what}: no detail`);
      if (r.position !== `${path}:${record.line}`) problems.push(`${what}: position ${r.position}, expected ${path}:${record.line}`);
    }
    return undefined;
  });
  for (const index of handled.keys()) if (index < 0 || index >= records.length) problems.push(`unexpected record index ${index}`);
  const bad = records.filter((r) => !r.expected.ok).length;
  const { counts } = result;
  if (counts.total !== records.length) problems.push(`counts.total ${counts.total}, expected ${records.length} records`);
  if (counts.trained + counts.holdout + counts.rejected !== counts.total) problems.push(`counts do not add up: ${JSON.stringify(counts)}`);
  if (counts.rejected !== bad || counts.trained + counts.holdout !== records.length - bad) {
    problems.push(`counts ${counts.trained}+${counts.holdout}+${counts.rejected}, expected ${records.length - bad} valid + ${bad} bad`);
  }
  const byReason = Object.values(counts.rejectedByReason).reduce((a, b) => a + (b ?? 0), 0);
  if (byReason !== counts.rejected) problems.push(`rejectedByReason sums to ${byReason}, rejected is ${counts.rejected}`);

  tally.files++;
  tally.records += records.length;
  tally.bad += bad;
  tally.losses += lost;
  for (const r of rejected) tally.countReason(r.reason);
  return problems;
}

/** Where each row of a well-formed CSV text starts (line breaks inside quotes do not end one), and whether it is blank. */
function csvRows(text: string): Array<{ start: number; blank: boolean }> {
  const rows: Array<{ start: number; blank: boolean }> = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (i === text.length || (!quoted && (c === '\n' || c === '\r'))) {
      rows.push({ start, blank: /^[ \t]*$/.test(text.slice(start, i).replace(/^\ufeff/, '')) });
      if (c === '\r' && text[i + 1] === '\n') i++;
      start = i + 1;
    }
  }
  if (rows.length > 1 && rows.at(-1)!.start === text.length) rows.pop(); // after a trailing line break
  return rows;
}

const property = (files: fc.Arbitrary<FuzzFile>, schemaOf?: (file: FuzzFile) => Schema) =>
  fc.asyncProperty(files, runSettings, async (file, settings) => {
    const outcome = await run(file, settings, schemaOf && (() => schemaOf(file)));
    const problems = mismatches(file, settings, outcome);
    expect(problems.slice(0, 8).join('\n'), `${problems.length} problems with this ${file.format} file`).toBe('');
  });

// fast-check turns a run over `timeout` into a failure (a hang is a bug); vitest's own timeout bounds the whole test.
const budget = { numRuns: 80, timeout: 20_000 } as const;

describe('fuzzed files through the real pipeline', () => {
  it('CSV: every record is learned, scored or rejected with its reason, exactly once, and the counts add up', async () => {
    await fc.assert(property(csvFile), budget);
  }, 120_000);

  it('JSON Lines: every record is learned, scored or rejected with its reason, exactly once, and the counts add up', async () => {
    // The schema comes from the config here, not from the first object's keys: see the known bug below.
    // Files without any JSON object or array line are left out for the same bug's sake.
    const runnable = jsonlFile.filter((file) => file.records.some((r) => r.kind === 'object' || r.kind === 'array'));
    await fc.assert(property(runnable, (file) => file.schema), budget);
  }, 120_000);

  it('CSV: a broken quote inserted between any two rows is dead-lettered once as malformed_csv at its line; every other record comes out as before', async () => {
    // Each breaks the record it opens whatever follows: text after a closing quote, or a quote that is
    // never closed (put last, or before rows without any quote that could close it).
    const broken = ['"ab"c,1,0', 'a,"b"c', '"x" y', `"${'z'.repeat(LONG)}"z`];
    const unclosed = ['"abc,1,0', '1,"2', `"${'z'.repeat(LONG)}`];
    await fc.assert(
      fc.asyncProperty(csvFile, fc.nat(broken.length + unclosed.length - 1), fc.nat(), runSettings, async (file, which, at, settings) => {
        const text = file.bytes.toString('latin1');
        const rows = csvRows(text);
        const isUnclosed = which >= broken.length;
        const bad = isUnclosed ? unclosed[which - broken.length]! : broken[which]!;
        // Insert before row k (k >= 1: after the header), or at the end.
        const candidates = rows.map((_, k) => k).filter((k) => k >= 1 && (!isUnclosed || !text.slice(rows[k]!.start).includes('"')));
        const k = candidates.length === 0 || at % (candidates.length + 1) === candidates.length ? rows.length : candidates[at % (candidates.length + 1)]!;
        const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
        const offset = k < rows.length ? rows[k]!.start : text.length;
        const inserted = k < rows.length ? bad + eol : (/(\r\n|\r|\n)$/.test(text) ? '' : eol) + bad;
        const bytes = text.slice(0, offset) + inserted + text.slice(offset);
        const badLine = bytes.slice(0, offset + (k < rows.length ? 0 : inserted.length - bad.length)).split(/\r\n|\r|\n/).length;
        const index = rows.slice(1, k).filter((row) => !row.blank).length;
        // The rows after it begin one line further down.
        const records = file.records.map((r, i) => (i < index ? r : { ...r, line: r.line + 1 }));
        records.splice(index, 0, { kind: 'malformed', expected: { ok: false, reason: 'malformed_csv' }, line: badLine, text: bad });
        const edited = shown({ ...file, bytes: Buffer.from(bytes, 'latin1'), records });
        const outcome = await run(edited, settings);
        const problems = mismatches(edited, settings, outcome);
        const dead = outcome.rejected.filter((r) => r.reason === 'malformed_csv');
        if (dead.length !== 1) problems.push(`${dead.length} malformed_csv records, expected 1`);
        else if (dead[0]!.position !== `${outcome.path}:${badLine}`) problems.push(`malformed_csv at ${dead[0]!.position}, expected line ${badLine}`);
        else if (dead[0]!.raw !== bad.slice(0, 4096)) problems.push(`malformed_csv raw ${show(dead[0]!.raw)}, expected ${show(bad)}`);
        expect(problems.slice(0, 8).join('\n'), `${problems.length} problems`).toBe('');
      }),
      { numRuns: 40, timeout: 20_000 },
    );
  }, 120_000);
});

describe('edge cases found by fuzzing (fixed)', () => {
  const file = (format: 'csv' | 'jsonl', text: string, schema: Schema): FuzzFile => ({ format, schema, bytes: Buffer.from(text), records: [], blankLines: 0 });
  const binary = (...features: string[]): Schema => ({ task: 'binary', classes: 2, features, label: 'y' });

  it('CSV: a row of empty cells (",,") is rejected as empty_value, not silently skipped', async () => {
    const outcome = await run(file('csv', 'x1,x2,y\n,,\n1,2,0\n', binary('x1', 'x2')), { batchSize: 4, validationSplit: 0 });
    expect(outcome.result.counts).toMatchObject({ total: 2, trained: 1, rejected: 1 });
    expect(outcome.rejected.map((r) => r.reason)).toEqual(['empty_value']);
  });

  it('JSON Lines: configured features and label are used even when the first object lacks one of them', async () => {
    const outcome = await run(file('jsonl', '{"x1":1,"y":0}\n{"x1":1,"x2":2,"y":0}\n', binary('x1', 'x2')), { batchSize: 4, validationSplit: 0 });
    expect(outcome.result.counts).toMatchObject({ total: 2, trained: 1, rejected: 1 });
  });

  it('JSON Lines: a file with no JSON object runs (every line rejected) when features and label are configured', async () => {
    const outcome = await run(file('jsonl', 'oops\n"text"\n', binary('x1')), { batchSize: 4, validationSplit: 0 });
    expect(outcome.result.counts).toMatchObject({ total: 2, rejected: 2 });
  });
});
