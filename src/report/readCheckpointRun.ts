import { readFileSync } from 'node:fs';
import { decodeCheckpoint } from '../checkpoint/checkpointCodec.js';
import type { Checkpoint } from '../checkpoint/Checkpoint.js';
import { CheckpointStore } from '../checkpoint/CheckpointStore.js';
import { CheckpointError } from '../errors.js';
import { Evaluator, type EvaluatorSnapshot } from '../eval/Evaluator.js';
import type { MetricsLine, RunData } from './RunData.js';

/**
 * Run data from a checkpoint directory: one metrics line per readable checkpoint (records,
 * hyperparameters, rejects by reason, and the windowed metrics and baselines of its evaluator
 * state). The store keeps only the newest few checkpoints, so the charts have few points; a note
 * says so. Throws a CheckpointError naming the directory when it holds no readable checkpoint.
 *
 * @example
 * const run = await readCheckpointRun('state/elec2');
 * run.lines.length; // 3
 */
export async function readCheckpointRun(dir: string): Promise<RunData> {
  const lines: MetricsLine[] = [];
  let unreadable = 0;
  for (const file of await new CheckpointStore({ dir }).list()) {
    let cp: Checkpoint;
    try {
      cp = decodeCheckpoint(readFileSync(file.path));
    } catch {
      unreadable++;
      continue;
    }
    lines.push(lineOf(cp));
  }
  if (lines.length === 0) {
    throw new CheckpointError(`no readable checkpoint in ${dir}; pass the trainer's --checkpoint-dir, or its --metrics-log file for a full report`);
  }
  lines.sort((a, b) => a.records - b.records);
  const notes = [
    `read from ${lines.length} checkpoint(s) in ${dir}: one point per checkpoint; pass the --metrics-log file of the run for every ${'eval.logEvery'} records`,
    ...(unreadable > 0 ? [`${unreadable} unreadable checkpoint file(s) were left out`] : []),
  ];
  return { title: dir, lines, drifts: [], tuning: [], notes };
}

function lineOf(cp: Checkpoint): MetricsLine {
  const { records, hyperParams, configSummary } = cp;
  const line: Record<string, unknown> = {
    time: cp.createdAt,
    records: records.total,
    trained: records.trained,
    holdout: records.holdout,
    rejected: records.rejected,
    rejectedByReason: records.rejectedByReason,
    learningRate: hyperParams.learningRate,
    l2: hyperParams.l2,
  };
  try {
    const evaluator = new Evaluator({ task: configSummary.task, classes: configSummary.classes });
    evaluator.restore(cp.state.evaluator as EvaluatorSnapshot);
    const evaluation = evaluator.get();
    line.window = evaluation.window;
    line.baselines = Object.fromEntries(Object.entries(evaluation.baselines).map(([k, b]) => [k, { window: b?.window }]));
  } catch {
    // An evaluator state this build cannot read: the line keeps the counts and hyperparameters.
  }
  return { ...line, records: records.total };
}
