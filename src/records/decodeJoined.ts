import type { RawRecord, Rejected, Sample, Schema } from '../types.js';
import { decode, isRejected } from './decode.js';

/** A label message decoded: the label in the task's domain, or why it is not one. */
export type DecodedLabel = { readonly y: number } | Rejected;

/**
 * Decodes a feature record that carries no label (its label comes later, on its own topic or
 * file): the features as {@link decode} reads them; whatever the record holds under the label's
 * name is ignored. The sample's `y` is 0 until the label joins it.
 *
 * @example
 * decodeFeatures({ index: 0, position: 'f/0@0', raw: '{"x1":1,"x2":2}', fields: { x1: 1, x2: 2 } }, schema);
 * // { index: 0, position: 'f/0@0', x: Float32Array [1, 2], y: 0 }
 */
export function decodeFeatures(raw: RawRecord, schema: Schema, receivedAt?: number): Sample | Rejected {
  if (raw.error || (raw.fields === undefined && raw.values === undefined)) return decode(raw, schema, receivedAt);
  if (raw.fields !== undefined) return decode({ ...raw, fields: { ...raw.fields, [schema.label]: 0 } }, schema, receivedAt);
  if (raw.columns !== undefined) {
    return decode({ ...raw, columns: [...raw.columns, schema.label], values: [...(raw.values ?? []), 0] }, schema, receivedAt);
  }
  // Positional without names: the features in schema order (a trailing label, if any, is dropped).
  return decode({ ...raw, values: [...(raw.values ?? []).slice(0, schema.features.length), 0] }, schema, receivedAt);
}

/**
 * Decodes a label message: `{"label": value}` (or the schema's label name as the field), or a
 * bare JSON value / one-value line; the value must be in the task's label domain, as an inline
 * label would. A problem comes back as a Rejected naming it.
 *
 * @example
 * decodeLabel({ index: 3, position: 'l/0@0', raw: '{"label":1}', fields: { label: 1 } }, schema); // { y: 1 }
 */
export function decodeLabel(raw: RawRecord, schema: Schema): DecodedLabel {
  const labelOnly: Schema = { ...schema, features: [] };
  let record: RawRecord = raw;
  if (raw.fields !== undefined && !Object.hasOwn(raw.fields, schema.label) && Object.hasOwn(raw.fields, 'label')) {
    record = { ...raw, fields: { [schema.label]: raw.fields.label } };
  } else if (raw.values !== undefined && raw.columns === undefined) {
    record = { ...raw, values: raw.values.slice(-1) };
  }
  const decoded = decode(record, labelOnly);
  return isRejected(decoded) ? decoded : { y: decoded.y };
}
