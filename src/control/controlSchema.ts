import { z } from 'zod';
import { ALERT_ACTIONS } from './alertRequests.js';

/**
 * The `control:` section of the configuration: the control API's token file, which alert triggers
 * which action at `POST /alerts`, and how long a request waits for the pipeline to apply it.
 *
 * @example
 * // YAML:
 * // control:
 * //   tokenFile: /run/secrets/control-token
 * //   alerts: { StreamtuneHoldoutLossRising: rollback, StreamtuneNonFiniteLoss: pause-learning }
 */
export const controlSchema = z
  .strictObject({
    tokenFile: z
      .string()
      .min(1)
      .optional()
      .describe('file whose first line is the bearer token of the control API (/status, /control, /alerts on the metrics server); $STREAMTUNE_CONTROL_TOKEN takes precedence; neither: the API is off'),
    alerts: z
      .record(z.string().min(1), z.enum(ALERT_ACTIONS))
      .default({ StreamtuneHoldoutLossRising: 'rollback', StreamtuneNonFiniteLoss: 'pause-learning' })
      .describe('Alertmanager alert name -> action taken when it fires at POST /alerts (rollback: to the newest checkpoint before the alert started)'),
    waitMs: z.number().int().positive().default(10_000).describe('how long a control request waits for the pipeline to apply it before the answer is 202 (queued)'),
  })
  .prefault({});
