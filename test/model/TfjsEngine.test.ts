import * as tf from '@tensorflow/tfjs';
import { beforeAll } from 'vitest';
import { Trainer } from '../../src/model/Trainer.js';
import { engineContract } from './engineContract.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

engineContract('tfjs', (settings) => new Trainer(settings));
