import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  REPO_ROOT,
  allPanels,
  baseMetric,
  dataPanels,
  declaredMetrics,
  loadDashboard,
  metricNamesIn,
  selectorsIn,
  substitute,
  variableQuery,
} from './dashboard.js';

const dashboard = loadDashboard();
const datasourceFile = parseYaml(readFileSync(join(REPO_ROOT, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
  datasources: Array<{ uid: string; type: string; url: string }>;
};
const providerFile = parseYaml(readFileSync(join(REPO_ROOT, 'grafana/provisioning/dashboards/streamtune.yml'), 'utf8')) as {
  providers: Array<{ type: string; options: { path: string } }>;
};
// The registry and the gauges it creates (src/telemetry/PopulationMetrics.ts, SyncMetrics.ts).
const registrySource = ['src/telemetry/registry.ts', 'src/telemetry/PopulationMetrics.ts', 'src/telemetry/SyncMetrics.ts'].map((f) => readFileSync(join(REPO_ROOT, f), 'utf8')).join('\n');
const streamtuneMetrics = declaredMetrics(registrySource);

/** Every PromQL expression of the dashboard: panel targets and annotation queries. */
const queries = [
  ...dataPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: t.expr ?? '' }))),
  ...dashboard.annotations.list.filter((a) => a.expr !== undefined).map((a) => ({ where: `annotation "${a.name}"`, expr: a.expr ?? '' })),
];

/** The metrics of prom-client's default collectors (process_*, nodejs_*), with their types. */
async function defaultMetrics(): Promise<Map<string, string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = await registry.getMetricsAsJSON();
  return new Map(metrics.map((m) => [m.name, String(m.type)]));
}

describe('PromQL selector parsing (used by the checks below)', () => {
  it('finds metric names and their matchers, skipping functions, label lists, strings and ranges', () => {
    const expr =
      'histogram_quantile(0.9, sum by (instance, le) (rate(a_seconds_bucket{job=~"$job", le!="x{y}"}[$__rate_interval]))) ' +
      '/ on(job) group_left b_total or absent(up{job="streamtune"}) unless c offset 1m > 1e-3';
    expect(selectorsIn(expr)).toEqual([
      { name: 'a_seconds_bucket', text: 'a_seconds_bucket{job=~"$job", le!="x{y}"}', matchers: 'job=~"$job", le!="x{y}"' },
      { name: 'b_total', text: 'b_total', matchers: '' },
      { name: 'up', text: 'up{job="streamtune"}', matchers: 'job="streamtune"' },
      { name: 'c', text: 'c', matchers: '' },
    ]);
  });

  it('maps histogram samples to their metric and nothing else', () => {
    const types = new Map([
      ['h_seconds', 'Histogram'],
      ['g', 'Gauge'],
    ]);
    expect(baseMetric('h_seconds_bucket', types)).toBe('h_seconds');
    expect(baseMetric('h_seconds_count', types)).toBe('h_seconds');
    expect(baseMetric('g', types)).toBe('g');
    expect(baseMetric('g_bucket', types)).toBeUndefined();
    expect(baseMetric('unknown', types)).toBeUndefined();
  });

  it('reads every metric the telemetry registry declares, with its type', () => {
    expect(streamtuneMetrics.get('streamtune_records_total')).toBe('Counter');
    expect(streamtuneMetrics.get('streamtune_batch_duration_seconds')).toBe('Histogram');
    expect(streamtuneMetrics.get('streamtune_kafka_lag')).toBe('Gauge');
    // as many as the source has `name: 'streamtune_...'` declarations
    expect(streamtuneMetrics.size).toBe((registrySource.match(/name:\s*'streamtune_\w+'/g) ?? []).length);
  });
});

describe('grafana/dashboards/streamtune.json', () => {
  it('has unique panel ids, and every panel a grid position inside the 24 columns', () => {
    const panels = allPanels(dashboard);
    expect(panels.length).toBeGreaterThan(20);
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      const g = p.gridPos;
      expect(g, `panel ${p.id} "${p.title}" gridPos`).toBeDefined();
      if (!g) continue;
      for (const v of [g.x, g.y, g.w, g.h]) expect(Number.isInteger(v) && v >= 0).toBe(true);
      expect(g.w).toBeGreaterThan(0);
      expect(g.h).toBeGreaterThan(0);
      expect(g.x + g.w, `panel ${p.id} "${p.title}" ends past column 24`).toBeLessThanOrEqual(24);
    }
  });

  it('has no two panels overlapping', () => {
    const panels = allPanels(dashboard);
    const overlaps: string[] = [];
    for (let i = 0; i < panels.length; i++) {
      for (let j = i + 1; j < panels.length; j++) {
        const a = panels[i]?.gridPos;
        const b = panels[j]?.gridPos;
        if (!a || !b) continue;
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) {
          overlaps.push(`${panels[i]?.title} / ${panels[j]?.title}`);
        }
      }
    }
    expect(overlaps).toEqual([]);
  });

  it('gives every data panel targets with an expression and a unique refId, on the provisioned datasource', () => {
    const provisioned = datasourceFile.datasources[0];
    expect(provisioned?.type).toBe('prometheus');
    expect(provisioned?.uid).toBe('prometheus');
    const uid = provisioned?.uid;
    for (const p of dataPanels(dashboard)) {
      const where = `panel ${p.id} "${p.title}"`;
      expect(p.datasource?.uid, where).toBe(uid);
      const targets = p.targets ?? [];
      expect(targets.length, where).toBeGreaterThan(0);
      const refIds = targets.map((t) => t.refId);
      expect(new Set(refIds).size, where).toBe(refIds.length);
      for (const t of targets) {
        expect(t.refId, where).toMatch(/^[A-Z]$/);
        expect(t.expr?.trim(), where).toBeTruthy();
        expect(t.datasource?.uid ?? p.datasource?.uid, where).toBe(uid);
      }
    }
    for (const v of dashboard.templating.list) expect(v.datasource?.uid, `variable ${v.name}`).toBe(uid);
    for (const a of dashboard.annotations.list.filter((x) => x.builtIn !== 1)) expect(a.datasource?.uid, `annotation ${a.name}`).toBe(uid);
  });

  it('has job and instance variables over the trainer metrics, All meaning any value', () => {
    const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    expect([...vars.keys()]).toEqual(['job', 'instance']);
    expect(variableQuery(vars.get('job') as never)).toBe('label_values(streamtune_records_total, job)');
    expect(variableQuery(vars.get('instance') as never)).toBe('label_values(streamtune_records_total{job=~"$job"}, instance)');
    for (const v of vars.values()) {
      expect(v.type).toBe('query');
      expect(v.allValue).toBe('.*');
    }
  });

  it('filters every metric selector of every query by $job and $instance', () => {
    const unfiltered: string[] = [];
    for (const q of queries) {
      const selectors = selectorsIn(q.expr);
      expect(selectors.length, q.where).toBeGreaterThan(0);
      for (const s of selectors) {
        if (!/\bjob=~"\$job"/.test(s.matchers) || !/\binstance=~"\$instance"/.test(s.matchers)) unfiltered.push(`${q.where}: ${s.text}`);
      }
    }
    expect(unfiltered).toEqual([]);
  });

  it('uses only metrics the trainer exports: streamtune_* from src/telemetry/registry.ts, the rest from prom-client defaults', async () => {
    const defaults = await defaultMetrics();
    const unknown: string[] = [];
    for (const q of queries) {
      // the brief's plain regex first: every streamtune_ name, histogram samples mapped to their metric
      for (const name of q.expr.match(/streamtune_\w+/g) ?? []) {
        if (baseMetric(name, streamtuneMetrics) === undefined) unknown.push(`${q.where}: ${name}`);
      }
      for (const name of metricNamesIn(q.expr)) {
        const known = name.startsWith('streamtune_') ? baseMetric(name, streamtuneMetrics) : baseMetric(name, defaults);
        if (known === undefined) unknown.push(`${q.where}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('shows the metrics an operator needs, and every other registry metric is listed here as not shown on purpose', () => {
    const used = new Set(queries.flatMap((q) => metricNamesIn(q.expr)).map((n) => baseMetric(n, streamtuneMetrics) ?? n));
    const required = [
      'streamtune_records_total',
      'streamtune_records_rejected_total',
      'streamtune_window_mse',
      'streamtune_window_cross_entropy',
      'streamtune_window_accuracy',
      'streamtune_baseline_window_accuracy',
      'streamtune_baseline_window_mse',
      'streamtune_learning_rate',
      'streamtune_l2',
      'streamtune_tuning_adjustments_total',
      'streamtune_drift_detected_total',
      'streamtune_detector_statistic',
      'streamtune_kafka_lag',
      'streamtune_source_up',
      'streamtune_checkpoint_age_seconds',
      'streamtune_checkpoint_failures_total',
      'streamtune_batch_duration_seconds',
      'streamtune_tensors',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'streamtune_sync_rounds_total',
      'streamtune_sync_members',
      'streamtune_sync_lag_seconds',
    ];
    expect(required.filter((m) => !used.has(m))).toEqual([]);
    const notShown = new Set([
      'streamtune_batches_total', // records/s tells the throughput; batch duration the step cost
      'streamtune_kafka_committed_offset', // lag and checkpoint age tell what a crash would replay
    ]);
    const missing = [...streamtuneMetrics.keys()].filter((m) => !used.has(m) && !notShown.has(m));
    expect(missing, 'add a panel for these metrics, or list them in notShown with the reason').toEqual([]);
  });

  it('marks tuning events and drift detections as annotations', () => {
    const byName = new Map(dashboard.annotations.list.map((a) => [a.name, a]));
    expect(byName.get('Tuning adjustments')?.expr).toContain('changes(streamtune_tuning_adjustments_total{');
    expect(byName.get('Drift detections')?.expr).toContain('streamtune_drift_detected_total{');
  });

  it('has valid PromQL everywhere (promtool checks each query as a recording rule)', () => {
    const values = { job: '.*', instance: '.*', __rate_interval: '1m', __interval: '15s', __range: '1h' };
    const rules = [
      ...queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: substitute(q.expr, values) })),
      ...dashboard.templating.list.map((v, i) => ({
        record: `dashboard:variable_${i}`,
        expr: substitute(/^label_values\((.*),\s*\w+\)$/.exec(variableQuery(v))?.[1] ?? '', values),
      })),
    ];
    for (const r of rules) expect(r.expr, r.record).not.toMatch(/\$/);
    const dir = mkdtempSync(join(tmpdir(), 'streamtune-dashboard-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      writeFileSync(file, stringifyYaml({ groups: [{ name: 'dashboard', rules }] }));
      const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(out).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('grafana/provisioning', () => {
  it('loads dashboards from the folder the compose file mounts grafana/dashboards into', () => {
    const compose = parseYaml(readFileSync(join(REPO_ROOT, 'docker/compose.yml'), 'utf8')) as {
      services: Record<string, { volumes?: string[] }>;
    };
    const provider = providerFile.providers[0];
    expect(provider?.type).toBe('file');
    const mounts = compose.services.grafana?.volumes ?? [];
    expect(mounts).toContain(`../grafana/dashboards:${provider?.options.path}:ro`);
  });

  it('points the datasource at the compose Prometheus service', () => {
    expect(datasourceFile.datasources[0]?.url).toBe('http://prometheus:9090');
  });
});
