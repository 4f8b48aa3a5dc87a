import { z } from 'zod';

/**
 * The `predict:` section: the live `POST /predict` endpoint on the metrics server (off by default).
 *
 * @example
 * predictSchema.parse({ enabled: true, maxRows: 256 });
 */
export const predictSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('answer POST /predict on the metrics server with the current champion (open, like /metrics; needs metrics.enabled)'),
    maxBodyBytes: z.number().int().positive().default(1_048_576).describe('longest /predict request body in bytes; a longer one gets 413'),
    maxRows: z.number().int().positive().default(1024).describe('most rows in one /predict request (scored synchronously between training blocks); more gets 400'),
  })
  .prefault({});
