import { exportSchema } from './exportSchema.js';
import { predictSchema } from './predictSchema.js';
import { predictionsSchema } from './predictionsSchema.js';

/**
 * The serving sections of the configuration, spread into its schema: `predict:` (the live
 * `POST /predict` endpoint) and `predictions:` (every prequential prediction to a file or topic) and `export:` (periodic
 * exports of the model).
 *
 * @example
 * z.strictObject({ ...otherKeys, ...servingSchema });
 */
export const servingSchema = { predict: predictSchema, predictions: predictionsSchema, export: exportSchema } as const;
