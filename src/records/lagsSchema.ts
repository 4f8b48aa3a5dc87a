import { z } from 'zod';

const lag = z.number().int().min(1).max(1000);

/**
 * The `lags:` section: temporal features, each entity's previous labels and feature values
 * appended to its records (src/records/Lags.ts). Empty by default.
 *
 * @example
 * lagsSchema.parse({ label: [1, 2], features: { nswprice: [1] } });
 */
export const lagsSchema = z
  .strictObject({
    label: z.array(lag).default([]).describe('add the label of the same entity this many records back as features, e.g. [1, 2] (temporal features)'),
    features: z
      .record(z.string().min(1), z.array(lag))
      .default({})
      .describe('add named features this many records back, e.g. { nswprice: [1] }'),
    maxEntities: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe('entities (record keys) whose history is kept; the least recently seen is forgotten first'),
  })
  .prefault({});
