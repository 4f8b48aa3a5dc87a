import type { Message } from 'kafkajs';
import type { RawRecord } from '../types.js';
import { fieldsOf } from './fieldsOf.js';

/** How a record is written into a message value. */
export type ReplayFormat = 'json' | 'csv';

/** Settings of {@link replayMessage}. */
export interface ReplayMessageOptions {
  readonly format: ReplayFormat;
  /** Field order (and selection) of each message; names the values of JSON-array records. Default: each record's own field order. */
  readonly columns?: readonly string[];
  /** Field whose value becomes the message key. */
  readonly keyColumn?: string;
  /** Split this field out into a label message. */
  readonly labelColumn?: string;
  /** Key a record with no key value by its index (decimal), never null: features and labels must join. */
  readonly indexKeys?: boolean;
}

/** One record as messages: its features (the whole record when there is no label column) and, when split, its label. */
export interface ReplayMessages {
  readonly features: Message;
  /** `{"label": value}` with the features' key; absent when not split or the record could not be split into fields. */
  readonly label?: Message;
}

/** A decimal number as text, with nothing around it: `-1`, `0.5`, `.5`, `2.`, `6.02e23`. Not `0x10`, `Infinity`, `1_000`, ` 1`. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Encodes one record for replay. `json` gives the fields as a JSON object in column order, text
 * that is a plain finite decimal number turned into a number (`"0.5"` -> `0.5`) and all other text
 * left as it is; `csv` gives the values as one CSV line (no header), quoted where needed. A record
 * the source could not split (`error` set) is its raw text, unchanged. With `labelColumn`, that
 * field leaves the features and becomes `{"label": value}` (value encoded as in JSON features;
 * a missing field gives `null`). With `indexKeys`, a record without a key value (no key column, an
 * empty value, a row that could not be split) is keyed by its index.
 *
 * @example
 * replayMessage({ index: 4, position: 'a.csv:6', raw: '', fields: { x: '1', y: '0' } }, { format: 'json', labelColumn: 'y', indexKeys: true });
 * // { features: { key: '4', value: '{"x":1}' }, label: { key: '4', value: '{"label":0}' } }
 */
export function replayMessage(record: RawRecord, options: ReplayMessageOptions): ReplayMessages {
  const { format, columns, keyColumn, labelColumn, indexKeys = false } = options;
  const fields = record.error ? undefined : fieldsOf(record, columns);
  let key = keyColumn === undefined ? null : keyOf(fields?.[keyColumn]);
  if (indexKeys) key ??= String(record.index);
  if (!fields) return { features: { key, value: record.raw } };
  const names = (columns ?? Object.keys(fields)).filter((name) => name !== labelColumn);
  let value: string;
  if (format === 'csv') {
    value = names.map((name) => csvValue(fields[name])).join(',');
  } else {
    const object: Record<string, unknown> = {};
    for (const name of names) if (name in fields) object[name] = numberOrText(fields[name]);
    value = JSON.stringify(object);
  }
  if (labelColumn === undefined) return { features: { key, value } };
  const label = JSON.stringify({ label: numberOrText(fields[labelColumn]) ?? null });
  return { features: { key, value }, label: { key, value: label } };
}

function numberOrText(value: unknown): unknown {
  if (typeof value !== 'string' || !PLAIN_NUMBER.test(value)) return value;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

function csvValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function keyOf(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
