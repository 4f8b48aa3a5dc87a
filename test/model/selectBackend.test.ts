import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/errors.js';
import { selectBackend } from '../../src/model/selectBackend.js';

describe('selectBackend', () => {
  // tfjs-node(-gpu) are not installed on this machine; the wasm backend is.
  it('falls back to wasm when tfjs-node is missing, saying why', async () => {
    const selection = await selectBackend();
    expect(selection.name).toBe('wasm');
    expect(selection.requested).toBe('auto');
    expect(selection.fallbacks).toHaveLength(2);
    expect(selection.fallbacks[0]).toMatch(/^tensorflow-gpu: .*tfjs-node-gpu/);
    expect(selection.fallbacks[1]).toMatch(/^tensorflow: .*tfjs-node/);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.tidy(() => Array.from(tf.square(tf.tensor1d([1, 2, 3])).dataSync()))).toEqual([1, 4, 9]);
  });

  it('uses a forced backend that is available', async () => {
    expect(await selectBackend('cpu')).toEqual({ name: 'cpu', requested: 'cpu', fallbacks: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect((await selectBackend('wasm')).name).toBe('wasm');
  });

  it('throws a ModelError with the install command for a forced backend that is missing', async () => {
    const error = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).message).toMatch(/"tensorflow" is not available/);
    expect((error as ModelError).message).toContain('npm install @tensorflow/tfjs-node');
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow('npm install @tensorflow/tfjs-node-gpu');
    expect(tf.getBackend()).toBe('wasm'); // the active backend is left alone
  });
});
