export { lag } from './lag.js';
export { miniBatch } from './miniBatch.js';
export { populationStep } from './populationStep.js';
export { rollingMetrics } from './rollingMetrics.js';
export { route } from './route.js';
export { standardize } from './standardize.js';
export { trainStep, type TrainerLike } from './trainStep.js';
