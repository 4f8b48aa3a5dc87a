import * as tf from '@tensorflow/tfjs';
import type { ExportModel } from '../ExportModel.js';

/** The files of a TF.js Layers model: `model.json` (topology and weights manifest) and its weights. */
export interface TfjsArtifacts {
  /** The contents of `model.json`, naming {@link TFJS_WEIGHTS_FILE} in its manifest. */
  readonly modelJson: Record<string, unknown>;
  readonly weights: Uint8Array;
}

/** The weights file's name in the manifest. */
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/**
 * The model in the TF.js Layers format, as `tf.loadLayersModel` reads it: a Sequential of plain
 * Dense layers (hidden ones with their activation, then sigmoid / softmax / linear), named
 * `dense_0`, `dense_1`, ..., `output`. It takes standardized features: the preprocessing is
 * written beside it (`preprocessing.json`), and regression outputs are in scaled units.
 *
 * @example
 * const { modelJson, weights } = await tfjsArtifacts(model);
 * writeFileSync('model.json', JSON.stringify(modelJson)); writeFileSync('weights.bin', weights);
 */
export async function tfjsArtifacts(model: ExportModel): Promise<TfjsArtifacts> {
  const network = tf.sequential({ name: 'streamtune' });
  const output = { binary: 'sigmoid', multiclass: 'softmax', regression: 'linear' } as const;
  const widths = [...model.layers.map((l) => l.units), model.task === 'multiclass' ? model.classes : 1];
  try {
    widths.forEach((units, k) => {
      const last = k === widths.length - 1;
      network.add(
        tf.layers.dense({
          units,
          activation: last ? output[model.task] : model.layers[k]!.activation,
          name: last ? 'output' : `dense_${k}`,
          ...(k === 0 ? { inputShape: [model.preprocessing.features.length] } : {}),
        }),
      );
    });
    const tensors = model.weights.map((w) => tf.tensor(w.values, [...w.shape], 'float32'));
    network.setWeights(tensors);
    tf.dispose(tensors);
    let saved: tf.io.ModelArtifacts | undefined;
    await network.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!saved?.weightData || !saved.weightSpecs) throw new Error('TF.js saved no weights');
    return {
      modelJson: {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: 'streamtune export',
        modelTopology: saved.modelTopology,
        weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: saved.weightSpecs }],
      },
      weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(saved.weightData)),
    };
  } finally {
    network.dispose();
  }
}
