import { ConfigError } from '../errors.js';

/**
 * Picks the label and the features from a source's columns: the label by name (default: the last
 * column), the features by name (default: every other column, less the key field). A name the
 * source lacks is a ConfigError that names the field and lists the columns the source has.
 *
 * @example
 * pickColumns(['x1', 'x2', 'x3', 'y']); // { features: ['x1', 'x2', 'x3'], label: 'y' }
 * pickColumns(['a', 'b', 'c'], { label: 'a' }); // { features: ['b', 'c'], label: 'a' }
 */
export function pickColumns(
  columns: readonly string[],
  choice: { readonly label?: string; readonly features?: readonly string[]; readonly keyField?: string } = {},
  sourceName = 'the source',
): { features: string[]; label: string } {
  const label = choice.label ?? columns[columns.length - 1];
  if (label === undefined) throw new ConfigError(`field "label": ${sourceName} has no columns to choose a label from`);
  const known = new Set(columns);
  const listing = `; ${sourceName} has ${columns.map((h) => JSON.stringify(h)).join(', ')}`;
  if (!known.has(label)) throw new ConfigError(`field "label": column ${JSON.stringify(label)} is not in the source${listing}`);
  const features = choice.features
    ? [...choice.features]
    : columns.filter((name) => name !== label && name !== choice.keyField);
  for (const name of features) {
    if (!known.has(name)) throw new ConfigError(`field "features": column ${JSON.stringify(name)} is not in the source${listing}`);
    if (name === label) throw new ConfigError(`field "features": ${JSON.stringify(name)} is the label; remove it from the features`);
  }
  if (features.length === 0) throw new ConfigError('field "features": no feature columns left besides the label');
  return { features, label };
}
