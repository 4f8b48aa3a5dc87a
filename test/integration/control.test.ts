import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { decodeCheckpoint } from '../../src/checkpoint/checkpointCodec.js';
import { weightsDigest } from '../../src/control/weightsDigest.js';
import { startAlertmanager, startPrometheus, type Daemon } from '../support/prometheus.js';
import { REPO, runCli, type CliRun } from '../support/runCli.js';

/**
 * The control API end to end, on real components: a trainer started with --control-token-file, a
 * real Prometheus scraping it with a rule file that fires the shipped StreamtuneHoldoutLossRising
 * alert at once (same name, test-specific threshold and timing), and a real Alertmanager with the
 * project's alertmanager.yml (its trainer-control receiver pointed at this trainer, the token from
 * the same file). The alert must reach POST /alerts, the trainer's shipped mapping must roll it
 * back to the newest checkpoint before the alert started (the weights in force then equal that
 * checkpoint's), and the rollback must be an operator tuning event (metrics log, /metrics). Before
 * that, without the token, every control call gets 401 and nothing changes.
 */

const TOKEN = randomBytes(24).toString('hex');
let tmp: string;
let trainer: CliRun | undefined;
let prometheus: Daemon | undefined;
let alertmanager: Daemon | undefined;
let url: string;
let metricsLog: string;
let checkpointDir: string;
let tokenFile: string;

interface Line {
  type?: string;
  reason?: string;
  param?: string;
  records?: number;
  signals?: Record<string, string | number>;
}

async function operatorEvents(): Promise<Line[]> {
  const text = await readFile(metricsLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)
    .filter((l) => l.type === 'tuning' && l.reason === 'operator');
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    if (trainer?.child.exitCode !== null) throw new Error(`the trainer exited while waiting for ${what}:\n${trainer?.stderrSoFar().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no ${what} within ${ms / 1000} s; trainer log:\n${trainer?.stderrSoFar().slice(-3000)}\nalertmanager:\n${alertmanager?.log().slice(-2000)}`);
}

async function status(): Promise<{ records: { total: number }; paused: boolean; hyperparameters: { learningRate: number; l2: number } }> {
  const response = await fetch(`${url}/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'streamtune-control-it-'));
  tokenFile = join(tmp, 'control-token');
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  metricsLog = join(tmp, 'metrics.jsonl');
  checkpointDir = join(tmp, 'checkpoints');
  const config = join(tmp, 'config.yaml');
  await writeFile(config, stringifyYaml({ checkpoint: { keep: 100 }, eval: { logEvery: 500 } }));
  trainer = runCli(
    ['train', '--config', config, '--source', 'synth:sea?n=inf&seed=3', '--rate', '1500', '--metrics-port', '0', '--population', '1',
      '--checkpoint-dir', checkpointDir, '--checkpoint-every', '1000', '--control-token-file', tokenFile, '--metrics-log', metricsLog, '--progress', 'off'],
    { env: { STREAMTUNE_CONTROL_TOKEN: '' } },
  );
  url = await trainer.metricsUrl;
  // /status answers 503 until the run is attached (the metrics server starts before the source opens).
  await waitFor('records', 30_000, async () => {
    const response = await fetch(`${url}/status`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    if (response.status === 503) return undefined;
    expect(response.status).toBe(200);
    return ((await response.json()) as { records: { total: number } }).records.total > 500 ? true : undefined;
  });
});

afterAll(async () => {
  await alertmanager?.stop();
  await prometheus?.stop();
  if (trainer && trainer.child.exitCode === null) {
    trainer.child.kill('SIGTERM');
    await trainer.done;
  }
  await rm(tmp, { recursive: true, force: true });
});

describe('the control API of a running trainer', () => {
  it('answers 401 to every control call without the token (or with another), and nothing changes', async () => {
    const before = await status();
    const calls: Array<[string, string, unknown]> = [
      ['GET', '/status', undefined],
      ...['pause-learning', 'resume-learning', 'reset-scaler', 'checkpoint-now', 'rollback'].map((action): [string, string, unknown] => ['POST', '/control', { action }]),
      ['POST', '/control', { action: 'set', learningRate: 0.01 }],
      ['POST', '/alerts', { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'StreamtuneNonFiniteLoss' }, startsAt: new Date().toISOString() }] }],
    ];
    for (const auth of [undefined, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`]) {
      for (const [method, path, body] of calls) {
        const response = await fetch(`${url}${path}`, {
          method,
          headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        expect(response.status, `${method} ${path} ${auth ?? 'no header'}`).toBe(401);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await status();
    expect(after.records.total).toBeGreaterThan(before.records.total); // still running
    expect(after.paused).toBe(false);
    expect(after.hyperparameters).toEqual(before.hyperparameters);
    expect(await operatorEvents()).toEqual([]);
    expect(trainer?.stderrSoFar()).not.toContain(TOKEN);
  });

  it('rolls back when Alertmanager delivers the holdout-loss alert: the weights are the checkpoint\'s, and it is an operator event', async () => {
    await waitFor('two checkpoints', 30_000, async () => ((await readdir(checkpointDir)).filter((f) => f.startsWith('checkpoint-')).length >= 2 ? true : undefined));
    // The shipped alert name and mapping, with a threshold and timing that fire within seconds.
    const rules = join(tmp, 'rules.yml');
    await writeFile(rules, stringifyYaml({
      groups: [{ name: 'control-test', interval: '1s', rules: [{ alert: 'StreamtuneHoldoutLossRising', expr: 'streamtune_window_cross_entropy{split="holdout"} > 0', labels: { severity: 'warning' } }] }],
    }));
    const shipped = parseYaml(await readFile(join(REPO, 'docker/alertmanager/alertmanager.yml'), 'utf8')) as {
      route: Record<string, unknown> & { routes: Array<Record<string, unknown>> };
      receivers: Array<{ name: string; webhook_configs: Array<{ url: string; http_config?: { authorization?: { credentials_file?: string } } }> }>;
    };
    const control = shipped.receivers.find((r) => r.name === 'trainer-control')?.webhook_configs[0];
    expect(control?.url).toBe('http://trainer:9464/alerts');
    if (control?.http_config?.authorization) control.http_config.authorization.credentials_file = tokenFile;
    if (control) control.url = `${url}/alerts`;
    for (const r of shipped.receivers) if (r.name === 'webhook') for (const w of r.webhook_configs) w.url = 'http://127.0.0.1:9/alerts'; // not under test
    Object.assign(shipped.route, { group_wait: '1s', group_interval: '1s' });
    for (const r of shipped.route.routes) if (r.receiver === 'trainer-control') Object.assign(r, { group_wait: '1s', group_interval: '1s' });
    alertmanager = await startAlertmanager({ config: stringifyYaml(shipped) });
    const target = url.replace('http://', '');
    prometheus = await startPrometheus({
      config: stringifyYaml({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [rules],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager.address] }] }] },
        scrape_configs: [{ job_name: 'streamtune', static_configs: [{ targets: [target] }] }],
      }),
    });

    const event = await waitFor('rollback event', 90_000, async () =>
      (await operatorEvents()).find((e) => e.param === 'weights' && e.signals?.who === 'alertmanager StreamtuneHoldoutLossRising'),
    );
    const signals = event.signals as Record<string, string | number>;
    expect(signals.action).toBe('rollback');
    // The checkpoint it went back to: taken before the alert, and its weights are the ones put in force.
    const checkpoint = decodeCheckpoint(await readFile(String(signals.checkpoint)));
    const weights = (checkpoint.state.trainer as { weights: Array<{ shape: number[]; values: number[] }> }).weights;
    expect(checkpoint.records.total).toBe(signals.checkpointRecords);
    expect(checkpoint.records.total).toBeLessThan(event.records as number);
    expect(weightsDigest(weights)).toBe(signals.weights);
    // No newer checkpoint was taken before the alert fired (it is the newest before the alert).
    const alerts = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; startsAt: string }>;
    const fired = alerts.find((a) => a.labels.alertname === 'StreamtuneHoldoutLossRising');
    expect(fired).toBeDefined();
    expect(Date.parse(checkpoint.createdAt)).toBeLessThanOrEqual(Date.parse(fired?.startsAt ?? ''));

    // The metric and the log say so too.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const count = /streamtune_tuning_adjustments_total\{param="weights",reason="operator"\} (\d+)/.exec(metrics)?.[1];
    expect(Number(count)).toBeGreaterThanOrEqual(1);
    expect(trainer?.stderrSoFar()).toContain('tuner: operator weights');
    // Repeated notifications of the same alert do not roll back again.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect((await operatorEvents()).filter((e) => e.param === 'weights')).toHaveLength(1);
  });
});
