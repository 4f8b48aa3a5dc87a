import type { LiveRun } from './LiveRun.js';
import { weightsDigest } from './weightsDigest.js';

/**
 * What `GET /status` answers: the version, the record counts, whether learning is paused, the
 * hyperparameters in force, the population's champion and members, the rolling evaluation windows
 * (train and holdout), the source positions the processed records reach, and a digest of the
 * champion's weights.
 *
 * @example
 * sendJson(res, 200, controlStatus(run, packageVersion()));
 */
export function controlStatus(run: LiveRun, version: string): Record<string, unknown> {
  const { parts } = run;
  const evaluation = parts.evaluator.get();
  return {
    version,
    records: { ...parts.counts, rejectedByReason: { ...parts.counts.rejectedByReason } },
    paused: parts.controls.paused,
    hyperparameters: parts.controls.hyperParams,
    champion: { id: parts.population.championId, engine: parts.engine.kind, weights: weightsDigest(parts.engine.getWeights()) },
    members: parts.population.status(),
    windows: evaluation.window,
    positions: run.positions() ?? null,
  };
}
