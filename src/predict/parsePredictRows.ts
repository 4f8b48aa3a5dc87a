import { decode, isRejected } from '../records/decode.js';
import type { Schema } from '../types.js';

/** A row of a /predict request that cannot be scored: which row, which field, and why. */
export interface BadRow {
  readonly error: string;
  /** 0-based index of the row in the request, or null when the body itself is wrong. */
  readonly row: number | null;
  /** The field at fault, or null when it is not about one field. */
  readonly field: string | null;
}

/**
 * Validates the rows of a `POST /predict` body (a JSON array of rows, or `{"rows": [...]}`) against
 * the model's schema, with the same decoding as the training source: a row is an object by field
 * name (as the source has them, raw units; other fields, the label among them, are ignored) or an
 * array of the feature values in the model's order. Lagged columns (`class@1`) are model features
 * like the others: the endpoint does not look up an entity's history, so a lagged model needs them
 * in the row. Returns the raw feature rows, or the first bad row.
 *
 * @example
 * parsePredictRows([{ x1: 0.5, x2: '1' }], schema, 1024); // { rows: [Float32Array [0.5, 1]] }
 * parsePredictRows([{ x1: 'abc' }], schema, 1024);        // { error: 'row 0: feature "x1": ...', row: 0, field: 'x1' }
 */
export function parsePredictRows(body: unknown, schema: Schema, maxRows: number): { rows: Float32Array[] } | BadRow {
  const list = Array.isArray(body) ? body : isObject(body) && Array.isArray(body.rows) ? (body.rows as unknown[]) : undefined;
  if (list === undefined) return { error: 'expected a JSON array of rows, or {"rows": [...]}, each row an object by field name or an array of feature values', row: null, field: null };
  if (list.length === 0) return { error: 'no rows to predict: send at least one', row: null, field: null };
  if (list.length > maxRows) return { error: `${list.length} rows is more than predict.maxRows (${maxRows}): split the request`, row: null, field: null };
  const { features, label } = schema;
  const rows: Float32Array[] = [];
  for (let i = 0; i < list.length; i++) {
    const row: unknown = list[i];
    const at = { index: i, position: `row ${i}`, raw: '' };
    let decoded;
    if (Array.isArray(row)) {
      if (row.length !== features.length) {
        return { error: `row ${i}: expected ${features.length} values (${features.join(', ')}), got ${row.length}`, row: i, field: null };
      }
      decoded = decode({ ...at, values: [...row, 0] }, schema);
    } else if (isObject(row)) {
      decoded = decode({ ...at, fields: { ...row, [label]: 0 } }, schema);
    } else {
      return { error: `row ${i}: expected an object by field name or an array of ${features.length} feature values`, row: i, field: null };
    }
    if (isRejected(decoded)) {
      const field = /feature "([^"]+)"/.exec(decoded.detail)?.[1] ?? null;
      const lagged = field !== null && /@\d+$/.test(field) && decoded.reason === 'missing_feature';
      const hint = lagged ? `; the model takes lagged values (${features.filter((f) => /@\d+$/.test(f)).join(', ')}) and /predict does not look up an entity's history: give them in the row` : '';
      return { error: `row ${i}: ${decoded.detail}${hint}`, row: i, field };
    }
    rows.push(decoded.x);
  }
  return { rows };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
