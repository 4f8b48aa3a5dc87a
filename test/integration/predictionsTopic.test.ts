import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hashUnit } from '../../src/records/hashKey.js';
import { kcatProduce } from '../support/kcatProduce.js';
import { runCli, type CliRun } from '../support/runCli.js';
import type { PredictionLine } from '../support/predictionLine.js';
import { sharedData } from '../support/sharedData.js';
import { createTopic, deleteTopics, uniqueName } from '../support/topics.js';

/**
 * The predictions topic against the live endpoint, on one running trainer (--predictions-topic and
 * --serve-predict): the topic holds one prediction per scored record (read back with kcat, a
 * client independent of the product), and the predictions published for rows equal what POST
 * /predict answered for the same rows at the same model version.
 *
 * "Same model version" is made exact: a prediction depends on the weights (the version counts the
 * updates applied) and on the running standardization, which every train record updates, even
 * while learning is paused. So the compared rows are keyed to fall in the holdout (scored, never
 * learned, never updating the scaler), and /predict is asked once the trainer has scored everything
 * sent before: nothing can change the model between the answer and the scoring. Twice: at version
 * 0, before any learning (the first predictions on the topic), and again after learning 2,000
 * records (version > 0). Learning is also paused through the control API before the second
 * comparison; while the source is idle that request is queued (202) and carried out after the next
 * block, which is why the holdout keys, not the pause, are what make the comparison exact.
 */

const TOKEN = randomBytes(24).toString('hex');
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-predictions-topic-it-'));
const topics: string[] = [];
let trainer: CliRun | undefined;

interface Answer {
  version: number;
  predictions: Array<{ prediction: number; probabilities?: number[] }>;
}

/** Elec2 rows as JSON objects (all numbers), from row `from` on. */
function elec2Rows(from: number, count: number): Array<Record<string, number>> {
  const [head, ...lines] = readFileSync(sharedData('elec2.csv'), 'utf8').trim().split(/\r?\n/);
  const header = head!.split(',');
  return lines.slice(from, from + count).map((line) => {
    const values = line.split(',');
    return Object.fromEntries(header.map((h, k) => [h, Number(values[k])]));
  });
}

/** `count` message keys the trainer's train/holdout split (validationSplit 0.1, seed 0) routes to the holdout, or to training. */
function keys(prefix: string, count: number, holdout: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const key = `${prefix}-${i}`;
    if (hashUnit(key, 0) < 0.1 === holdout) out.push(key);
  }
  return out;
}

/** Every message of a topic, read with kcat to the end: key and value per line. */
function kcatConsume(brokers: string, topic: string): Promise<Array<{ key: string; value: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', brokers, '-t', topic, '-C', '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => reject(new Error(`cannot run kcat (install it: apt-get install kcat): ${error.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`kcat exited with ${code ?? signal}: ${stderr}`));
      resolve(stdout.split('\n').filter(Boolean).map((line) => {
        const tab = line.indexOf('\t');
        return { key: line.slice(0, tab), value: line.slice(tab + 1) };
      }));
    });
  });
}

async function call(url: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Waits until the trainer has scored `total` records (GET /status; 503 until the run is attached). */
async function scored(url: string, total: number): Promise<{ paused: boolean; records: { total: number; trained: number; holdout: number } }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await call(url, '/status');
    if (response.status === 200) {
      const status = (await response.json()) as { paused: boolean; records: { total: number; trained: number; holdout: number } };
      if (status.records.total >= total) return status;
    } else {
      expect(response.status).toBe(503);
    }
    if (trainer?.child.exitCode !== null) throw new Error(`the trainer exited:\n${trainer?.stderrSoFar().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`the trainer did not score ${total} records within 60 s:\n${trainer?.stderrSoFar().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function control(url: string, action: 'pause-learning'): Promise<void> {
  const response = await call(url, '/control', { action });
  // 200 once carried out; 202 when queued for the next block (the source is idle).
  expect([200, 202], await response.clone().text()).toContain(response.status);
}

async function predict(url: string, rows: ReadonlyArray<Record<string, number>>): Promise<Answer> {
  const response = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify(rows), headers: { 'Content-Type': 'application/json' } });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

afterAll(async () => {
  if (trainer && trainer.child.exitCode === null) {
    trainer.child.kill('SIGKILL');
    await trainer.done;
  }
  if (topics.length > 0) await deleteTopics(inject('kafkaBrokers'), topics).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});

describe('predictions topic and POST /predict (real broker, real trainer, kcat)', () => {
  it('one prediction per scored record, and the published ones equal /predict for the same rows at the same version', async () => {
    const brokers = inject('kafkaBrokers');
    const source = uniqueName('predtopic-in');
    const sink = uniqueName('predtopic-out');
    topics.push(source, sink);
    await createTopic(brokers, source, 1);
    const tokenFile = join(tmp, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    trainer = runCli(
      ['train', '--source', `kafka://${brokers}/${source}`, '--group', uniqueName('predtopic-group'), '--predictions-topic', sink,
        '--serve-predict', '--control-token-file', tokenFile, '--population', '1', '--metrics-port', '0', '--progress', 'off',
        '--dead-letter', join(tmp, 'dead.jsonl'),
        // Named columns: the run attaches (/status, /control, /predict answer) before the first message.
        '--features', 'date,day,period,nswprice,nswdemand,vicprice,vicdemand,transfer', '--label', 'class'],
      { env: { STREAMTUNE_CONTROL_TOKEN: '' } },
    );
    const url = await trainer.metricsUrl;
    await scored(url, 0); // attached: /status answers

    // 1. Before any learning: asked at version 0, then the same rows are the first on the topic.
    const first = elec2Rows(0, 64);
    const firstKeys = keys('first', first.length, true);
    const atStart = await predict(url, first);
    expect(atStart.version).toBe(0);
    await kcatProduce(brokers, source, first.map((row, i) => ({ key: firstKeys[i]!, value: JSON.stringify(row) })));
    await scored(url, first.length);

    // 2. Learning 2,000 records (train keys), then paused; asked once all of them are scored.
    const learn = elec2Rows(64, 2_000);
    const learnKeys = keys('learn', learn.length, false);
    await kcatProduce(brokers, source, learn.map((row, i) => ({ key: learnKeys[i]!, value: JSON.stringify(row) })));
    await scored(url, first.length + learn.length);
    await control(url, 'pause-learning');
    const later = elec2Rows(2_064, 64);
    const laterKeys = keys('later', later.length, true);
    const atLater = await predict(url, later);
    expect(atLater.version).toBeGreaterThan(0);
    await kcatProduce(brokers, source, later.map((row, i) => ({ key: laterKeys[i]!, value: JSON.stringify(row) })));
    const status = await scored(url, first.length + learn.length + later.length);
    expect(status.paused).toBe(true);
    expect((await predict(url, later)).version).toBe(atLater.version); // nothing learned meanwhile

    trainer.child.kill('SIGTERM');
    const { code, stderr } = await trainer.done;
    expect(code, stderr).toBe(0);

    // One prediction per scored record, in source order (one partition), keyed by the record key.
    const published = await kcatConsume(brokers, sink);
    const total = first.length + learn.length + later.length;
    expect(published).toHaveLength(total);
    const lines = published.map((m) => ({ key: m.key, line: JSON.parse(m.value) as PredictionLine }));
    expect(lines.map((l) => l.line.position)).toEqual(Array.from({ length: total }, (_, offset) => `${source}/0@${offset}`));
    expect(lines.map((l) => l.key)).toEqual([...firstKeys, ...learnKeys, ...laterKeys]);
    for (const { key, line } of lines) expect(line.key).toBe(key);

    // The first ones: held out, at version 0, equal to what /predict answered at version 0.
    const compare = (from: number, answer: Answer): void => {
      answer.predictions.forEach((expected, i) => {
        const { line } = lines[from + i]!;
        expect(line.split).toBe('holdout');
        expect(line.version).toBe(answer.version);
        expect({ prediction: line.prediction, probabilities: line.probabilities }, `row ${from + i}`).toEqual(expected);
      });
    };
    // At version 0 the standardization has seen no train record, so every row maps to z = 0 and gets
    // the same answer; after learning the rows get distinct probabilities, so equal answers there
    // mean the same rows scored by the same model.
    expect(new Set(atStart.predictions.map((p) => p.probabilities![1])).size).toBe(1);
    expect(new Set(atLater.predictions.map((p) => p.probabilities![1])).size).toBeGreaterThan(32);
    compare(0, atStart);
    compare(first.length + learn.length, atLater);
    // The model did learn in between: its answers for the later rows are not the version-0 model's.
    const learnedVersions = lines.slice(first.length, first.length + learn.length).map((l) => l.line.version);
    expect(Math.max(...learnedVersions)).toBeGreaterThan(0);
    expect(Math.max(...learnedVersions)).toBeLessThanOrEqual(atLater.version);
  }, 240_000);
});
