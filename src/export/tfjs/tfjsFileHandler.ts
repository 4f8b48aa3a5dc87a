import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { ModelError } from '../../errors.js';

/**
 * A `tf.io` load handler for an exported `model.json` and its weight files in `dir`, for plain
 * @tensorflow/tfjs (which has no file:// loader in Node.js without tfjs-node).
 *
 * @example
 * const network = await tf.loadLayersModel(tfjsFileHandler('exports/v000000000003'));
 */
export function tfjsFileHandler(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const path = join(dir, 'model.json');
      let json: {
        modelTopology?: tf.io.ModelArtifacts['modelTopology'];
        weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
      };
      try {
        json = JSON.parse(await readFile(path, 'utf8')) as typeof json;
      } catch (error) {
        throw new ModelError(`cannot read the TF.js model ${path}: ${(error as Error).message}; pass a directory written by streamtune export`, { cause: error });
      }
      const manifest = json.weightsManifest ?? [];
      const buffers = await Promise.all(manifest.flatMap((group) => group.paths.map((p) => readFile(join(dir, p)))));
      const weightData = new Uint8Array(buffers.reduce((n, b) => n + b.length, 0));
      let at = 0;
      for (const b of buffers) {
        weightData.set(b, at);
        at += b.length;
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData: weightData.buffer,
      };
    },
  };
}
