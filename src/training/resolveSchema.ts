import type { Config } from '../config.js';
import { pickColumns } from '../records/pickColumns.js';
import type { Schema } from '../types.js';

/**
 * The decode schema for a config and a source's columns (see pickColumns for the defaults). With
 * `labels.source` the records carry no label: it is named `label` (or the configured name) and
 * comes from the labels topic; the join key field is not a feature.
 */
export function resolveSchema(config: Config, columns: readonly string[], sourceName: string): Schema {
  const { joinKey, source: labels } = config.labels;
  const label = config.label ?? 'label';
  const named = labels === undefined || columns.includes(label) ? columns : [...columns.filter((c) => c !== joinKey), label];
  const picked = pickColumns(named, labels === undefined ? config : { ...config, label }, sourceName);
  const classes = config.task === 'multiclass' ? (config.classes as number) : config.task === 'binary' ? 2 : 1;
  return { task: config.task, classes, ...picked };
}
