import type { Config } from '../config.js';
import type { Logger } from '../telemetry/logger.js';
import { ControlPlane } from './ControlPlane.js';
import { controlToken, CONTROL_TOKEN_ENV } from './controlToken.js';

/**
 * The control API of a `train` run when a token is configured (`$STREAMTUNE_CONTROL_TOKEN` or
 * `control.tokenFile`), else undefined (the API is off and its paths answer 404). Logs that it is
 * on and where the token came from, never the token.
 *
 * @example
 * const control = openControl(config, log, process.env);
 * await serveMetrics(registry, { ...config.metrics, ...(control ? { handle: control.handle } : {}) });
 */
export function openControl(config: Config, log: Pick<Logger, 'info' | 'warn'>, env: NodeJS.ProcessEnv): ControlPlane | undefined {
  const token = controlToken(env, config.control.tokenFile);
  if (token === undefined) return undefined;
  const from = env[CONTROL_TOKEN_ENV] ? `$${CONTROL_TOKEN_ENV}` : (config.control.tokenFile as string);
  if (!config.metrics.enabled) {
    log.warn({ event: 'control.off' }, 'a control token is configured but metrics.enabled is false: the control API is served by the metrics server, so it is off');
    return undefined;
  }
  log.info({ event: 'control.on', token: from, alerts: config.control.alerts }, `control API on (/status, /control, /alerts; token from ${from})`);
  return new ControlPlane({ token, alerts: config.control.alerts, waitMs: config.control.waitMs, log });
}
