import type { RawRecord, Rejected, RejectReason, Sample, Schema } from '../types.js';
import { fastDecimal } from './fastDecimal.js';

/** An ordinary decimal: optional sign, digits with an optional point (or a leading point), optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Spellings of NaN and infinity that mean "not finite" rather than "not a number". */
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const EXPECTED_NUMBER = 'expected a finite decimal number such as 0.25 or -1e-3';

/** Why a value is not a usable number: the reason and a phrase about the value. */
interface Problem {
  readonly reason: RejectReason;
  readonly problem: string;
}

/**
 * Validates one raw record against the schema: features become a Float32Array in schema order,
 * the label a number in the task's domain. Never throws: any problem gives a `Rejected` with its
 * reason and a detail naming the field, the value and what was expected. Positional records
 * (`values`) hold the features in schema order, then the label, unless `columns` names them (a CSV
 * row): then they are looked up by name, as `fields` are. The sample's `time` is the source's own
 * (`raw.time`), else `receivedAt` (ms since the epoch: when the record was read).
 *
 * @example
 * const schema = { task: 'binary', features: ['x1', 'x2'], label: 'y', classes: 2 } as const;
 * decode({ index: 0, position: 'a.csv:2', raw: '1,2,0', fields: { x1: '1', x2: '2', y: '0' } }, schema);
 * // { index: 0, position: 'a.csv:2', x: Float32Array [1, 2], y: 0 }
 * decode({ index: 1, position: 'a.csv:3', raw: '1,abc,0', fields: { x1: '1', x2: 'abc', y: '0' } }, schema);
 * // { ..., reason: 'non_numeric', detail: 'feature "x2": "abc" is not a number; expected ...' }
 */
export function decode(raw: RawRecord, schema: Schema, receivedAt?: number): Sample | Rejected {
  if (raw.error) return rejected(raw, raw.error.reason, raw.error.detail);

  const { features, label } = schema;
  const fields = raw.fields;
  const values = raw.values;
  // Where each feature, then the label, sits in `values` (by the record's column names), or undefined: by name in `fields`.
  let order: Int32Array | undefined;
  if (fields === undefined) {
    if (values === undefined) return rejected(raw, 'malformed', 'the record has neither named fields nor positional values');
    if (raw.columns !== undefined) {
      order = columnOrder(raw.columns, schema);
    } else if (values.length !== features.length + 1) {
      return rejected(
        raw,
        'column_count',
        `expected ${features.length + 1} values (features ${features.join(', ')}, then label ${label}), got ${values.length}`,
      );
    }
  }

  const x = new Float32Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const value = valueOf(fields, values, order, features[i]!, i);
    if (typeof value === 'string') {
      // The common case first: a plain decimal, parsed without regexes (NaN sends it down the general path).
      const fast = fastDecimal(value, true);
      if (fast === fast) {
        x[i] = fast;
        continue;
      }
    }
    if (value === undefined) return rejected(raw, 'missing_feature', `feature "${features[i]!}" is missing`);
    const parsed = parseNumber(value);
    if (typeof parsed !== 'number') {
      return rejected(raw, parsed.reason, `feature "${features[i]!}": ${parsed.problem}; ${EXPECTED_NUMBER}`);
    }
    x[i] = parsed;
  }

  const value = valueOf(fields, values, order, label, features.length);
  if (value === undefined) return rejected(raw, 'missing_label', `label "${label}" is missing`);
  const fast = typeof value === 'string' ? fastDecimal(value) : NaN;
  const parsed = fast === fast ? fast : parseNumber(value);
  if (typeof parsed !== 'number') {
    // An empty label cell is how CSV says "no label".
    const reason = parsed.reason === 'empty_value' ? 'missing_label' : parsed.reason;
    return rejected(raw, reason, `label "${label}": ${parsed.problem}; expected ${labelDomain(schema)}`);
  }
  if (!inDomain(parsed, schema)) {
    return rejected(raw, 'label_domain', `label "${label}": ${show(value)} is outside the label domain; expected ${labelDomain(schema)}`);
  }
  const time = raw.time ?? receivedAt;
  return raw.key === undefined
    ? { index: raw.index, position: raw.position, x, y: parsed, time }
    : { index: raw.index, position: raw.position, key: raw.key, x, y: parsed, time };
}

/** The rejection of a record, keeping what the dead letter needs. */
function rejected(raw: RawRecord, reason: RejectReason, detail: string): Rejected {
  return {
    index: raw.index,
    position: raw.position,
    ...(raw.key === undefined ? {} : { key: raw.key }),
    raw: raw.raw,
    reason,
    detail,
    ...(raw.origin === undefined ? {} : { origin: raw.origin }),
  };
}

/** The value of schema column `column` (named `name`): by name in `fields`, through `order` in `values`, or by position. */
function valueOf(
  fields: Readonly<Record<string, unknown>> | undefined,
  values: readonly unknown[] | undefined,
  order: Int32Array | undefined,
  name: string,
  column: number,
): unknown {
  if (fields !== undefined) return Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (order === undefined) return values![column];
  const at = order[column]!;
  return at < 0 ? undefined : values![at];
}

let lastColumns: readonly string[] | undefined;
let lastSchema: Schema | undefined;
let lastOrder = new Int32Array(0);

/**
 * Where the schema's features, then its label, sit among `columns` (-1: absent), as a record's
 * `fields` built from those columns would give them: the last of duplicate names wins, and
 * `__proto__` is never an own field. Remembered for the last columns and schema (one source, one schema).
 */
function columnOrder(columns: readonly string[], schema: Schema): Int32Array {
  if (columns === lastColumns && schema === lastSchema) return lastOrder;
  const at = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name !== '__proto__') at.set(name, i);
  });
  const order = new Int32Array(schema.features.length + 1);
  schema.features.forEach((name, i) => (order[i] = at.get(name) ?? -1));
  order[schema.features.length] = at.get(schema.label) ?? -1;
  lastColumns = columns;
  lastSchema = schema;
  lastOrder = order;
  return order;
}

/**
 * Tells a rejection from a sample.
 *
 * @example
 * const out = decode(raw, schema);
 * if (isRejected(out)) deadLetter.write(out); else samples.push(out);
 */
export function isRejected(x: Sample | Rejected): x is Rejected {
  return 'reason' in x;
}

/** Strict numeric parse: decimals and exponents only; also rejects what overflows a float32. */
function parseNumber(value: unknown): number | Problem {
  let number: number;
  if (typeof value === 'number') {
    number = value;
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return { reason: 'empty_value', problem: `${show(value)} is empty` };
    if (NOT_FINITE.test(text)) return { reason: 'non_finite', problem: `${show(value)} is not finite` };
    if (!DECIMAL.test(text)) return { reason: 'non_numeric', problem: `${show(value)} is not a number` };
    number = Number(text);
  } else {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    return { reason: 'non_numeric', problem: `${show(value)} is not a number (got ${kind})` };
  }
  if (!Number.isFinite(number)) return { reason: 'non_finite', problem: `${show(value)} is not finite` };
  if (!Number.isFinite(Math.fround(number))) {
    return { reason: 'non_finite', problem: `${show(value)} overflows float32 (|v| must stay below 3.4e38)` };
  }
  return number;
}

function inDomain(y: number, schema: Schema): boolean {
  switch (schema.task) {
    case 'binary':
      return y === 0 || y === 1;
    case 'multiclass':
      return Number.isInteger(y) && y >= 0 && y < schema.classes;
    case 'regression':
      return true; // parseNumber already required a finite value
  }
}

function labelDomain(schema: Schema): string {
  switch (schema.task) {
    case 'binary':
      return '0 or 1 (binary task)';
    case 'multiclass':
      return `an integer class id in [0, ${schema.classes - 1}] (multiclass task, ${schema.classes} classes)`;
    case 'regression':
      return 'a finite number (regression task)';
  }
}

/** The value as it appeared, quoted if text, cut short if long (never throws: BigInt and cycles have no JSON). */
function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value === 'bigint' ? `${value}n` : Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
