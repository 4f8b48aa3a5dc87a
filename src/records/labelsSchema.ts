import { z } from 'zod';

/**
 * The `labels:` section: labels that arrive later, on their own topic, joined to the feature
 * records that wait for them (docs/delayed-labels.md). Off unless `source` is set.
 *
 * @example
 * labelsSchema.parse({ source: 'kafka://127.0.0.1:9092/elec2-labels', ttlRecords: 5000 });
 */
export const labelsSchema = z
  .strictObject({
    source: z
      .string()
      .min(1)
      .optional()
      .describe('where the labels arrive: kafka://BROKERS/TOPIC beside a Kafka source (same brokers, one group); records are predicted on arrival and learned when their label comes (unset: labels are inline)'),
    joinKey: z.string().min(1).optional().describe('join a label to its record on this field (unset: the message key)'),
    ttlRecords: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('a record expires to the dead letter once the labels are past the time of the record this many records after it on its partition, and its label has not come'),
    ttlSeconds: z.number().positive().optional().describe('a record expires to the dead letter once the labels are this many seconds (event time) past it, and its label has not come'),
    maxPending: z.number().int().positive().default(100_000).describe('records waiting for their label at most; past it the oldest expires'),
  })
  .prefault({});
