import { z } from 'zod';

/**
 * The `labels:` section: labels that arrive later, on their own topic or file, joined to the
 * feature records that wait for them (docs/delayed-labels.md). Off unless `source` is set.
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
      .describe('where the labels arrive: kafka://BROKERS/TOPIC or a file; records are predicted on arrival and learned when their label comes (unset: labels are inline)'),
    joinKey: z.string().min(1).optional().describe('join a label to its record on this field (unset: the message key)'),
    ttlRecords: z.number().int().positive().optional().describe('a record whose label has not come after this many later records expires to the dead letter'),
    ttlSeconds: z.number().positive().optional().describe('a record whose label has not come after this many seconds expires to the dead letter'),
    maxPending: z.number().int().positive().default(100_000).describe('records waiting for their label at most; past it the oldest expires'),
  })
  .prefault({});
