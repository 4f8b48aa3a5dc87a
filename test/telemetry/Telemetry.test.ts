import { afterEach, describe, expect, it } from 'vitest';
import type { Evaluation } from '../../src/eval/Evaluator.js';
import { Telemetry } from '../../src/telemetry/registry.js';
import { serveMetrics, type MetricsServer } from '../../src/telemetry/server.js';
import type { ScaledSample, ScoredBatch } from '../../src/types.js';

function sample(split: 'train' | 'holdout', y: number): ScaledSample {
  const x = new Float32Array([y]);
  return { index: 0, position: 't:1', x, y, split, z: x, target: y, targetShift: 0, targetScale: 1 };
}

function batch(splits: Array<'train' | 'holdout'>, applied = true, loss = 0.5): ScoredBatch {
  return {
    samples: splits.map((s) => sample(s, 1)),
    predictions: new Float32Array(splits.length).fill(0.7),
    width: 1,
    loss: applied ? loss : NaN,
    applied,
    steps: splits.includes('train') ? 1 : 0,
    skipped: applied ? 0 : 1,
    hyperParams: { learningRate: 0.01, l2: 0.002 },
    seconds: 0.003,
  };
}

const evaluation: Evaluation = {
  records: { train: 3, holdout: 1 },
  window: { train: { mse: 0.1, crossEntropy: 0.3, accuracy: 0.9 }, holdout: { mse: NaN, crossEntropy: NaN, accuracy: NaN } },
  cumulative: { train: { mse: 0.1, crossEntropy: 0.3, accuracy: 0.9 }, holdout: { mse: 0.2, crossEntropy: 0.4, accuracy: 0.8 } },
  baselines: {
    majority: { window: { accuracy: 0.6 }, cumulative: { accuracy: 0.6 } },
    noChange: { window: { accuracy: 0.85 }, cumulative: { accuracy: 0.85 } },
  },
};

async function value(t: Telemetry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = await t.registry.getSingleMetric(name)?.get();
  const hit = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return hit?.value;
}

describe('Telemetry', () => {
  it('counts records by split, batches, skipped steps and the hyperparameters in force', async () => {
    const t = new Telemetry();
    t.observeBatch(batch(['train', 'train', 'holdout']));
    t.observeBatch(batch(['train'], false, NaN));
    expect(await value(t, 'streamtune_records_total', { split: 'train' })).toBe(3);
    expect(await value(t, 'streamtune_records_total', { split: 'holdout' })).toBe(1);
    expect(await value(t, 'streamtune_batches_total')).toBe(2);
    expect(await value(t, 'streamtune_steps_skipped_total')).toBe(1);
    expect(await value(t, 'streamtune_train_loss')).toBe(0.5); // the skipped step's NaN is not exported
    expect(await value(t, 'streamtune_learning_rate')).toBe(0.01);
    expect(await value(t, 'streamtune_l2')).toBe(0.002);
  });

  it('exports every reject reason from the start and counts them', async () => {
    const t = new Telemetry();
    expect(await value(t, 'streamtune_records_rejected_total', { reason: 'non_finite' })).toBe(0);
    t.recordRejected('non_finite');
    t.recordRejected('non_finite');
    expect(await value(t, 'streamtune_records_rejected_total', { reason: 'non_finite' })).toBe(2);
    expect(await value(t, 'streamtune_records_rejected_total', { reason: 'label_domain' })).toBe(0);
  });

  it('exports window metrics per split and skips empty (NaN) windows', async () => {
    const t = new Telemetry();
    t.observeEvaluation(evaluation);
    expect(await value(t, 'streamtune_window_accuracy', { split: 'train' })).toBe(0.9);
    expect(await value(t, 'streamtune_window_cross_entropy', { split: 'train' })).toBe(0.3);
    expect(await value(t, 'streamtune_window_mse', { split: 'train' })).toBe(0.1);
    expect(await value(t, 'streamtune_window_accuracy', { split: 'holdout' })).toBeUndefined();
    expect(await value(t, 'streamtune_baseline_window_accuracy', { baseline: 'no_change' })).toBe(0.85);
  });

  it('observes each record latency from its time to now, leaving out records with no time', async () => {
    const t = new Telemetry();
    const b = batch(['train', 'train', 'holdout']);
    const samples = b.samples.map((s, i) => (i === 2 ? s : { ...s, time: 10_000 - 30 * (i + 1) }));
    t.observeLatency(samples, 10_000);
    const metric = await t.registry.getSingleMetric('streamtune_record_latency_seconds')?.get();
    const count = (metric?.values as Array<{ metricName?: string; value: number }> | undefined)?.find((v) => v.metricName === 'streamtune_record_latency_seconds_count')?.value;
    const sum = (metric?.values as Array<{ metricName?: string; value: number }> | undefined)?.find((v) => v.metricName === 'streamtune_record_latency_seconds_sum')?.value;
    expect(count).toBe(2);
    expect(sum).toBeCloseTo(0.03 + 0.06, 9);
    const le = (bound: number) => metric?.values.find((v) => v.labels.le === bound)?.value;
    expect(le(0.025)).toBe(0);
    expect(le(0.05)).toBe(1);
    expect(le(0.1)).toBe(2);
  });

  it('keeps one backend and engine label pair', async () => {
    const t = new Telemetry();
    t.setBackend('cpu', 'tfjs');
    t.setBackend('wasm', 'dense');
    const metric = await t.registry.getSingleMetric('streamtune_backend_info')?.get();
    expect(metric?.values).toEqual([{ labels: { backend: 'wasm', engine: 'dense' }, value: 1 }]);
  });
});

describe('serveMetrics', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /metrics in the Prometheus text format, /healthz, and 404 elsewhere, on a free port', async () => {
    const t = new Telemetry();
    t.setTensors(7);
    server = await serveMetrics(t.registry, { host: '127.0.0.1', port: 0 });
    expect(server.port).toBeGreaterThan(0);
    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    const text = await metrics.text();
    expect(text).toMatch(/^streamtune_tensors 7$/m);
    expect(text).toContain('process_resident_memory_bytes');
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });

  it('reports unhealthy with 503', async () => {
    server = await serveMetrics(new Telemetry().registry, {
      host: '127.0.0.1',
      port: 0,
      health: () => ({ ok: false, detail: 'source down' }),
    });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'unhealthy', detail: 'source down' });
  });

  it('names the port and what to do when it is taken', async () => {
    server = await serveMetrics(new Telemetry().registry, { host: '127.0.0.1', port: 0 });
    await expect(serveMetrics(new Telemetry().registry, { host: '127.0.0.1', port: server.port })).rejects.toThrow(
      new RegExp(`port ${server.port} is in use; pass --metrics-port`),
    );
  });
});
