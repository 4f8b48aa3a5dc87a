import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { baseMetric, declaredMetrics, metricNamesIn } from '../grafana/dashboard.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(REPO, 'docker/prometheus');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>;
}

const rules = (parseYaml(readFileSync(join(DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (g) => g.rules,
);
const ruleTests = parseYaml(readFileSync(join(DIR, 'alerts.test.yml'), 'utf8')) as { rule_files: string[]; tests: RuleTest[] };

/** Runs promtool in docker/prometheus (relative paths as in the files) and returns its output. */
function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' });
  if (result.error) throw new Error(`cannot run promtool (Debian: apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('docker/prometheus', () => {
  it('prometheus.yml passes `promtool check config`, rule files included', () => {
    const { status, output } = promtool('check', 'config', 'prometheus.yml');
    expect(output).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(status).toBe(0);
  });

  it('alerts.yml passes `promtool check rules`', () => {
    const { status, output } = promtool('check', 'rules', 'alerts.yml');
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(status).toBe(0);
  });

  it('alerts.test.yml passes `promtool test rules`', () => {
    const { status, output } = promtool('test', 'rules', 'alerts.test.yml');
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('`promtool test rules` fails when a rule no longer fires (the tests can fail)', () => {
    // a copy of the rules with the drift alert's threshold out of reach
    const broken = readFileSync(join(DIR, 'alerts.yml'), 'utf8').replace(
      'increase(streamtune_drift_detected_total[5m]) > 0',
      'increase(streamtune_drift_detected_total[5m]) > 1000',
    );
    expect(broken).not.toBe(readFileSync(join(DIR, 'alerts.yml'), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'streamtune-rules-'));
    try {
      copyFileSync(join(DIR, 'alerts.test.yml'), join(dir, 'alerts.test.yml'));
      writeFileSync(join(dir, 'alerts.yml'), broken);
      const result = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir, encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`).toContain('alertname: StreamtuneDriftDetected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the alerts an operator needs', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        'StreamtuneCheckpointStale',
        'StreamtuneDriftDetected',
        'StreamtuneHoldoutLossHigh',
        'StreamtuneHoldoutLossRising',
        'StreamtuneNonFiniteLoss',
        'StreamtuneRejectRateHigh',
        'StreamtuneSyncStopped',
        'StreamtuneTrainerDown',
        'StreamtuneTrainingStalled',
      ].sort(),
    );
  });

  it('gives every alert a severity and a summary and description a person can act on', () => {
    for (const rule of rules) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      const summary = rule.annotations?.summary ?? '';
      const description = rule.annotations?.description ?? '';
      expect(summary.length, `${rule.alert} summary`).toBeGreaterThan(15);
      expect(summary, `${rule.alert} summary is one line`).not.toContain('\n');
      // what happened, where to look, what to do: several sentences
      expect(description.length, `${rule.alert} description`).toBeGreaterThan(250);
      expect(description.split(/[.:;]\s/).length, `${rule.alert} description`).toBeGreaterThanOrEqual(3);
      // names the instance, or is about a job with no instance at all
      expect(`${summary}${description}`, rule.alert).toMatch(/\$labels\.instance/);
    }
  });

  it('renders short summaries and full descriptions (as the unit tests expect them)', () => {
    const rendered = ruleTests.tests
      .flatMap((t) => t.alert_rule_test ?? [])
      .flatMap((c) => (c.exp_alerts ?? []) as Array<{ exp_annotations?: Record<string, string> }>)
      .map((a) => a.exp_annotations ?? {});
    expect(rendered.length).toBeGreaterThanOrEqual(rules.length);
    for (const { summary = '', description = '' } of rendered) {
      expect(summary.length, summary).toBeGreaterThan(15);
      expect(summary.length, summary).toBeLessThan(100);
      expect(`${summary} ${description}`, 'an unrendered template').not.toMatch(/\{\{|\}\}|<no value>|%!/);
    }
  });

  it('has unit tests for every alert, each with a firing and a quiet case', () => {
    expect(ruleTests.rule_files).toEqual(['alerts.yml']);
    const cases = ruleTests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of rules) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${rule.alert} never fires in alerts.test.yml`).toBe(true);
      expect(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${rule.alert} is never tested quiet`).toBe(true);
    }
  });

  it('names only metrics the trainer exports (streamtune_* from src/telemetry/registry.ts) and `up`', () => {
    const declared = declaredMetrics(['src/telemetry/registry.ts', 'src/telemetry/SyncMetrics.ts'].map((f) => readFileSync(join(REPO, f), 'utf8')).join('\n'));
    for (const rule of rules) {
      for (const name of metricNamesIn(rule.expr)) {
        if (name === 'up') continue;
        expect(baseMetric(name, declared), `${rule.alert}: ${name}`).toBeDefined();
      }
    }
  });

  it('scrapes the trainer as job "streamtune", which the rules and the dashboard select', () => {
    const config = parseYaml(readFileSync(join(DIR, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string }>;
    };
    expect(config.scrape_configs.map((c) => c.job_name)).toContain('streamtune');
    const down = rules.find((r) => r.alert === 'StreamtuneTrainerDown');
    expect(down?.expr).toContain('up{job="streamtune"}');
  });
});
