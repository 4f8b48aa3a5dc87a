import { ModelError } from '../errors.js';
import type { AdamSlot, AdamState } from './AdamSettings.js';
import type { EngineSnapshot } from './Engine.js';

/** One model in a weighted average: its snapshot and its weight (records it learned since it was last merged). */
export interface WeightedEngine {
  readonly engine: EngineSnapshot;
  readonly weight: number;
}

/**
 * The weighted average of models of one shape (federated averaging / local SGD): every weight
 * tensor is `Σ wₖ·θₖ / Σ wₖ`, and Adam's moments `m`, `v` (and AMSGrad's `vhat`) are averaged
 * with the same weights, so the merged optimizer steps like the average of the members'. Adam's
 * step count is the largest (its bias correction only matters in the first steps). A model whose
 * optimizer has no moments yet (never stepped) contributes its weights but not its moments.
 * Members with weight 0 drop out; all zero is a ModelError (there is nothing to average).
 *
 * @example
 * averageEngines([{ engine: a.snapshot(), weight: 3000 }, { engine: b.snapshot(), weight: 1000 }]); // 0.75·a + 0.25·b
 */
export function averageEngines(parts: readonly WeightedEngine[]): EngineSnapshot {
  const used = parts.filter((p) => p.weight > 0);
  const first = used[0];
  if (!first) throw new ModelError('averageEngines: every model has weight 0; give at least one a positive record count');
  for (const p of used) {
    if (!(Number.isFinite(p.weight))) throw new ModelError(`averageEngines: weight ${p.weight} is not a finite record count`);
    checkShapes(first.engine.weights, p.engine.weights, 'weights');
  }
  const weights = first.engine.weights.map((w, i) => ({
    shape: [...w.shape],
    values: average(used.map((p) => ({ values: (p.engine.weights[i] as { values: number[] }).values, weight: p.weight }))),
  }));
  return { weights, optimizer: averageAdam(used.map((p) => ({ state: p.engine.optimizer, weight: p.weight }))) };
}

/** Adam's moments averaged with the models' weights (members without moments left out). */
function averageAdam(parts: readonly { state: AdamState; weight: number }[]): AdamState {
  const stepped = parts.filter((p) => p.state.slots.length > 0);
  const first = stepped[0];
  if (!first) return { t: Math.max(0, ...parts.map((p) => p.state.t)), slots: [] };
  for (const p of stepped) checkShapes(first.state.slots, p.state.slots, 'Adam slots');
  const amsgrad = stepped.every((p) => p.state.slots.every((s) => s.vhat !== undefined));
  const slots = first.state.slots.map((slot, i): AdamSlot => {
    const of = (field: 'm' | 'v' | 'vhat'): number[] =>
      average(stepped.map((p) => ({ values: (p.state.slots[i] as AdamSlot)[field] as number[], weight: p.weight })));
    return { shape: [...slot.shape], m: of('m'), v: of('v'), ...(amsgrad ? { vhat: of('vhat') } : {}) };
  });
  return { t: Math.max(...stepped.map((p) => p.state.t)), slots };
}

/** `Σ wₖ·xₖ / Σ wₖ`, element by element, in double precision. */
function average(parts: readonly { values: ArrayLike<number>; weight: number }[]): number[] {
  const total = parts.reduce((sum, p) => sum + p.weight, 0);
  const length = (parts[0] as { values: ArrayLike<number> }).values.length;
  const out = new Array<number>(length).fill(0);
  for (const { values, weight } of parts) {
    const w = weight / total;
    for (let j = 0; j < length; j++) out[j] = (out[j] as number) + w * (values[j] as number);
  }
  return out;
}

function checkShapes(a: readonly { shape: number[] }[], b: readonly { shape: number[] }[], what: string): void {
  const same = a.length === b.length && a.every((x, i) => x.shape.join('x') === (b[i] as { shape: number[] }).shape.join('x'));
  if (!same) {
    const describe = (l: readonly { shape: number[] }[]): string => l.map((x) => `[${x.shape.join(',')}]`).join(' ');
    throw new ModelError(
      `averageEngines: the ${what} have different shapes (${describe(a)} vs ${describe(b)}); every member of a syncing group must use the same model and features`,
    );
  }
}
