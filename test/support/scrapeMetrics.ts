/** One sample of the Prometheus text format: metric name, labels and value. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses Prometheus text exposition (comments skipped) into samples.
 *
 * @example
 * parseMetrics('streamtune_kafka_lag{topic="t",partition="0"} 12\n');
 * // [{ name: 'streamtune_kafka_lag', labels: { topic: 't', partition: '0' }, value: 12 }]
 */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/**
 * GETs `<baseUrl>/metrics` (one attempt, 5 s at most) and parses it.
 *
 * @example
 * const samples = await scrapeMetrics('http://127.0.0.1:41234');
 * samples.find((s) => s.name === 'streamtune_source_up')?.value; // 1
 */
export async function scrapeMetrics(baseUrl: string): Promise<MetricSample[]> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET ${baseUrl}/metrics: HTTP ${response.status}`);
  return parseMetrics(await response.text());
}
