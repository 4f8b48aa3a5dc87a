import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors.js';
import { standardizeRows } from './applyPreprocessing.js';
import type { Preprocessing } from './ExportModel.js';
import { tfjsFileHandler } from './tfjs/tfjsFileHandler.js';

/**
 * A tfjs export loaded for scoring: raw feature rows in, predictions in the label's units out
 * (binary: P(y=1); multiclass: class probabilities; regression: the value, in float64). `dir` is
 * an export directory, or a periodic export root whose `latest` file names one.
 *
 * @example
 * const model = await ExportedModel.load('exports');
 * model.predict([Float32Array.of(0.1, 0.5, 0.3)]); // Float64Array [0.83]
 */
export class ExportedModel {
  private constructor(
    readonly dir: string,
    readonly preprocessing: Preprocessing,
    private readonly network: tf.LayersModel,
  ) {}

  /** Width of one prediction (1, or the number of classes). */
  get width(): number {
    return this.preprocessing.label.task === 'multiclass' ? this.preprocessing.label.classes : 1;
  }

  /**
   * Loads the export at `path`. Through a `latest` file, a version deleted while it was being read
   * (the exporter keeps only the newest few) is retried with the version `latest` names now.
   */
  static async load(path: string): Promise<ExportedModel> {
    for (let attempt = 1; ; attempt++) {
      const dir = resolveExportDir(path);
      try {
        if (!existsSync(join(dir, 'export.json'))) throw new ModelError(`${dir} was removed while loading`);
        if (!existsSync(join(dir, 'model.json'))) {
          throw new ModelError(`${dir} holds no model.json: export with --format tfjs or both to score with streamtune predict`);
        }
        const preprocessing = JSON.parse(readFileSync(join(dir, 'preprocessing.json'), 'utf8')) as Preprocessing;
        const network = await tf.loadLayersModel(tfjsFileHandler(dir));
        return new ExportedModel(dir, preprocessing, network);
      } catch (error) {
        if (attempt >= 5 || dir === path || resolveExportDir(path) === dir) throw error;
      }
    }
  }

  /** Predictions for raw feature rows (in the model's feature order), row-major. */
  predict(rows: readonly ArrayLike<number>[]): Float64Array {
    const dim = this.preprocessing.features.length;
    const x = standardizeRows(this.preprocessing, rows);
    const outputs = tf.tidy(() => (this.network.predict(tf.tensor2d(x, [rows.length, dim])) as tf.Tensor).dataSync());
    const out = Float64Array.from(outputs);
    const target = this.preprocessing.target;
    if (target !== null) for (let i = 0; i < out.length; i++) out[i] = out[i]! * target.scale + target.shift;
    return out;
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** An export directory itself, or the one named by the `latest` file of a periodic export root. */
export function resolveExportDir(path: string): string {
  if (existsSync(join(path, 'export.json'))) return path;
  const latest = join(path, 'latest');
  if (existsSync(latest)) return join(path, readFileSync(latest, 'utf8').trim());
  throw new ModelError(`${path} is not an export: it has neither export.json nor a latest file; pass a directory written by streamtune export or --export-dir`);
}
