import type { Checkpoint, SourcePositions } from './Checkpoint.js';

/** What `streamtune inspect --json` prints: everything about a checkpoint except its (big) state. */
export interface CheckpointInfo {
  readonly path: string;
  readonly createdAt: string;
  readonly ageSeconds: number;
  readonly configHash: string;
  readonly configSummary: Checkpoint['configSummary'];
  readonly records: Checkpoint['records'];
  readonly positions: SourcePositions;
  readonly hyperParams: Checkpoint['hyperParams'];
  readonly summary?: Checkpoint['summary'];
  /** Which parts of the state the checkpoint holds (trainer, scaler, evaluator, tuner, detectors). */
  readonly stateParts: string[];
  /** The population (absent for a single model): the champion's id, each member's own hyperparameters and recent loss. */
  readonly population?: CheckpointPopulation;
}

export interface CheckpointPopulation {
  readonly champion: number;
  readonly members: readonly { readonly learningRate: number; readonly l2: number; readonly batchSize: number; readonly loss: number | null }[];
}

/**
 * A checkpoint's description as plain data, without `state`.
 *
 * @example
 * console.log(JSON.stringify(checkpointJson(cp, path, new Date()), null, 2));
 */
export function checkpointJson(cp: Checkpoint, path: string, now: Date): CheckpointInfo {
  return {
    path,
    createdAt: cp.createdAt,
    ageSeconds: ageSeconds(cp, now),
    configHash: cp.configHash,
    configSummary: cp.configSummary,
    records: cp.records,
    positions: cp.positions,
    hyperParams: cp.hyperParams,
    ...(cp.summary ? { summary: cp.summary } : {}),
    stateParts: Object.keys(cp.state).filter((k) => cp.state[k as keyof Checkpoint['state']] !== undefined),
    ...populationOf(cp),
  };
}

/** The population part of a checkpoint's state, without the members' weights. */
function populationOf(cp: Checkpoint): { population?: CheckpointPopulation } {
  const stored = (cp.state as unknown as Record<string, unknown>).population as Partial<CheckpointPopulation> | undefined;
  if (!stored || !Array.isArray(stored.members) || typeof stored.champion !== 'number') return {};
  const members = stored.members.map(({ learningRate, l2, batchSize, loss }) => ({ learningRate, l2, batchSize, loss }));
  return { population: { champion: stored.champion, members } };
}

/**
 * A checkpoint as a readable two-column table: path, age, records, source positions (one row per
 * Kafka partition), hyperparameters, metrics and the configuration it is compatible with.
 *
 * @example
 * console.log(formatCheckpoint(cp, path, new Date()));
 * // path          state/checkpoint-000000000007.json
 * // created       2025-01-01T10:00:00.000Z (2 h 5 min ago)
 * // records       45,312 total = 36,200 trained + 9,112 holdout + 0 rejected
 * // offsets       elec2/0 -> next offset 22656
 * // ...
 */
export function formatCheckpoint(cp: Checkpoint, path: string, now: Date): string {
  const info = checkpointJson(cp, path, now);
  const { records, configSummary: config } = cp;
  const rows: Array<[string, string]> = [
    ['path', path],
    ['created', `${cp.createdAt} (${age(info.ageSeconds)})`],
    [
      'records',
      `${n(records.total)} total = ${n(records.trained)} trained + ${n(records.holdout)} holdout + ${n(records.rejected)} rejected`,
    ],
  ];
  const reasons = Object.entries(records.rejectedByReason ?? {});
  if (reasons.length > 0) rows.push(['rejected by reason', reasons.map(([r, c]) => `${r}: ${n(c ?? 0)}`).join(', ')]);
  rows.push(...positionRows(cp.positions));
  rows.push(['learning rate / l2', `${cp.hyperParams.learningRate} / ${cp.hyperParams.l2}`]);
  if (info.population) {
    const { champion, members } = info.population;
    const each = members.map((m, id) => `${id}: lr ${m.learningRate}, l2 ${m.l2}, ${m.batchSize}/step`).join('; ');
    rows.push(['population', `${members.length} members, champion ${champion} (${each})`]);
  }
  if (cp.summary) {
    rows.push(['prequential (train)', metricText(cp.summary.prequential)]);
    rows.push(['holdout', metricText(cp.summary.holdout)]);
  }
  rows.push(
    ['task', `${config.task}${config.task === 'regression' ? '' : `, ${config.classes} classes`}, label "${config.label}"`],
    [`features (${config.features.length})`, config.features.join(', ')],
    ['model layers', JSON.stringify(config.layers) ?? '-'],
    ['config hash', cp.configHash],
    ['state', info.stateParts.join(', ')],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

function positionRows(p: SourcePositions): Array<[string, string]> {
  switch (p.kind) {
    case 'kafka':
      return [
        ['source', `kafka, consumer group "${p.group}"`],
        ...(p.offsets.length === 0
          ? [['offsets', '(none)'] as [string, string]]
          : [...p.offsets]
              .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
              .map((o, i): [string, string] => [i === 0 ? 'offsets' : '', `${o.topic}/${o.partition} -> next offset ${o.offset}`])),
      ];
    case 'file': {
      const where = [
        ...(p.line !== undefined ? [`line ${n(p.line)}`] : []),
        ...(p.byteOffset !== undefined ? [`byte ${n(p.byteOffset)}`] : []),
      ];
      return [
        ['source', `file ${p.path}`],
        ['position', `${n(p.index)} records processed${where.length > 0 ? ` (resume at ${where.join(', ')})` : ''}`],
      ];
    }
    case 'synthetic':
      return [
        ['source', `synthetic ${p.uri}`],
        ['position', `${n(p.index)} records processed`],
      ];
  }
}

function ageSeconds(cp: Checkpoint, now: Date): number {
  return (now.getTime() - Date.parse(cp.createdAt)) / 1000;
}

function age(seconds: number): string {
  if (seconds < 0) return 'in the future: check the clocks';
  const s = Math.floor(seconds);
  const parts: Array<[number, string]> = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'min'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([v]) => v > 0);
  if (first === -1) return 'just now';
  return `${parts
    .slice(first, first + 2)
    .filter(([v]) => v > 0)
    .map(([v, u]) => `${v} ${u}`)
    .join(' ')} ago`;
}

function metricText(m: Partial<Record<string, number | null>>): string {
  const parts = Object.entries(m)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : '-'}`);
  return parts.length > 0 ? parts.join('  ') : '-';
}

function n(x: number): string {
  return x.toLocaleString('en-US');
}
