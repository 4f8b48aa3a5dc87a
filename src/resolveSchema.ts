import type { Config } from './config.js';
import { ConfigError } from './errors.js';
import type { Schema } from './types.js';

/**
 * Picks the label and the features from the source's columns: the label by name (default: the
 * last column), the features by name (default: every other column, less the key field).
 * Names that the source lacks are a ConfigError that lists the columns it has.
 */
export function resolveSchema(config: Config, columns: readonly string[], sourceName: string): Schema {
  const has = (name: string) => columns.includes(name);
  const available = `the columns of ${sourceName} are: ${columns.join(', ')}`;
  const label = config.label ?? columns[columns.length - 1];
  if (label === undefined) throw new ConfigError(`${sourceName} has no columns; cannot pick a label`);
  if (!has(label)) throw new ConfigError(`field "label": "${label}" is not a column; ${available}`);
  const features = config.features ?? columns.filter((c) => c !== label && c !== config.keyField);
  const missing = features.filter((f) => !has(f));
  if (missing.length > 0) {
    throw new ConfigError(`field "features": ${missing.map((m) => `"${m}"`).join(', ')} not in the source; ${available}`);
  }
  if (features.includes(label)) throw new ConfigError(`field "features": the label "${label}" cannot also be a feature`);
  if (features.length === 0) throw new ConfigError(`field "features": no feature columns left besides the label "${label}"`);
  const classes = config.task === 'multiclass' ? (config.classes as number) : config.task === 'binary' ? 2 : 1;
  return { task: config.task, features, label, classes };
}
