import type { RejectReason, Schema } from '../../src/types.js';

/**
 * What decode must make of one value, by the README's rules, computed independently of
 * src/decode.ts: a number (a double; as a feature it is rounded to float32) or why it is rejected.
 */
export type NumberVerdict =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly reason: 'empty_value' | 'non_numeric' | 'non_finite' };

/** What decode must make of a whole record: the sample's features and label, or the reject reason. */
export type ExpectedDecode =
  | { readonly ok: true; readonly x: Float32Array; readonly y: number }
  | { readonly ok: false; readonly reason: RejectReason };

const SPELLINGS = /^[+-]?(?:nan|inf|infinity)$/i;
const NON_FINITE = { ok: false, reason: 'non_finite' } as const;
const NON_NUMERIC = { ok: false, reason: 'non_numeric' } as const;

/**
 * The verdict on one feature value: JSON numbers as they are; text trimmed, empty -> `empty_value`,
 * NaN/infinity spellings -> `non_finite`, anything `Number()` cannot read or reads only as a hex,
 * binary or octal literal -> `non_numeric`, beyond float32 -> `non_finite`; any other type -> `non_numeric`.
 *
 * @example
 * expectedNumber(' 1e-3 '); // { ok: true, value: 0.001 }
 * expectedNumber('-inf');   // { ok: false, reason: 'non_finite' }
 * expectedNumber('0x1F');   // { ok: false, reason: 'non_numeric' }
 */
export function expectedNumber(value: unknown): NumberVerdict {
  if (typeof value === 'number') return finite(value);
  if (typeof value !== 'string') return NON_NUMERIC;
  const text = value.trim();
  if (text === '') return { ok: false, reason: 'empty_value' };
  if (SPELLINGS.test(text)) return NON_FINITE;
  if (/^[+-]?0[xbo]/i.test(text)) return NON_NUMERIC;
  const number = Number(text);
  return Number.isNaN(number) ? NON_NUMERIC : finite(number);
}

function finite(number: number): NumberVerdict {
  return Number.isFinite(Math.fround(number)) ? { ok: true, value: number } : NON_FINITE;
}

/**
 * The verdict on a label value (`undefined` = absent): a number in the task's domain, or
 * `missing_label` (absent or empty), the number rules' reason, or `label_domain`.
 *
 * @example
 * expectedLabel('1.0', { task: 'binary', classes: 2 }); // { ok: true, value: 1 }
 * expectedLabel('2', { task: 'binary', classes: 2 });   // { ok: false, reason: 'label_domain' }
 */
export function expectedLabel(
  value: unknown,
  schema: Pick<Schema, 'task' | 'classes'>,
): { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: RejectReason } {
  if (value === undefined) return { ok: false, reason: 'missing_label' };
  const verdict = expectedNumber(value);
  if (!verdict.ok) return { ok: false, reason: verdict.reason === 'empty_value' ? 'missing_label' : verdict.reason };
  const y = verdict.value;
  const inDomain =
    schema.task === 'regression' ||
    (schema.task === 'binary' && (y === 0 || y === 1)) ||
    (schema.task === 'multiclass' && Number.isInteger(y) && y >= 0 && y < schema.classes);
  return inDomain ? verdict : { ok: false, reason: 'label_domain' };
}

/**
 * The verdict on a record whose values are read by `get(name, column)` (`undefined` = absent):
 * the first bad feature in schema order decides, then the label.
 *
 * @example
 * const schema = { task: 'binary', features: ['a', 'b'], label: 'y', classes: 2 } as const;
 * const row: Record<string, unknown> = { a: '1', b: 'NaN', y: '0' };
 * expectedDecode((name) => row[name], schema); // { ok: false, reason: 'non_finite' }
 */
export function expectedDecode(get: (name: string, column: number) => unknown, schema: Schema): ExpectedDecode {
  const x = new Float32Array(schema.features.length);
  for (const [i, name] of schema.features.entries()) {
    const value = get(name, i);
    if (value === undefined) return { ok: false, reason: 'missing_feature' };
    const verdict = expectedNumber(value);
    if (!verdict.ok) return verdict;
    x[i] = verdict.value;
  }
  const label = expectedLabel(get(schema.label, schema.features.length), schema);
  return label.ok ? { ok: true, x, y: label.value } : label;
}
