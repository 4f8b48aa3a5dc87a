import type { Config } from '../config.js';
import type { Logger } from '../telemetry/logger.js';
import { PredictEndpoint } from './PredictEndpoint.js';

/**
 * The `POST /predict` endpoint of a `train` run when `predict.enabled` is on (`--serve-predict`),
 * else undefined (the path answers 404). It is served by the metrics server, so it is off (with a
 * warning) when metrics are.
 *
 * @example
 * const predict = openPredict(config, log);
 * await serveMetrics(registry, { ...config.metrics, ...(predict ? { handle: predict.handle } : {}) });
 */
export function openPredict(config: Config, log: Pick<Logger, 'info' | 'warn'>): PredictEndpoint | undefined {
  if (!config.predict.enabled) return undefined;
  if (!config.metrics.enabled) {
    log.warn({ event: 'predict.off' }, 'predict.enabled is on but metrics.enabled is false: /predict is served by the metrics server, so it is off');
    return undefined;
  }
  const { maxBodyBytes, maxRows } = config.predict;
  log.info({ event: 'predict.on', maxBodyBytes, maxRows }, 'POST /predict on (the current champion, open like /metrics)');
  return new PredictEndpoint({ maxBodyBytes, maxRows });
}
