import { averageEngines } from '../model/averageEngines.js';
import type { EngineSnapshot } from '../model/Engine.js';

/** One trainer's population as a merge sees it: its members' models and the records behind them. */
export interface WeightedMembers {
  readonly members: readonly EngineSnapshot[];
  /** Records this trainer learned since its models were last merged (every member learns every record). */
  readonly weight: number;
}

/**
 * Merges populations member by member: member k of this trainer becomes the weighted average
 * (see {@link averageEngines}) of member k of every trainer that has one. Only models and Adam's
 * moments are merged: each member keeps its own hyperparameters. A member no other trainer has
 * stays as it is; with no weight of its own and none from the others, it stays too.
 *
 * @example
 * mergeMembers({ members: own, weight: 2000 }, [{ members: peerMembers, weight: 1800 }]); // own.length snapshots
 */
export function mergeMembers(own: WeightedMembers, peers: readonly WeightedMembers[]): EngineSnapshot[] {
  return own.members.map((engine, k) => {
    const parts = [{ engine, weight: own.weight }];
    for (const peer of peers) {
      const theirs = peer.members[k];
      if (theirs && peer.weight > 0) parts.push({ engine: theirs, weight: peer.weight });
    }
    return parts.some((p) => p.weight > 0) && parts.length > 1 ? averageEngines(parts) : engine;
  });
}
