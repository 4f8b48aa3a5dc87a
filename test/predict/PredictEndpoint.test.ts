import { request } from 'node:http';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { parsePredictRows } from '../../src/predict/parsePredictRows.js';
import { PredictEndpoint } from '../../src/predict/PredictEndpoint.js';
import { scoreRows } from '../../src/predict/scoreRows.js';
import { serveMetrics, type MetricsServer } from '../../src/telemetry/server.js';
import { createTrainingParts, modelSchema, type TrainingParts } from '../../src/training/TrainingParts.js';
import type { Schema } from '../../src/types.js';
import { seededRandom } from '../support/seededRandom.js';

const FEATURES = ['a', 'b', 'c'];

/** Parts whose scaler and champion have learned from 200 random rows (so the scaling and weights are not the defaults). */
function trainedParts(task: Schema['task']): { parts: TrainingParts; schema: Schema } {
  const schema: Schema = { task, features: FEATURES, label: 'y', classes: task === 'multiclass' ? 3 : 2 };
  const config = parseConfig({ source: 'x.csv', task, ...(task === 'multiclass' ? { classes: 3 } : {}), lags: { label: [1] } });
  const parts = createTrainingParts(config, schema);
  const rand = seededRandom(7);
  const dim = parts.engine.inputDim;
  for (let step = 0; step < 20; step++) {
    const x = new Float32Array(10 * dim);
    const y = new Float32Array(10);
    for (let r = 0; r < 10; r++) {
      const raw = Float32Array.from({ length: dim }, (_, i) => 10 * i + (rand() - 0.5) * (i + 1) * 4);
      parts.scaler.update(raw, 50 + 20 * rand());
      x.set(parts.scaler.transform(raw), r * dim);
      y[r] = task === 'regression' ? rand() : task === 'multiclass' ? Math.floor(rand() * 3) : rand() < 0.5 ? 0 : 1;
    }
    parts.engine.step(x, y, 10);
  }
  return { parts, schema: modelSchema(schema, parts.lags) };
}

/** POSTs `body` (a string, sent as is) to the server; resolves with the status and the parsed answer. */
function post(url: string, body: string, path = '/predict'): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('POST /predict', () => {
  const endpoint = new PredictEndpoint({ maxBodyBytes: 4096, maxRows: 50 });
  let server: MetricsServer;
  const binary = trainedParts('binary');
  const regression = trainedParts('regression');

  beforeAll(async () => {
    server = await serveMetrics(new Registry(), { host: '127.0.0.1', port: 0, handle: endpoint.handle });
  });
  afterAll(async () => {
    await server.close();
    binary.parts.population.dispose();
    regression.parts.population.dispose();
  });

  it('answers 503 until a model is attached, 405 to a GET', async () => {
    expect((await post(server.url, '[[1,2,3,0]]')).status).toBe(503);
    endpoint.attach(binary);
    const got = await fetch(`${server.url}/predict`);
    expect(got.status).toBe(405);
  });

  it('answers with the champion on rows standardized by the running statistics, by name or in feature order', async () => {
    endpoint.attach(binary);
    const { parts } = binary;
    const rows = [
      [1, 12, 19, 1],
      [-3, 8, 25, 0],
      [0.5, 10, 20, 1],
    ];
    // By name, fields in another order, the label and an unknown field ignored; numbers as text too.
    const named = rows.map(([a, b, c, lag]) => ({ c: String(c), y: 1, extra: 'x', 'y@1': lag, b, a }));
    const byName = await post(server.url, JSON.stringify(named));
    const inOrder = await post(server.url, JSON.stringify({ rows }));
    expect(byName.status).toBe(200);
    expect(inOrder.json).toEqual(byName.json);
    // Expected: z = (x - mean) / std by hand, then engine.predict.
    const dim = parts.engine.inputDim;
    const z = new Float32Array(rows.length * dim);
    rows.forEach((row, r) => row.forEach((v, i) => (z[r * dim + i] = (v - parts.scaler.mean(i)) / parts.scaler.std(i))));
    const expected = parts.engine.predict(z, rows.length).slice(0, rows.length);
    const answer = byName.json as { version: number; predictions: { prediction: number; probabilities: number[] }[] };
    expect(answer.version).toBe(parts.engine.iterations);
    expect(answer.version).toBe(20);
    answer.predictions.forEach((p, r) => {
      expect(p.probabilities[1]).toBeCloseTo(expected[r]!, 5);
      expect(p.prediction).toBe(expected[r]! > 0.5 ? 1 : 0);
    });
  });

  it('regression answers in the target units', async () => {
    endpoint.attach(regression);
    const { parts } = regression;
    const row = Float32Array.of(2, 9, 21, 0.3);
    const answer = await post(server.url, JSON.stringify([Array.from(row)]));
    const dim = parts.engine.inputDim;
    const z = Float32Array.from(row, (v, i) => (v - parts.scaler.mean(i)) / parts.scaler.std(i)).subarray(0, dim);
    const scaled = parts.engine.predict(z, 1)[0]!;
    expect(parts.scaler.targetScale).not.toBe(1);
    const value = (answer.json.predictions as { prediction: number }[])[0]!.prediction;
    expect(value).toBeCloseTo(scaled * parts.scaler.targetScale + parts.scaler.targetShift, 3);
    expect(value).toBeGreaterThan(30); // the target's own units (about 50..70), not the scaled ones
  });

  it('400 names the row and the field of a bad value, a missing feature, a lagged column, a wrong length', async () => {
    endpoint.attach(binary);
    const good = { a: 1, b: 2, c: 3, 'y@1': 0 };
    const cases: [unknown, number | null, string | null, RegExp][] = [
      [[good, { ...good, b: 'abc' }], 1, 'b', /row 1: feature "b": "abc" is not a number/],
      [[good, good, { a: 1, c: 3, 'y@1': 0 }], 2, 'b', /row 2: feature "b" is missing/],
      [[{ a: 1, b: 2, c: 3 }], 0, 'y@1', /lagged values \(y@1\).*give them in the row/],
      [[good, [1, 2, 3]], 1, null, /row 1: expected 4 values \(a, b, c, y@1\), got 3/],
      [[good, 'text'], 1, null, /row 1: expected an object/],
      [[{ ...good, c: null }], 0, 'c', /feature "c"/],
      [{ nope: 1 }, null, null, /expected a JSON array of rows/],
      [Array.from({ length: 51 }, () => good), null, null, /more than predict.maxRows \(50\)/],
    ];
    for (const [body, row, field, message] of cases) {
      const { status, json } = await post(server.url, JSON.stringify(body));
      expect(status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(json.row).toBe(row);
      expect(json.field).toBe(field);
      expect(json.error).toMatch(message);
    }
    const notJson = await post(server.url, '{"rows": [');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/not JSON/);
  });

  it('413 for a body over maxBodyBytes, with or without a Content-Length', async () => {
    endpoint.attach(binary);
    const big = JSON.stringify(Array.from({ length: 200 }, () => ({ a: 1, b: 2, c: 3, 'y@1': 0 })));
    expect(big.length).toBeGreaterThan(4096);
    const sized = await post(server.url, big);
    expect(sized.status).toBe(413);
    expect(sized.json.error).toMatch(/predict.maxBodyBytes \(4096 bytes\)/);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/predict`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(i * 1000, (i + 1) * 1000));
      req.end();
    });
    expect(chunked).toBe(413);
    // The server still answers afterwards.
    expect((await post(server.url, JSON.stringify([[1, 2, 3, 0]]))).status).toBe(200);
  });

  it('scores a 32-row request well under a millisecond (parse, standardize, predict)', () => {
    const rows = Array.from({ length: 32 }, (_, i) => ({ a: i, b: 10 + i / 4, c: 20 - i / 8, 'y@1': i % 2 }));
    const body = JSON.stringify(rows);
    const once = (): void => {
      const parsed = parsePredictRows(JSON.parse(body), binary.schema, 1024);
      if (!('rows' in parsed)) throw new Error(parsed.error);
      scoreRows(binary.parts, parsed.rows);
    };
    for (let i = 0; i < 200; i++) once(); // warm up
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      once();
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    const median = times[250]!;
    console.log(`32-row /predict scoring: median ${(median * 1000).toFixed(1)} µs, p99 ${(times[495]! * 1000).toFixed(1)} µs`);
    expect(median).toBeLessThan(0.5);
  });
});
