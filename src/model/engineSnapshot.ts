import type { Engine, EngineSnapshot } from './Engine.js';

/**
 * An engine's weights and optimizer state as JSON: the one checkpoint format every engine writes,
 * so a snapshot of one engine restores into another.
 *
 * @example
 * restoreEngine(tfjsEngine, snapshotEngine(denseEngine));
 */
export function snapshotEngine(engine: Pick<Engine, 'getWeights' | 'optimizerState'>): EngineSnapshot {
  return {
    weights: engine.getWeights().map((w) => ({ shape: w.shape, values: Array.from(w.values) })),
    optimizer: engine.optimizerState,
  };
}

/** Restores a {@link snapshotEngine} snapshot into an engine built with the same settings. */
export function restoreEngine(engine: Pick<Engine, 'setWeights' | 'optimizerState'>, snapshot: EngineSnapshot): void {
  engine.setWeights(snapshot.weights.map((w) => ({ shape: w.shape, values: Float32Array.from(w.values) })));
  engine.optimizerState = snapshot.optimizer;
}
