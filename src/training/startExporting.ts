import type { Config } from '../config.js';
import type { Logger } from '../telemetry/logger.js';
import { exportModelFromState } from '../export/exportModelFromState.js';
import { PeriodicExporter } from '../export/PeriodicExporter.js';
import { standardizeSettings } from '../export/standardizeSettings.js';
import { modelSchema, type TrainingParts } from './TrainingParts.js';
import type { Schema } from '../types.js';

/**
 * The periodic exporter of a training run (`export.dir`), exporting the champion and the running
 * standardization as they are at each export; undefined when `export.dir` is unset.
 *
 * @example
 * const exporter = startExporting(config, schema, parts, log);
 * exporter?.maybe(report.counts.total); // in onBatch
 * await exporter?.final(result.counts.total);
 */
export function startExporting(config: Config, schema: Schema, parts: TrainingParts, log: Pick<Logger, 'info' | 'error'>): PeriodicExporter | undefined {
  const { dir, everyRecords, format, keep } = config.export;
  if (!dir) return undefined;
  const summary = { ...modelSchema(schema, parts.lags), layers: config.model.layers };
  const settings = standardizeSettings(parts.scaler);
  return new PeriodicExporter(
    { dir, everyRecords, format, keep },
    () =>
      exportModelFromState({
        summary,
        engine: parts.engine.snapshot(),
        scaler: parts.scaler.snapshot(),
        standardize: settings.snapshot(),
        records: parts.counts.trained,
      }),
    (error) => log.error({ err: error }, `EXPORT FAILED: ${(error as Error).message}; training goes on, the previous export stays latest`),
    parts.counts.total,
    (name, model) => log.info({ dir, version: name, records: model.records }, `exported ${dir}/${name}`),
  );
}
