import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';
import { DenseEngine } from '../../src/model/dense/DenseEngine.js';
import { engineContract } from './engineContract.js';

beforeAll(async () => {
  await tf.setBackend('cpu'); // the initial weights come from TF.js's initializers
});

engineContract('dense', (settings) => new DenseEngine(settings));
