import { z } from 'zod';

/**
 * The `predictions:` section: where the prequential prediction of every scored record goes (a JSON
 * Lines file, a Kafka topic, or both). Off by default.
 *
 * @example
 * predictionsSchema.parse({ topic: 'elec2.predictions' });
 */
export const predictionsSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .optional()
      .describe('append one JSON line per scored record (the prediction made before it was learned) to this file; cut back to the checkpoint on resume'),
    topic: z
      .string()
      .min(1)
      .optional()
      .describe('publish one message per scored record to this Kafka topic (key: the record key; value: the JSON line); source offsets are committed after them'),
    brokers: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('brokers of predictions.topic (unset: the Kafka source brokers; required for a file source)'),
  })
  .prefault({});
