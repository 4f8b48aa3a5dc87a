/* global console, fetch, performance, process, setTimeout, clearInterval, setInterval, URL */
/**
 * Training throughput under /predict load: runs the built `streamtune train` on a synthetic SEA
 * stream (default 300,000 records) as a separate process, without load, with `--serve-predict` and
 * `--rps` requests per second of `--rows` rows each sent from this process for the whole run, and
 * with `--predictions FILE` (every record's prediction written out). Variants are interleaved,
 * `--rounds` times each; prints one JSON line per run and a summary: median records/s of each
 * variant, its ratio to no load, and the /predict latency percentiles.
 *
 * @example
 * npm run build && node test/bench/predictLoad.mjs --rounds 3
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    records: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '3' },
    rps: { type: 'string', default: '200' },
    rows: { type: 'string', default: '32' },
  },
});
const cli = new URL('../../dist/src/cli.js', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-predict-load-'));
const source = `synth:sea?n=${Number(a.records)}&seed=1`;
const rps = Number(a.rps);
const rowCount = Number(a.rows);

/** Rows of raw SEA features (three values in 0..10), by name. */
const body = JSON.stringify(Array.from({ length: rowCount }, (_, i) => ({ x1: (i * 7.3) % 10, x2: (i * 3.1) % 10, x3: (i * 1.7) % 10 })));

/** One training run; with `load`, /predict requests at `rps` while it runs. */
async function run(variant, round) {
  const summary = join(tmp, `${variant}-${round}.json`);
  const args = ['train', '--source', source, '--metrics-port', '0', '--progress', 'off', '--summary-json', summary, '--dead-letter', join(tmp, 'dead.jsonl')];
  if (variant === 'predict-load') args.push('--serve-predict');
  if (variant === 'predictions-file') args.push('--predictions', join(tmp, `predictions-${round}.jsonl`));
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let url;
  const announced = new Promise((resolve) =>
    child.stderr.on('data', (d) => {
      stderr += d.toString();
      const m = /metrics on (http:\/\/[^/\s"]+)\/metrics/.exec(stderr);
      if (m && !url) resolve((url = m[1]));
    }),
  );
  const exited = new Promise((resolve) => child.on('close', resolve));
  const latencies = [];
  let failed = 0;
  let timer;
  if (variant === 'predict-load') {
    await announced;
    // Send on a fixed schedule (not one after another): `rps` a second whatever the answers take.
    const started = performance.now();
    let sent = 0;
    timer = setInterval(() => {
      const due = Math.floor(((performance.now() - started) / 1000) * rps);
      for (; sent < due; sent++) {
        const t = performance.now();
        fetch(`${url}/predict`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
          .then(async (res) => {
            await res.arrayBuffer();
            if (res.status === 200) latencies.push(performance.now() - t);
            else if (res.status !== 503) failed++;
          })
          .catch(() => undefined); // the trainer exiting closes the last connections
      }
    }, 2);
  }
  const code = await exited;
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 50));
  if (code !== 0) throw new Error(`${variant}: exit ${code}: ${stderr.slice(-2000)}`);
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  latencies.sort((x, y) => x - y);
  const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null);
  const result = {
    variant,
    round,
    recordsPerSecond: s.recordsPerSecond,
    seconds: s.seconds,
    ...(variant === 'predict-load'
      ? { requests: latencies.length, requestsPerSecond: latencies.length / s.seconds, failed, p50Ms: pct(0.5), p99Ms: pct(0.99), maxMs: latencies.at(-1) ?? null }
      : {}),
  };
  console.log(JSON.stringify(result));
  return result;
}

const variants = ['no-load', 'predict-load', 'predictions-file'];
const results = [];
for (let round = 0; round < Number(a.rounds); round++) for (const v of variants) results.push(await run(v, round));
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const base = median(results.filter((r) => r.variant === 'no-load').map((r) => r.recordsPerSecond));
const summary = Object.fromEntries(
  variants.map((v) => {
    const runs = results.filter((r) => r.variant === v);
    const rps = median(runs.map((r) => r.recordsPerSecond));
    return [v, { recordsPerSecond: Math.round(rps), ratio: Number((rps / base).toFixed(3)), ...(v === 'predict-load' ? { p50Ms: median(runs.map((r) => r.p50Ms)), p99Ms: median(runs.map((r) => r.p99Ms)), requestsPerSecond: Math.round(median(runs.map((r) => r.requestsPerSecond))) } : {}) }];
  }),
);
console.log(JSON.stringify({ source, rps, rows: rowCount, summary }));
rmSync(tmp, { recursive: true, force: true });
