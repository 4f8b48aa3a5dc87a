import type { Config } from '../config.js';
import { pickColumns } from '../records/pickColumns.js';
import type { Schema } from '../types.js';

/** The decode schema for a config and a source's columns (see pickColumns for the defaults). */
export function resolveSchema(config: Config, columns: readonly string[], sourceName: string): Schema {
  const picked = pickColumns(columns, config, sourceName);
  const classes = config.task === 'multiclass' ? (config.classes as number) : config.task === 'binary' ? 2 : 1;
  return { task: config.task, classes, ...picked };
}
