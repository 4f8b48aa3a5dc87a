import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/runCli.js';
import { kcatProduce } from '../support/kcatProduce.js';
import { seededRandom } from '../support/seededRandom.js';
import type { PredictionLine } from '../support/predictionLine.js';
import { sharedData } from '../support/sharedData.js';
import { committedOffsets, consumeAll, createTopic, deleteTopics, uniqueName } from '../support/topics.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-predictions-it-'));
const common = ['--metrics-port', '0', '--progress', 'off'];

interface Summary {
  records: { total: number; trained: number; holdout: number; rejected: number };
}

/** The first `n` data rows of Elec2 as a header and lines. */
function elec2(n: number): { header: string[]; lines: string[] } {
  const [head, ...lines] = readFileSync(sharedData('elec2.csv'), 'utf8').trim().split(/\r?\n/).slice(0, n + 1);
  return { header: head!.split(','), lines };
}

describe('predictions out (real broker, real processes)', () => {
  it('--predictions-topic: one keyed prediction per scored record, with version and position; offsets committed', async () => {
    const brokers = inject('kafkaBrokers');
    const source = uniqueName('pred-in');
    const sink = uniqueName('pred-out');
    const group = uniqueName('pred-group');
    topics.push(source, sink);
    await createTopic(brokers, source, 3);
    const { header, lines } = elec2(3000);
    const messages = lines.map((line, i) => {
      const values = line.split(',');
      const value = i % 500 === 7 ? '{"date": "oops"}' : JSON.stringify(Object.fromEntries(header.map((h, k) => [h, Number(values[k])])));
      return { key: `meter-${i % 40}`, value };
    });
    await kcatProduce(brokers, source, messages);
    const summaryPath = join(tmp, 'kafka.summary.json');
    const { code, stderr } = await runCli([
      'train', ...common, '--source', `kafka://${brokers}/${source}`, '--group', group, '--stop-at-end',
      '--predictions-topic', sink, '--summary-json', summaryPath, '--dead-letter', join(tmp, 'kafka.dead.jsonl'),
    ]).done;
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Summary;
    expect(summary.records.total).toBe(3000);
    expect(summary.records.rejected).toBe(6);
    const published = await consumeAll(brokers, sink);
    // Exactly one prediction per scored record: the rejected ones have none.
    expect(published).toHaveLength(summary.records.trained + summary.records.holdout);
    const parsed = published.map((m) => ({ key: m.key?.toString(), line: JSON.parse(m.value!.toString()) as PredictionLine }));
    expect(new Set(parsed.map((p) => p.line.position)).size).toBe(published.length);
    for (const { key, line } of parsed) {
      expect(key).toMatch(/^meter-\d+$/);
      expect(line.key).toBe(key);
      expect(line.position).toMatch(new RegExp(`^${source}/[0-2]@\\d+$`));
      expect(Number.isInteger(line.version) && line.version >= 0).toBe(true);
      expect(line.probabilities).toHaveLength(2);
      expect(line.prediction).toBe(line.probabilities![1]! > 0.5 ? 1 : 0);
    }
    expect(parsed.filter((p) => p.line.split === 'holdout')).toHaveLength(summary.records.holdout);
    expect(Math.max(...parsed.map((p) => p.line.version))).toBeGreaterThan(500);
    // Ordered per key: each key's predictions follow its messages' offsets.
    const offsetsByKey = new Map<string, number[]>();
    for (const { key, line } of parsed) offsetsByKey.set(key!, [...(offsetsByKey.get(key!) ?? []), Number(line.position.split('@')[1])]);
    for (const offsets of offsetsByKey.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    const committed = [...(await committedOffsets(brokers, group, source)).values()].reduce((a, b) => a + b, 0);
    expect(committed).toBe(3000);
  }, 180_000);

  it('--predictions: one JSON line per scored record, and after kill -9 and restarts from checkpoints each record exactly once', async () => {
    const { header, lines } = elec2(12_000);
    const rows = lines.map((l, i) => (i % 997 === 5 ? l.replace(/^[^,]*/, 'abc') : l));
    const path = join(tmp, 'elec2-12k.csv');
    writeFileSync(path, [header.join(','), ...rows].join('\n') + '\n');
    const bad = rows.filter((l) => l.startsWith('abc')).length;
    const clean = join(tmp, 'clean.jsonl');
    const first = await runCli(['train', ...common, '--source', path, '--predictions', clean, '--dead-letter', join(tmp, 'clean.dead.jsonl')]).done;
    expect(first.code, first.stderr).toBe(0);
    const cleanLines = readFileSync(clean, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PredictionLine);
    expect(cleanLines).toHaveLength(12_000 - bad);
    expect(cleanLines.map((l) => l.position)).toEqual(rows.flatMap((l, i) => (l.startsWith('abc') ? [] : [`${path}:${i + 2}`])));

    const out = join(tmp, 'crash.jsonl');
    const summaryPath = join(tmp, 'crash.summary.json');
    const args = [
      'train', ...common, '--source', path, '--predictions', out, '--checkpoint-dir', join(tmp, 'ckpt'), '--checkpoint-every', '1000',
      '--rate', '5000', '--dead-letter', join(tmp, 'crash.dead.jsonl'), '--summary-json', summaryPath,
    ];
    const rand = seededRandom(5);
    let kills = 0;
    while (kills < 4 && !existsSync(summaryPath)) {
      const run = runCli(args);
      await run.metricsUrl;
      await new Promise((r) => setTimeout(r, 400 + rand() * 900));
      const killed = run.child.kill('SIGKILL');
      const { code, signal } = await run.done;
      if (killed && signal === 'SIGKILL') kills++;
      else expect(code).toBe(0);
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    if (!existsSync(summaryPath)) {
      const last = await runCli(args).done;
      expect(last.code, last.stderr).toBe(0);
    }
    const crashed = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PredictionLine);
    // Each scored record once, in order: the lines after a checkpoint were cut and written again.
    expect(crashed.map((l) => l.position)).toEqual(cleanLines.map((l) => l.position));
    // The resumed state is the one the clean run had: the same predictions, nearly always.
    const same = crashed.filter((l, i) => l.prediction === cleanLines[i]!.prediction).length;
    expect(same / crashed.length).toBeGreaterThan(0.95);
  }, 240_000);

  it('POST /predict on a running trainer answers from the current champion, with its version', async () => {
    const run = runCli(['train', ...common, '--source', sharedData('elec2.csv'), '--rate', '4000', '--serve-predict', '--dead-letter', join(tmp, 'serve.dead.jsonl')]);
    try {
      const url = await run.metricsUrl;
      const { header, lines } = elec2(32);
      const body = JSON.stringify(lines.map((l) => Object.fromEntries(header.map((h, k) => [h, l.split(',')[k]]))));
      const versions: number[] = [];
      // The endpoint answers 503 until the run is attached (the metrics server starts first).
      for (let waited = 0; waited < 30_000; waited += 100) {
        if ((await fetch(`${url}/predict`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })).status !== 503) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${url}/predict`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
        expect(res.status).toBe(200);
        const answer = (await res.json()) as { version: number; predictions: { prediction: number; probabilities: number[] }[] };
        expect(answer.predictions).toHaveLength(32);
        for (const p of answer.predictions) expect(p.probabilities[0]! + p.probabilities[1]!).toBeCloseTo(1, 5);
        versions.push(answer.version);
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(versions.at(-1)!).toBeGreaterThan(versions[0]!); // the model learns while it serves
      const bad = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify([{ ...JSON.parse(body)[0], nswprice: 'high' }]) });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ row: 0, field: 'nswprice' });
      const big = await fetch(`${url}/predict`, { method: 'POST', body: 'x'.repeat(2_000_000) });
      expect(big.status).toBe(413);
    } finally {
      run.child.kill('SIGTERM');
      await run.done;
    }
  }, 120_000);
});

const topics: string[] = [];
afterAll(async () => {
  if (topics.length > 0) await deleteTopics(inject('kafkaBrokers'), topics).catch(() => undefined);
});
