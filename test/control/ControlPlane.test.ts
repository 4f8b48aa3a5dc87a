import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';
import { takeCheckpoint } from '../../src/checkpoint/trainingCheckpoint.js';
import { parseConfig } from '../../src/config.js';
import { ControlPlane } from '../../src/control/ControlPlane.js';
import { liveRunOf } from '../../src/control/liveRunOf.js';
import { weightsDigest } from '../../src/control/weightsDigest.js';
import { runPipeline, type BatchReport } from '../../src/pipeline.js';
import { parseSyntheticUri } from '../../src/sources/synthetic.js';
import { serveMetrics, type MetricsServer } from '../../src/telemetry/server.js';
import { Telemetry } from '../../src/telemetry/registry.js';
import { createTrainingParts, modelSchema } from '../../src/training/TrainingParts.js';
import type { TuningEvent } from '../../src/tune/TuningEvent.js';

/**
 * The control API over real HTTP on a running pipeline (rate-limited synthetic SEA), actions
 * applied by the pipeline's own drain between blocks.
 */
const TOKEN = 'unit-test-control-token-0123456789';
const uri = 'synth:sea?n=inf&seed=5';
const synth = parseSyntheticUri(uri);
const config = parseConfig({ source: uri, rate: 4000, model: { layers: [{ type: 'dense', units: 8 }] }, tuning: { population: { size: 2 } } });
const parts = createTrainingParts(config, synth.schema);
const events: TuningEvent[] = [];
const abort = new AbortController();
let dir: string;
let store: CheckpointStore;
let server: MetricsServer;
let pipeline: Promise<unknown>;
let doneThrough = -1;
let drained = 0;

const control = new ControlPlane({
  token: TOKEN,
  alerts: { StreamtuneNonFiniteLoss: 'pause-learning', StreamtuneHoldoutLossRising: 'rollback' },
  waitMs: 5000,
  log: { info: () => undefined, warn: () => undefined },
});

async function call(path: string, body?: unknown, token: string | null = TOKEN): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const status = async () => (await call('/status')).json as { records: { total: number; trained: number }; paused: boolean; champion: { weights: string }; hyperparameters: { learningRate: number } };
const records = (n: number) => new Promise<void>((resolve) => {
  const until = parts.counts.total + n;
  const timer = setInterval(() => parts.counts.total >= until && (clearInterval(timer), resolve()), 5);
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamtune-control-'));
  store = new CheckpointStore({ dir, keep: 5 });
  server = await serveMetrics(new Telemetry().registry, { host: '127.0.0.1', port: 0, handle: control.handle });
  control.attach(liveRunOf({ config, schema: synth.schema, parts, checkpoints: { store, loaded: undefined }, checkpointer: undefined, source: { positionsThrough: (index) => ({ kind: 'synthetic', uri, index: index + 1 }) }, doneThrough: () => doneThrough }));
  pipeline = runPipeline({
    config,
    schema: synth.schema,
    records: synth.records,
    parts,
    signal: abort.signal,
    onRejected: () => undefined,
    onBatch: (report: BatchReport) => {
      doneThrough = report.doneThrough;
      const before = report.decision.events.length;
      const out = control.drain(report);
      drained += out.decision.events.length - before;
      events.push(...out.decision.events.filter((e) => e.reason === 'operator'));
    },
  });
  await records(500);
});

afterAll(async () => {
  abort.abort();
  await pipeline;
  await server.close();
  parts.population.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('ControlPlane on a running pipeline', () => {
  it('answers 401 to every path without the right token, and changes nothing', async () => {
    const before = parts.controls.hyperParams;
    for (const token of [null, 'wrong-token-wrong-token-wrong']) {
      expect((await call('/status', undefined, token)).status).toBe(401);
      expect((await call('/control', { action: 'set', learningRate: 0.01 }, token)).status).toBe(401);
      expect((await call('/control', { action: 'pause-learning' }, token)).status).toBe(401);
      expect((await call('/alerts', { version: '4', alerts: [{ status: 'firing', labels: { alertname: 'StreamtuneNonFiniteLoss' } }] }, token)).status).toBe(401);
    }
    await records(100);
    expect(parts.controls.hyperParams).toBe(before);
    expect(parts.controls.paused).toBe(false);
    expect(events).toEqual([]);
  });

  it('shows the status, and refuses bad requests with a 400 naming the field', async () => {
    const s = await status();
    expect(s.records.total).toBeGreaterThan(0);
    expect(s.paused).toBe(false);
    expect((await call('/control', { action: 'set', learningRate: 5 })).json).toMatchObject({ field: 'learningRate' });
    expect((await call('/control', { action: 'jump' })).status).toBe(400);
    expect((await call('/control', 'not json')).json).toMatchObject({ field: 'body' });
    expect((await call('/control', { action: 'rollback', beforeRecords: 0 })).json).toMatchObject({ field: 'beforeRecords' });
  });

  it('pauses learning (records still scored, weights unchanged) and resumes it, each an operator event', async () => {
    const paused = await call('/control', { action: 'pause-learning', who: 'test' });
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ applied: true, changed: true, paused: true });
    await records(64 * 3); // past the block in flight
    const a = await status();
    await records(64 * 5);
    const b = await status();
    expect(b.paused).toBe(true);
    expect(b.records.total).toBeGreaterThan(a.records.total);
    expect(b.champion.weights).toBe(a.champion.weights);
    expect((await call('/control', { action: 'resume-learning' })).json).toMatchObject({ changed: true, paused: false });
    await records(64 * 3);
    expect((await status()).champion.weights).not.toBe(b.champion.weights);
    expect(events.map((e) => [e.param, e.old, e.new, e.signals.action])).toEqual([
      ['learning', 1, 0, 'pause-learning'],
      ['learning', 0, 1, 'resume-learning'],
    ]);
    expect(events[0]?.signals.who).toMatch(/^test \(api /);
  });

  it('sets the learning rate within the bounds, applied by the pipeline between blocks', async () => {
    const seen = drained;
    const set = await call('/control', { action: 'set', learningRate: 0.004 });
    expect(set.json).toMatchObject({ applied: true, hyperParams: { learningRate: 0.004 } });
    expect(drained).toBeGreaterThan(seen); // the drain, not the handler, carried it out
    expect(events.at(-1)).toMatchObject({ reason: 'operator', param: 'learningRate', new: 0.004 });
  });

  it('rolls back to the newest checkpoint before a record count: the weights are the checkpoint\'s', async () => {
    const summary = { ...modelSchema(synth.schema, parts.lags), layers: config.model.layers };
    const checkpointParts = { get engine() { return parts.engine; }, scaler: parts.scaler, evaluator: parts.evaluator, counts: parts.counts, controls: parts.controls, extra: { tuner: parts.tuner, population: parts.population } };
    const first = takeCheckpoint(checkpointParts, summary, { kind: 'synthetic', uri, index: 0 });
    await store.save(first);
    await records(300);
    await store.save(takeCheckpoint(checkpointParts, summary, { kind: 'synthetic', uri, index: 0 }));
    const target = weightsDigest((first.state.trainer as { weights: Array<{ shape: number[]; values: number[] }> }).weights);
    expect((await status()).champion.weights).not.toBe(target);
    const rolled = await call('/control', { action: 'rollback', beforeRecords: first.records.total });
    expect(rolled.status).toBe(200);
    expect(rolled.json).toMatchObject({ applied: true, checkpointRecords: first.records.total, weights: target });
    expect(events.at(-1)).toMatchObject({ reason: 'operator', param: 'weights', signals: { action: 'rollback', weights: target } });
  });

  it('acts on a mapped alert from Alertmanager once, however often it is repeated', async () => {
    const notification = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'StreamtuneNonFiniteLoss' }, startsAt: new Date().toISOString(), fingerprint: 'abc' }] };
    const first = await call('/alerts', notification);
    expect(first.json).toMatchObject({ actions: [{ alert: 'StreamtuneNonFiniteLoss', action: 'pause-learning', applied: true, changed: true }] });
    expect(parts.controls.paused).toBe(true);
    await call('/control', { action: 'resume-learning' });
    const again = await call('/alerts', notification);
    expect(again.json).toMatchObject({ actions: [{ repeated: true }] });
    expect(parts.controls.paused).toBe(false);
    expect(events.filter((e) => String(e.signals.who).startsWith('alertmanager StreamtuneNonFiniteLoss'))).toHaveLength(1);
  });
});
