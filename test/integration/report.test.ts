import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/runCli.js';
import { sharedData } from '../support/sharedData.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-report-'));
/** Where the screenshots are kept after the run (gitignored); docs/report-elec2.png is a copy of one. */
const ARTIFACTS = join(REPO, '.tmp', 'test-artifacts');
const common = ['--metrics-port', '0', '--progress', 'off'];

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does), or $CHROMIUM_PATH. Never skipped: missing is a failure. */
function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('no Chromium found: install Debian\'s "chromium" package (.ci/run does) or set CHROMIUM_PATH');
  }
}

interface Opened {
  readonly page: Page;
  /** Console errors, page errors and every request that was not for the file itself. */
  readonly problems: string[];
}

let browser: Browser;

async function open(path: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => r.url() !== pathToFileURL(path).href && problems.push(`request: ${r.url()}`));
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, problems };
}

/** What the browser drew of each chart: its size, and per series the points it holds and the length of its line. */
async function drawn(page: Page): Promise<Record<string, { width: number; height: number; series: Record<string, { points: number; length: number }>; markers: Record<string, number>; bars: number }>> {
  return page.$$eval('svg.chart', (svgs) =>
    Object.fromEntries(
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        const series = Object.fromEntries(
          [...svg.querySelectorAll('path.series')].map((p) => [
            p.getAttribute('data-series'),
            { points: Number(p.getAttribute('data-points')), length: (p as unknown as { getTotalLength(): number }).getTotalLength() },
          ]),
        );
        const markers: Record<string, number> = {};
        for (const m of svg.querySelectorAll('line.marker')) {
          const kind = [...m.classList].find((c) => c.startsWith('marker-'))?.slice(7) ?? '?';
          markers[kind] = (markers[kind] ?? 0) + 1;
        }
        return [svg.getAttribute('data-chart'), { width: box.width, height: box.height, series, markers, bars: svg.querySelectorAll('rect.bar').length }];
      }),
    ),
  );
}

const jsonLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe('the run report in a real browser', () => {
  it('train --report on Elec2 draws every chart from the run, with its drift and tuning markers, and nothing from elsewhere', async () => {
    const metricsLog = join(tmp, 'elec2.metrics.jsonl');
    const summaryPath = join(tmp, 'elec2.summary.json');
    const report = join(tmp, 'elec2.html');
    const ckpt = join(tmp, 'elec2-ckpt');
    const run = await runCli([
      'train', ...common,
      '--source', sharedData('elec2.csv'), '--label', 'class', '--task', 'binary',
      '--metrics-log', metricsLog, '--summary-json', summaryPath, '--report', report,
      '--checkpoint-dir', ckpt, '--checkpoint-every', '10000',
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const entries = jsonLines(metricsLog);
    const lines = entries.filter((e) => e.type === undefined);
    const drifts = entries.filter((e) => e.type === 'drift');
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { tuningEvents: unknown[]; records: { total: number } };
    expect(lines.length).toBeGreaterThan(40);
    expect(drifts.length).toBeGreaterThan(0); // Elec2 drifts; the default detectors see it
    expect(summary.tuningEvents.length).toBeGreaterThan(0);

    const { page, problems } = await open(report);
    expect(await page.$$eval('script', (s) => s.length)).toBe(0);
    const charts = await drawn(page);
    // The run's charts, the default population's (4 members: one chart per member field), then rejects.
    expect(Object.keys(charts)).toEqual([
      'loss', 'accuracy', 'learningRate', 'l2', 'throughput',
      'members.loss', 'members.learningRate', 'members.l2', 'members.batchSize', 'rejects',
    ]);
    expect(Object.keys(charts['members.loss']?.series ?? {})).toEqual(['0', '1', '2', '3', 'champion']);
    for (const [id, chart] of Object.entries(charts)) {
      expect(chart.width, id).toBeGreaterThan(300);
      expect(chart.height, id).toBeGreaterThan(50);
      for (const [name, s] of Object.entries(chart.series)) expect(s.length, `${id}: ${name}`).toBeGreaterThan(50);
    }
    // Every metrics line is a point of train and holdout; the baselines are beside them.
    expect(charts.loss?.series['train (prequential)']?.points).toBe(lines.length);
    expect(charts.loss?.series.holdout?.points).toBe(lines.length);
    expect(Object.keys(charts.accuracy?.series ?? {})).toEqual(['train (prequential)', 'holdout', 'baseline: majority', 'baseline: noChange']);
    expect(charts.accuracy?.series['baseline: noChange']?.points).toBe(lines.length);
    expect(charts.learningRate?.series.learningRate?.points).toBe(lines.length);
    expect(charts.throughput?.series['records per second']?.points).toBeGreaterThan(10);
    // One marker per detection and per tuning event of the run.
    expect(charts.loss?.markers).toEqual({ drift: drifts.length, tuning: summary.tuningEvents.length });
    expect(charts.learningRate?.markers).toEqual({ tuning: summary.tuningEvents.length });
    expect(charts.rejects?.bars).toBe(0);
    expect(await page.textContent('#chart-rejects')).toContain('no rejected records');
    expect(await page.textContent('.facts')).toContain('45,312 total');
    await page.screenshot({ path: join(ARTIFACTS, 'report-elec2.png'), fullPage: true });
    expect(statSync(join(ARTIFACTS, 'report-elec2.png')).size).toBeGreaterThan(20_000);
    expect(problems).toEqual([]);
    await page.close();

    // The same run from its checkpoint directory: one point per kept checkpoint.
    const fromCkpt = join(tmp, 'elec2-ckpt.html');
    const ck = await runCli(['report', ckpt, '--out', fromCkpt]).done;
    expect(ck.code, ck.stderr).toBe(0);
    const opened = await open(fromCkpt);
    const ckCharts = await drawn(opened.page);
    const kept = readdirSync(ckpt).filter((f) => /^checkpoint-\d+\.json$/.test(f)).length;
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(ckCharts.accuracy?.series['baseline: noChange']?.points).toBe(kept);
    expect(ckCharts.loss?.series.holdout?.points).toBe(kept);
    expect(opened.problems).toEqual([]);
    await opened.page.close();
  });

  it('streamtune report draws rejects by reason and, when the log carries a population, each member and the champion', async () => {
    // A run with damaged rows: the reasons come from the real validation.
    const rows = readFileSync(sharedData('elec2.csv'), 'utf8').trim().split('\n').slice(0, 4001);
    for (let i = 100; i < rows.length; i += 250) rows[i] = (rows[i] as string).replace(/,[^,]*,/, ',abc,'); // a non-number
    for (let i = 220; i < rows.length; i += 500) rows[i] = (rows[i] as string).replace(/,[^,]*$/, ','); // no label
    const csv = join(tmp, 'damaged.csv');
    writeFileSync(csv, rows.join('\n') + '\n');
    const metricsLog = join(tmp, 'damaged.metrics.jsonl');
    const summaryPath = join(tmp, 'damaged.summary.json');
    const run = await runCli([
      'train', ...common, '--source', csv, '--label', 'class', '--task', 'binary',
      '--metrics-log', metricsLog, '--summary-json', summaryPath, '--dead-letter', join(tmp, 'damaged.dead.jsonl'),
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { rejectedByReason: Record<string, number> };
    const reasons = Object.entries(summary.rejectedByReason).filter(([, n]) => n > 0);
    expect(reasons.length).toBeGreaterThanOrEqual(2);

    // A population, as population tuning will log it: members with their loss and hyperparameters, and a champion.
    let periodic = 0;
    const withPopulation = jsonLines(metricsLog).map((e) => {
      if (e.type !== undefined) return e;
      const i = periodic++;
      const members = ['m0', 'm1', 'm2'].map((id, k) => ({
        id,
        windowLoss: 0.5 + 0.05 * k + 0.1 * Math.sin(i / 3 + k),
        learningRate: 0.001 * (k + 1),
        l2: 0.001,
      }));
      return { ...e, members, champion: i < 2 ? 'm0' : 'm2' };
    });
    const populationLog = join(tmp, 'population.metrics.jsonl');
    writeFileSync(populationLog, withPopulation.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const out = join(tmp, 'population.html');
    const made = await runCli(['report', populationLog, '--summary', summaryPath, '--out', out]).done;
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`report written to ${out}`);

    const { page, problems } = await open(out);
    const charts = await drawn(page);
    const lines = withPopulation.filter((e) => e.type === undefined).length;
    expect(Object.keys(charts)).toEqual(expect.arrayContaining(['members.windowLoss', 'members.learningRate', 'members.l2', 'rejects']));
    expect(Object.keys(charts['members.windowLoss']?.series ?? {})).toEqual(['m0', 'm1', 'm2', 'champion']);
    for (const s of Object.values(charts['members.windowLoss']?.series ?? {})) expect(s.points).toBe(lines);
    expect(charts['members.windowLoss']?.markers).toEqual({ champion: 2 });
    const bars = await page.$$eval('#chart-rejects rect.bar', (rs) => rs.map((r) => [r.getAttribute('data-label'), Number(r.getAttribute('data-value'))]));
    expect(Object.fromEntries(bars)).toEqual(Object.fromEntries(reasons));
    await page.screenshot({ path: join(ARTIFACTS, 'report-population.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
