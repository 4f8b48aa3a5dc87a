import { Telemetry } from '../../telemetry/registry.js';
import { markdownCell } from './markdownCell.js';

/**
 * docs/metrics.md: every `streamtune_*` metric the telemetry registry defines (name, type, labels
 * with the values exported from the start, help), read from the registry itself; `npm run docs`
 * writes it and a test fails when it is stale.
 *
 * @example
 * writeFileSync('docs/metrics.md', await renderMetricsDocs());
 */
export async function renderMetricsDocs(): Promise<string> {
  const telemetry = new Telemetry();
  telemetry.declareDetectors([]); // the tuning series exist from the start of a run
  const metrics = (await telemetry.registry.getMetricsAsJSON()).filter((m) => m.name.startsWith('streamtune_'));
  const rows = metrics.map((m) => {
    // prom-client keeps a metric's label names on the object without typing them.
    const metric = telemetry.registry.getSingleMetric(m.name) as unknown as { labelNames?: readonly string[] };
    const labelNames = metric.labelNames ?? [];
    return [`\`${m.name}\``, String(m.type), labelsOf(labelNames, m.values), markdownCell(m.help)];
  });
  return [
    '# Metrics reference',
    '',
    '<!-- Generated from the telemetry registry (src/telemetry/registry.ts) by `npm run docs`; do not edit by hand. -->',
    '',
    'Served in the Prometheus text format on `http://127.0.0.1:9464/metrics` (`--metrics-host`,',
    '`--metrics-port`; `--no-metrics` turns it off), beside `/healthz`, from the trainer\'s own',
    'registry, with the default Node.js process metrics (`process_*`, `nodejs_*`). Where the labels',
    'column lists values, those series exist from the start of a run (at zero), so `rate()` and',
    '`changes()` see the first event; the other labeled series appear with their first value. A',
    'window with no records yet leaves its series absent rather than NaN.',
    '',
    '| metric | type | labels (values exported from the start) | help |',
    '|---|---|---|---|',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
  ].join('\n');
}

type Values = ReadonlyArray<{ readonly labels: Partial<Record<string, string | number>> }>;

/** `split` (train, holdout); or, for several labels, the combinations (`param/reason`: `learningRate/drift`, ...). */
function labelsOf(names: readonly string[], values: Values): string {
  if (names.length === 0) return '';
  const present = values.filter((v) => names.every((n) => v.labels[n] !== undefined));
  const list = names.map((n) => `\`${n}\``).join(', ');
  if (present.length === 0) return list;
  const combos = [...new Set(present.map((v) => names.map((n) => String(v.labels[n])).join('/')))];
  return `${names.length > 1 ? names.map((n) => `\`${n}\``).join('/') : list}: ${combos.join(', ')}`;
}
