import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetricsDocs } from '../../src/commands/docs/renderMetricsDocs.js';
import { Telemetry } from '../../src/telemetry/registry.js';
import { TUNING_SERIES } from '../../src/tune/tuningSeries.js';
import { REPO } from '../support/builtCli.js';

describe('docs/metrics.md', () => {
  it('is what the registry generates (run `npm run docs` when this fails)', async () => {
    const committed = readFileSync(join(REPO, 'docs/metrics.md'), 'utf8');
    expect(committed === (await renderMetricsDocs()), 'docs/metrics.md is stale: run `npm run docs`').toBe(true);
  });

  it('lists every streamtune_ metric the registry source defines, with its type', async () => {
    const source = readFileSync(join(REPO, 'src/telemetry/registry.ts'), 'utf8');
    const defined = [...source.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name: '(streamtune_\w+)'/g)];
    expect(defined.length).toBeGreaterThan(20);
    const doc = await renderMetricsDocs();
    for (const [, kind, name] of defined) expect(doc).toContain(`| \`${name}\` | ${kind?.toLowerCase()} |`);
  });
});

describe('tuning series', () => {
  it('are declared once each, and the registry exports exactly those from the start', async () => {
    const pairs = TUNING_SERIES.map((s) => `${s.param}/${s.reason}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    const telemetry = new Telemetry();
    telemetry.declareDetectors(['adwin']);
    const metric = await telemetry.registry.getSingleMetric('streamtune_tuning_adjustments_total')?.get();
    const exported = (metric?.values ?? []).map((v) => `${v.labels.param}/${v.labels.reason}`);
    expect(exported.sort()).toEqual([...pairs].sort());
    expect(metric?.values.every((v) => v.value === 0)).toBe(true);
  });
});
