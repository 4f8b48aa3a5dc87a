import type { PopulationSettings } from './populationSchema.js';

/** A member's own hyperparameters. */
export interface MemberParams {
  readonly learningRate: number;
  readonly l2: number;
  /** Records per Adam step. */
  readonly batchSize: number;
}

/**
 * The starting hyperparameters of the K members: the first is the configured model itself (the
 * starting member); the others spread its learning rate by powers of `perturb`, up and down in
 * turn (×p, ÷p, ×p², ÷p², ...), within the bounds, and take `batchSizes` in turn.
 *
 * @example
 * initialMembers({ size: 4, perturb: 2, learningRate: [1e-4, 0.05], l2: [0, 0.01], batchSizes: [1] }, { learningRate: 0.003, l2: 0, batchSize: 1 });
 * // learning rates 0.003, 0.006, 0.0015, 0.012
 */
export function initialMembers(
  settings: Pick<PopulationSettings, 'size' | 'perturb' | 'learningRate' | 'l2' | 'batchSizes'>,
  base: MemberParams,
): MemberParams[] {
  const members: MemberParams[] = [base];
  for (let i = 1; i < settings.size; i++) {
    const power = Math.ceil(i / 2) * (i % 2 === 1 ? 1 : -1);
    members.push({
      learningRate: clamp(base.learningRate * Math.pow(settings.perturb, power), settings.learningRate),
      l2: clamp(base.l2, settings.l2),
      batchSize: settings.batchSizes[i % settings.batchSizes.length] as number,
    });
  }
  return members;
}

/** `value` moved into [min, max]. */
export function clamp(value: number, [min, max]: readonly [number, number]): number {
  return Math.min(max, Math.max(min, value));
}
