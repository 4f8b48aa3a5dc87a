import type { LineChartSpec, Marker, Series } from './ChartSpec.js';
import { PALETTE } from './palette.js';
import type { MetricsLine } from './RunData.js';

type Member = Record<string, unknown>;
const MAX_MEMBERS = 24;

/**
 * Charts of a population, read generically from the lines: every top-level array of objects with
 * an `id` (such as `members: [{ id, windowLoss, learningRate, l2 }]`) gives one chart per numeric
 * field, one line per member; when the lines name a `champion` (an id, or an object with one), its
 * values are drawn as a bold line and each change of champion is a marker. None without such arrays.
 *
 * @example
 * populationCharts([{ records: 1000, members: [{ id: 'a', windowLoss: 0.5 }], champion: 'a' }]);
 * // [{ id: 'members.windowLoss', title: 'Population: windowLoss of each member', ... }]
 */
export function populationCharts(lines: readonly MetricsLine[]): LineChartSpec[] {
  const charts: LineChartSpec[] = [];
  const championMarkers = champions(lines);
  for (const field of memberFields(lines)) {
    const ids: string[] = [];
    const keys = new Set<string>();
    for (const line of lines) {
      for (const m of members(line, field)) {
        if (!ids.includes(idOf(m)) && ids.length < MAX_MEMBERS) ids.push(idOf(m));
        for (const [k, v] of Object.entries(m)) if (k !== 'id' && typeof v === 'number') keys.add(k);
      }
    }
    for (const key of keys) {
      const value = (line: MetricsLine, id: string | undefined): number | null => {
        const v = members(line, field).find((m) => idOf(m) === id)?.[key];
        return typeof v === 'number' && Number.isFinite(v) ? v : null;
      };
      const series: Series[] = ids.map((id, i) => ({
        name: id,
        points: lines.map((l) => [l.records, value(l, id)] as [number, number | null]),
        color: PALETTE.cycle[i % PALETTE.cycle.length] as string,
      }));
      if (championMarkers.length > 0) {
        const points = lines.map((l) => [l.records, value(l, championOf(l))] as [number, number | null]);
        series.push({ name: 'champion', points, color: PALETTE.champion, bold: true });
      }
      charts.push({
        id: `${field}.${key}`,
        title: `Population: ${key} of each member`,
        xLabel: 'records',
        yLabel: key,
        series,
        markers: championMarkers,
        step: /rate|l2/i.test(key),
      });
    }
  }
  return charts;
}

/** Top-level fields that hold an array of objects with an id in some line. */
function memberFields(lines: readonly MetricsLine[]): string[] {
  const fields = new Set<string>();
  for (const line of lines) {
    for (const [k, v] of Object.entries(line)) {
      if (Array.isArray(v) && v.length > 0 && v.every((m) => m !== null && typeof m === 'object' && 'id' in m)) fields.add(k);
    }
  }
  return [...fields];
}

function members(line: MetricsLine, field: string): Member[] {
  const v = line[field];
  return Array.isArray(v) ? (v.filter((m) => m !== null && typeof m === 'object') as Member[]) : [];
}

const idOf = (m: Member): string => String(m.id);

/** The champion's id in a line: `champion` as an id, or as an object with an `id`. */
function championOf(line: MetricsLine): string | undefined {
  const c = line.champion;
  if (typeof c === 'string' || typeof c === 'number') return String(c);
  if (c !== null && typeof c === 'object' && 'id' in c) return String((c as Member).id);
  return undefined;
}

/** A marker wherever the champion changes (the first one included). */
function champions(lines: readonly MetricsLine[]): Marker[] {
  const out: Marker[] = [];
  let current: string | undefined;
  for (const line of lines) {
    const id = championOf(line);
    if (id !== undefined && id !== current) out.push({ x: line.records, kind: 'champion', label: `champion: ${id}` });
    current = id ?? current;
  }
  return out;
}
