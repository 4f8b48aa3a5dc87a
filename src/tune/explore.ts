import { mulberry32 } from '../stats/prng.js';
import { clamp, type MemberParams } from './initialMembers.js';
import type { PopulationSettings } from './populationSchema.js';

/** One member replaced in an exploit/explore round. */
export interface Explored {
  /** The member that copies. */
  readonly member: number;
  /** The member whose weights and Adam state it copies. */
  readonly from: number;
  readonly old: MemberParams;
  /** Its hyperparameters from now on: the copied member's, perturbed. */
  readonly params: MemberParams;
  /** Recent losses of the two before the round. */
  readonly loss: number;
  readonly fromLoss: number;
}

/** A member as a round sees it. */
export interface Ranked {
  readonly id: number;
  readonly params: MemberParams;
  readonly loss: number;
}

/**
 * One round of population-based training on members ranked best first: the worst
 * `ceil(size * replace)` each copy one of as many best (exploit), when their loss since the
 * last round exceeds that member's by more than `margin`, and move its learning rate and L2
 * up or down by `perturb` (squared when `widen`), within the bounds; one in four also takes
 * another allowed batch size (explore). Seeded by `seed` and the round number: reproducible.
 *
 * @example
 * explore(ranked, settings, 3, false); // [{ member: 2, from: 0, old, params, loss, fromLoss }]
 */
export function explore(
  ranked: readonly Ranked[],
  settings: Pick<PopulationSettings, 'replace' | 'margin' | 'perturb' | 'learningRate' | 'l2' | 'batchSizes' | 'seed'>,
  round: number,
  widen: boolean,
): Explored[] {
  const random = mulberry32(settings.seed * 7919 + round + 1);
  const count = Math.min(Math.ceil(ranked.length * settings.replace), Math.floor(ranked.length / 2));
  const winners = ranked.slice(0, count);
  const losers = ranked.slice(ranked.length - count);
  const factor = widen ? settings.perturb * settings.perturb : settings.perturb;
  const move = (value: number): number => (random() < 0.5 ? value * factor : value / factor);
  return losers.flatMap((loser) => {
    const from = winners[Math.floor(random() * winners.length)] as Ranked;
    if (!(loser.loss > from.loss * (1 + settings.margin))) return [];
    const l2 = from.params.l2 > 0 ? move(from.params.l2) : random() < 0.5 ? 0 : settings.l2[1] / 100;
    const sizes = settings.batchSizes;
    const batchSize = sizes.length > 1 && random() < 0.25 ? (sizes[Math.floor(random() * sizes.length)] as number) : from.params.batchSize;
    const change: Explored = {
      member: loser.id,
      from: from.id,
      old: loser.params,
      params: { learningRate: clamp(move(from.params.learningRate), settings.learningRate), l2: clamp(l2, settings.l2), batchSize },
      loss: loser.loss,
      fromLoss: from.loss,
    };
    return [change];
  });
}
