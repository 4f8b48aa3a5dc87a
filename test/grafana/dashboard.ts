import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The provisioned trainer dashboard. */
export const DASHBOARD_PATH = fileURLToPath(new URL('../../grafana/dashboards/streamtune.json', import.meta.url));

export interface DatasourceRef {
  readonly type?: string;
  readonly uid?: string;
}

export interface Target {
  readonly refId?: string;
  readonly expr?: string;
  readonly legendFormat?: string;
  readonly datasource?: DatasourceRef;
}

export interface Panel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: DatasourceRef;
  readonly gridPos?: { x: number; y: number; w: number; h: number };
  readonly targets?: Target[];
  readonly panels?: Panel[];
}

export interface Annotation {
  readonly name: string;
  readonly builtIn?: number;
  readonly datasource?: DatasourceRef;
  readonly expr?: string;
}

export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly datasource?: DatasourceRef;
  readonly query?: string | { query: string };
  readonly allValue?: string;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: Panel[];
  readonly templating: { list: Variable[] };
  readonly annotations: { list: Annotation[] };
}

/**
 * Reads a dashboard JSON file.
 *
 * @example
 * const dashboard = loadDashboard(); // grafana/dashboards/streamtune.json
 */
export function loadDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Every panel, rows' nested panels included, in order. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Panels that query data (every panel but rows). */
export function dataPanels(dashboard: Dashboard): Panel[] {
  return allPanels(dashboard).filter((p) => p.type !== 'row');
}

/** The text of a variable's query (`label_values(streamtune_records_total, job)`). */
export function variableQuery(variable: Variable): string {
  return typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
}

/**
 * Replaces Grafana's variables in a PromQL expression as Grafana would for the given values.
 *
 * @example
 * substitute('rate(x{job=~"$job"}[$__rate_interval])', { job: '.*', __rate_interval: '20s' }); // 'rate(x{job=~".*"}[20s])'
 */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => values[name] ?? whole);
}

/** Labels lists, strings, label matchers and ranges hidden (same length), so only names and operators remain. */
function mask(expr: string): string {
  const blank = (s: string) => ' '.repeat(s.length);
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, blank)
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, (m, kw: string) => kw + blank(m.slice(kw.length)))
    .replace(/\{[^}]*\}/g, (m) => '{' + blank(m.slice(1, -1)) + '}')
    .replace(/\[[^\]]*\]/g, blank);
}

const KEYWORDS = new Set([
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
  'inf', 'nan', 'Inf', 'NaN', 'atan2',
]);

/** A metric selector found in PromQL: the name and the selector text with its matchers. */
export interface Selector {
  readonly name: string;
  /** `name{matchers}` as written (or just `name`). */
  readonly text: string;
  /** The matchers between the braces, as written ('' when there are none). */
  readonly matchers: string;
}

/**
 * The metric selectors of a PromQL expression (names not followed by `(`, outside strings,
 * matchers, ranges and label lists).
 *
 * @example
 * selectorsIn('sum by (le) (rate(a_bucket{job="x"}[5m])) / b'); // [{ name: 'a_bucket', text: 'a_bucket{job="x"}', ... }, { name: 'b', ... }]
 */
export function selectorsIn(expr: string): Selector[] {
  const masked = mask(expr);
  const out: Selector[] = [];
  const token = /[A-Za-z_:][\w:]*|\d[\w.]*/g;
  for (let m = token.exec(masked); m !== null; m = token.exec(masked)) {
    const name = m[0];
    if (/^\d/.test(name) || KEYWORDS.has(name)) continue;
    const after = masked.slice(m.index + name.length);
    if (/^\s*(\(|(by|without)\b)/.test(after)) continue; // a function or an aggregation (`sum by (x) (...)`)
    let text = name;
    let matchers = '';
    const brace = /^\s*\{/.exec(after);
    if (brace) {
      const open = m.index + name.length + brace[0].length - 1;
      const close = masked.indexOf('}', open);
      matchers = expr.slice(open + 1, close).trim();
      text = expr.slice(m.index, close + 1);
    }
    out.push({ name, text, matchers });
  }
  return out;
}

/** Metric names used in PromQL (see {@link selectorsIn}). */
export function metricNamesIn(expr: string): string[] {
  return [...new Set(selectorsIn(expr).map((s) => s.name))];
}

/**
 * Metric names declared in a prom-client source file, with their types (`name: 'streamtune_…'`
 * right after `new Counter({` / `new Gauge({` / `new Histogram({` / `new Summary({`).
 *
 * @example
 * declaredMetrics(readFileSync('src/telemetry/registry.ts', 'utf8')).get('streamtune_tensors'); // 'Gauge'
 */
export function declaredMetrics(source: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /new\s+(Counter|Gauge|Histogram|Summary)\s*\(\s*\{\s*name:\s*['"]([A-Za-z_:][\w:]*)['"]/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) out.set(m[2] as string, m[1] as string);
  return out;
}

/**
 * The metric a sample name belongs to: `x_bucket`, `x_sum` and `x_count` belong to histogram `x`,
 * `x_sum` and `x_count` to summary `x`; anything else is its own metric.
 */
export function baseMetric(name: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (!m) return undefined;
  const base = m[1] as string;
  const type = types.get(base);
  if (type === 'Histogram' || type === 'histogram') return base;
  if ((type === 'Summary' || type === 'summary') && m[2] !== 'bucket') return base;
  return undefined;
}
