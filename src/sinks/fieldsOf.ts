import type { RawRecord } from '../types.js';

/**
 * The record's values by name: its fields, or its values named by its own `columns` (a CSV row) or by `columns` (a JSON array).
 *
 * @example
 * fieldsOf({ index: 0, position: 'm', raw: '', values: ['1', '2'] }, ['a', 'b']); // { a: '1', b: '2' }
 */
export function fieldsOf(record: RawRecord, columns: readonly string[] | undefined): Readonly<Record<string, unknown>> | undefined {
  if (record.fields) return record.fields;
  const names = record.columns ?? columns;
  if (!record.values || !names) return undefined;
  const values = record.values;
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}
