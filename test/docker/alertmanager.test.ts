import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(REPO, 'docker/alertmanager/alertmanager.yml');
const HOOKS = join(REPO, 'docker/hooks/alert-log.mjs');

function amtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('amtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run amtool (Debian: apt-get install prometheus-alertmanager): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('docker/alertmanager/alertmanager.yml', () => {
  it('passes `amtool check-config`', () => {
    const { status, output } = amtool('check-config', CONFIG);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('groups by alert name and sends to the webhook of the trainer-hooks service', () => {
    const config = parseYaml(readFileSync(CONFIG, 'utf8')) as {
      route: { receiver: string; group_by: string[] };
      receivers: Array<{ name: string; webhook_configs?: Array<{ url: string; send_resolved?: boolean }> }>;
    };
    expect(config.route.receiver).toBe('webhook');
    expect(config.route.group_by).toEqual(['alertname']);
    const webhook = config.receivers.find((r) => r.name === 'webhook')?.webhook_configs?.[0];
    expect(webhook?.url).toBe('http://trainer-hooks:5001/alerts');
    expect(webhook?.send_resolved).toBe(true);
  });

  it('routes alerts of every severity to the webhook (`amtool config routes test`)', () => {
    for (const severity of ['critical', 'warning', 'info']) {
      const { status, output } = amtool(
        'config',
        'routes',
        'test',
        `--config.file=${CONFIG}`,
        '--verify.receivers=webhook',
        'alertname=StreamtuneDriftDetected',
        `severity=${severity}`,
      );
      expect(output.split('\n')[0], severity).toBe('webhook');
      expect(status, output).toBe(0);
    }
  });
});

describe('docker/alertmanager/alertmanager.yml: the alerts the trainer acts on', () => {
  it('routes the alerts of the trainer\'s default control.alerts to its control API with the token, and to the webhook too', async () => {
    const { parseConfig } = await import('../../src/config.js');
    const mapped = Object.keys(parseConfig({ source: 'synth:sea' }).control.alerts);
    expect(mapped.sort()).toEqual(['StreamtuneHoldoutLossRising', 'StreamtuneNonFiniteLoss']);
    for (const alertname of mapped) {
      const { status, output } = amtool('config', 'routes', 'test', `--config.file=${CONFIG}`, '--verify.receivers=trainer-control,webhook', `alertname=${alertname}`, 'severity=warning');
      expect(status, output).toBe(0);
    }
    const config = parseYaml(readFileSync(CONFIG, 'utf8')) as {
      receivers: Array<{ name: string; webhook_configs?: Array<{ url: string; http_config?: { authorization?: { type: string; credentials_file: string } } }> }>;
    };
    const control = config.receivers.find((r) => r.name === 'trainer-control')?.webhook_configs?.[0];
    expect(control?.url).toBe('http://trainer:9464/alerts');
    expect(control?.http_config?.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/secrets/control-token' });
  });
});

describe('docker/hooks/alert-log.mjs (the example webhook receiver)', () => {
  it('prints one JSON line per alert of an Alertmanager notification, and rejects what is not one', async () => {
    const child = spawn(process.execPath, [HOOKS], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`alert-log did not start: ${stdout}`)), 10_000);
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(stdout);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      // the body Alertmanager's webhook_config sends (version 4)
      const notification = {
        version: '4',
        status: 'firing',
        receiver: 'webhook',
        groupLabels: { alertname: 'StreamtuneDriftDetected' },
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'StreamtuneDriftDetected', severity: 'info', instance: 'trainer:9464', detector: 'pageHinkley' },
            annotations: { summary: 'Concept drift detected by pageHinkley on trainer:9464', description: 'The tuner reacts on its own.' },
            startsAt: '2025-01-01T00:00:00Z',
          },
          {
            status: 'resolved',
            labels: { alertname: 'StreamtuneDriftDetected', severity: 'info', instance: 'other:9464' },
            annotations: { summary: 'resolved one' },
            startsAt: '2025-01-01T00:00:00Z',
          },
        ],
      };
      const ok = await fetch(url, { method: 'POST', body: JSON.stringify(notification), headers: { 'Content-Type': 'application/json' } });
      expect(ok.status).toBe(200);
      const bad = await fetch(url, { method: 'POST', body: 'not json' });
      expect(bad.status).toBe(400);
      const elsewhere = await fetch(url.replace('/alerts', '/other'));
      expect(elsewhere.status).toBe(404);

      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        status: 'firing',
        alertname: 'StreamtuneDriftDetected',
        severity: 'info',
        instance: 'trainer:9464',
        summary: 'Concept drift detected by pageHinkley on trainer:9464',
        description: 'The tuner reacts on its own.',
      });
      expect(lines[1]).toMatchObject({ status: 'resolved', instance: 'other:9464' });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await closed).toBe(0);
  });
});
