import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ModelError } from '../errors.js';

/** The TF.js engines streamtune can run on, fastest first. */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The engine in use and how it was chosen. */
export interface BackendSelection {
  /** The TF.js backend now active (`tensorflow`, `wasm`, `cpu`). */
  readonly name: string;
  /** What was asked for: a backend name, or `auto`. */
  readonly requested: string;
  /** Backends tried before this one and why each failed: `tensorflow-gpu: Cannot find package ...`. */
  readonly fallbacks: string[];
}

const INSTALL: Record<BackendName, string> = {
  'tensorflow-gpu': 'npm install @tensorflow/tfjs-node-gpu',
  tensorflow: 'npm install @tensorflow/tfjs-node',
  wasm: 'npm install @tensorflow/tfjs-backend-wasm',
  cpu: 'nothing to install: it ships with @tensorflow/tfjs',
};

/**
 * Activates a TF.js backend. Without `forced`, tries tfjs-node-gpu, tfjs-node, wasm, then cpu and
 * keeps the first that loads and computes `1 + 1`; with `forced`, that one or a ModelError saying
 * how to install it.
 *
 * @example
 * const { name, fallbacks } = await selectBackend(); // 'wasm' when tfjs-node is not installed
 * await selectBackend('cpu'); // deterministic, for tests
 */
export async function selectBackend(forced?: BackendName): Promise<BackendSelection> {
  const fallbacks: string[] = [];
  for (const candidate of forced === undefined ? BACKENDS : [forced]) {
    try {
      await activate(candidate);
      return { name: tf.getBackend(), requested: forced ?? 'auto', fallbacks };
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      if (forced !== undefined) {
        throw new ModelError(`backend "${forced}" is not available (${reason}); install it with \`${INSTALL[forced]}\``, {
          cause: error,
        });
      }
      fallbacks.push(`${candidate}: ${reason}`);
    }
  }
  throw new ModelError(`no TF.js backend could be started: ${fallbacks.join('; ')}`);
}

async function activate(backend: BackendName): Promise<void> {
  switch (backend) {
    case 'tensorflow-gpu':
    case 'tensorflow':
      // Both packages register a backend called 'tensorflow'. The module name is a variable so that
      // neither TypeScript nor the bundler needs the (optional, uninstalled) package.
      await importOptional(backend === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu');
      await use('tensorflow');
      return;
    case 'wasm': {
      const wasm = (await importOptional('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
      const packageJson = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
      wasm.setWasmPaths(path.join(path.dirname(packageJson), 'dist') + '/');
      await use('wasm');
      return;
    }
    case 'cpu':
      await use('cpu');
  }
}

function importOptional(name: string): Promise<unknown> {
  return import(name);
}

/** Switches to a registered backend and checks that it computes. */
async function use(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  const two = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync()[0]);
  if (two !== 2) throw new Error(`backend '${name}' computed 1 + 1 = ${two}`);
}
