import type { RawRecord } from '../types.js';

/**
 * The record with a placeholder label `0`, for scoring a record that has none: the label is not
 * used, yet decoding checks it, so a record whose only problem is a missing label can be scored.
 *
 * @example
 * decode(unlabelled(raw, 'class'), schema); // features as usual, y = 0
 */
export function unlabelled(raw: RawRecord, label: string): RawRecord {
  if (raw.fields !== undefined) return { ...raw, fields: { ...raw.fields, [label]: 0 } };
  if (raw.values === undefined) return raw;
  if (raw.columns === undefined) return { ...raw, values: [...raw.values.slice(0, -1), 0] };
  const at = raw.columns.lastIndexOf(label);
  if (at < 0) return { ...raw, columns: [...raw.columns, label], values: [...raw.values, 0] };
  const values = [...raw.values];
  while (values.length <= at) values.push(undefined);
  values[at] = 0;
  return { ...raw, values };
}
