import { CheckpointError } from '../errors.js';
import type { Checkpoint, ConfigSummary } from '../checkpoint/Checkpoint.js';
import type { EngineSnapshot } from '../model/Engine.js';
import type { Activation } from '../model/ModelSpec.js';
import type { StandardizerSnapshot } from '../stats/Standardizer.js';
import type { RunningMomentsSnapshot } from '../stats/RunningMoments.js';
import type { ExportLayer, ExportModel, Preprocessing } from './ExportModel.js';
import type { StandardizeSettings } from './standardizeSettings.js';

/** The trainer's floor on a standard deviation when the checkpoint does not say (Standardizer's default). */
const DEFAULT_MIN_STD = 1e-8;

/** What an export is made of: the run's summary, the champion's weights and the scaler's state. */
export interface ExportState {
  readonly summary: ConfigSummary;
  readonly engine: Pick<EngineSnapshot, 'weights'> & { readonly optimizer?: { readonly t?: number } };
  readonly scaler: StandardizerSnapshot;
  /** The scaler's settings (clip, floor); absent: no clip and the default floor. */
  readonly standardize?: Partial<StandardizeSettings> | undefined;
  /** Records learned (for the export's metadata). */
  readonly records?: number;
}

/**
 * The exportable model of a checkpoint: the champion (`state.trainer`), the scaler's state and
 * the standardize settings the trainer stored (`state.standardize`), or `override` for a
 * checkpoint written before it stored them.
 *
 * @example
 * const loaded = await new CheckpointStore({ dir }).loadLatest();
 * const model = exportModelFromCheckpoint(loaded.checkpoint);
 */
export function exportModelFromCheckpoint(checkpoint: Checkpoint, override?: Partial<StandardizeSettings>): ExportModel {
  const state = checkpoint.state as unknown as Record<string, unknown>;
  const stored = state.standardize as Partial<StandardizeSettings> | undefined;
  return exportModelFromState({
    summary: checkpoint.configSummary,
    engine: state.trainer as EngineSnapshot,
    scaler: state.scaler as StandardizerSnapshot,
    standardize: { ...stored, ...override },
    records: checkpoint.records.trained,
  });
}

/**
 * Builds an {@link ExportModel} from the parts' state: checks the weights against the layers of
 * the summary, and freezes the running standardization into means and scales.
 *
 * @example
 * exportModelFromState({ summary, engine: engine.snapshot(), scaler: scaler.snapshot(), standardize: { clip: 5 } });
 */
export function exportModelFromState(state: ExportState): ExportModel {
  const { summary } = state;
  const layers = hiddenLayers(summary.layers);
  const widths = [summary.features.length, ...layers.map((l) => l.units), summary.task === 'multiclass' ? summary.classes : 1];
  const weights = state.engine?.weights;
  if (!Array.isArray(weights) || weights.length !== 2 * (widths.length - 1)) {
    throw new CheckpointError(
      `state.trainer.weights: expected ${2 * (widths.length - 1)} arrays (kernel and bias of ${widths.length - 1} dense layers), ` +
        `got ${Array.isArray(weights) ? weights.length : 'none'}; the checkpoint is corrupt or of another model`,
    );
  }
  const converted = weights.map((w, i) => {
    const layer = Math.floor(i / 2);
    const shape = i % 2 === 0 ? [widths[layer]!, widths[layer + 1]!] : [widths[layer + 1]!];
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(w.values) || w.values.length !== size || JSON.stringify(w.shape) !== JSON.stringify(shape)) {
      throw new CheckpointError(
        `state.trainer.weights[${i}]: expected shape [${shape.join(', ')}] with ${size} values, got [${String(w.shape)}]; ` +
          'the checkpoint is corrupt or of another model',
      );
    }
    return { shape, values: Float32Array.from(w.values) };
  });
  return {
    task: summary.task,
    classes: summary.classes,
    layers,
    weights: converted,
    preprocessing: preprocessing(summary, state.scaler, state.standardize),
    version: state.engine.optimizer?.t ?? 0,
    records: state.records ?? 0,
  };
}

/** The dense hidden layers of a summary's layer list (dropout is identity at inference). */
function hiddenLayers(layers: unknown): ExportLayer[] {
  if (!Array.isArray(layers)) throw new CheckpointError('configSummary.layers is not a list; the checkpoint is corrupt');
  return layers.flatMap((layer: { type?: string; units?: number; activation?: Activation }, i) => {
    if (layer?.type === 'dropout') return [];
    if (layer?.type !== 'dense' || !Number.isInteger(layer.units)) {
      throw new CheckpointError(`configSummary.layers[${i}] is neither a dense nor a dropout layer: ${JSON.stringify(layer)}`);
    }
    return [{ units: layer.units as number, activation: layer.activation ?? 'relu' }];
  });
}

function preprocessing(summary: ConfigSummary, scaler: StandardizerSnapshot, settings: Partial<StandardizeSettings> = {}): Preprocessing {
  const minStd = settings.minStd ?? DEFAULT_MIN_STD;
  const features = scaler?.features;
  const dim = summary.features.length;
  if (!features || features.mean?.length !== dim || features.m2?.length !== dim) {
    throw new CheckpointError(`state.scaler: expected the moments of ${dim} features; the checkpoint is corrupt or of another model`);
  }
  const stds = features.mean.map((_, i) => std(features, i));
  const classes = summary.task === 'binary' ? 2 : summary.task === 'multiclass' ? summary.classes : 0;
  const target = scaler.target;
  const targetUsable = target !== null && target !== undefined && target.count > 0 && std(target, 0) >= minStd;
  return {
    features: [...summary.features],
    means: features.mean.map((m) => (features.count > 0 ? m : 0)),
    scales: stds.map((s) => (features.count > 0 && s >= minStd ? s : 0)),
    clip: settings.clip ?? null,
    label: { name: summary.label, task: summary.task, classes, values: Array.from({ length: classes }, (_, k) => k) },
    target:
      summary.task !== 'regression'
        ? null
        : targetUsable
          ? { scale: std(target, 0), shift: target.mean[0]! }
          : { scale: 1, shift: 0 },
  };
}

/** Population standard deviation of moment i, as RunningMoments computes it. */
function std(moments: RunningMomentsSnapshot, i: number): number {
  return moments.count > 0 ? Math.sqrt(Math.max(0, moments.m2[i]! / moments.count)) : 0;
}
