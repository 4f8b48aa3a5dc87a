import fc from 'fast-check';
import type { Schema } from '../../src/types.js';
import { EMPTY_TEXTS, HUGE_TEXTS, INVALID_UTF8, JSON_LITERALS, NAN_SPELLINGS, TEXTS, VALID_TEXTS } from './badRecords.js';
import { expectedDecode, type ExpectedDecode } from './expectedDecode.js';

/**
 * fast-check arbitrary of Kafka messages for a binary task on features `x1,x2` and label `y`:
 * valid JSON objects, arrays and CSV lines mixed with random bytes, invalid UTF-8, wrong JSON types,
 * missing labels and features, NaN spellings, huge numbers, empty values and tombstones. Each
 * carries what the trainer must make of it (decodeKafkaMessage's contract, then expectedDecode).
 *
 * @example
 * const messages = fc.sample(kafkaMessage, { seed: 1, numRuns: 300 });
 * await produceMessages(brokers, topic, messages.map((m, i) => ({ partition: i % 3, key: m.key, value: m.value })));
 */

/** The schema the messages are written for (`--features x1,x2 --label y`, task binary). */
export const MESSAGE_SCHEMA: Schema = { task: 'binary', classes: 2, features: ['x1', 'x2'], label: 'y' };

export interface FuzzMessage {
  readonly kind: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly expected: ExpectedDecode;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The verdict on a message value as decodeKafkaMessage documents it (format auto, no csvColumns):
 * null, invalid UTF-8, blank, bad JSON or a JSON scalar -> malformed; `{`/`[` -> JSON fields or
 * positional values; anything else -> one CSV line of positional values (features, then label).
 *
 * @example
 * expectKafka(Buffer.from('0.5,1,0')); // { ok: true, x: Float32Array [0.5, 1], y: 0 }
 */
export function expectKafka(value: Buffer | null, schema: Schema = MESSAGE_SCHEMA): ExpectedDecode {
  const malformed = { ok: false, reason: 'malformed' } as const;
  if (value === null) return malformed;
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return malformed;
  }
  if (text.trim() === '') return malformed;
  const positional = (values: readonly unknown[]): ExpectedDecode =>
    values.length === schema.features.length + 1 ? expectedDecode((_, i) => values[i], schema) : { ok: false, reason: 'column_count' };
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return malformed;
    }
    if (Array.isArray(parsed)) return positional(parsed);
    if (typeof parsed !== 'object' || parsed === null) return malformed;
    const fields = parsed as Record<string, unknown>;
    return expectedDecode((name) => (Object.hasOwn(fields, name) ? fields[name] : undefined), schema);
  }
  if (text.includes('"')) throw new Error(`the generator makes no quoted CSV lines: ${JSON.stringify(text)}`);
  const values = text.replace(/\r?\n$/, '').split(',');
  return values.some((v) => /[\r\n]/.test(v)) ? malformed : positional(values);
}

/** `arb` once in `n` draws, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const ordinary = fc.double({ noNaN: true, min: -1e6, max: 1e6 });
const validNumberJson = fc.oneof(
  { weight: 6, arbitrary: ordinary.map((d) => JSON.stringify(d)) },
  { weight: 2, arbitrary: ordinary.map((d) => JSON.stringify(String(d))) },
  { weight: 1, arbitrary: fc.constantFrom(...VALID_TEXTS.slice(0, -1)).map((t) => JSON.stringify(t)) },
);
const validLabelJson = fc.constantFrom('0', '1', '"0"', '"1"', '1.0', '-0', '"1e0"');
const badJson = fc.constantFrom(
  ...[...NAN_SPELLINGS, ...HUGE_TEXTS.filter((t) => t.length < 1000), ...TEXTS.filter((t) => t.length < 1000), ...EMPTY_TEXTS].map((t) => JSON.stringify(t)),
  ...JSON_LITERALS,
);
const badLabelJson = fc.constantFrom('2', '-1', '0.5', '"2"', '1e-320', '3', '""', 'null', 'true', '"NaN"', '1e400', '"one"');

/** A JSON object message: features and label, each possibly bad or missing, maybe an extra field. */
const jsonObject = fc
  .record({
    x1: fc.oneof({ weight: 12, arbitrary: validNumberJson }, { weight: 1, arbitrary: badJson }),
    x2: fc.oneof({ weight: 12, arbitrary: validNumberJson }, { weight: 1, arbitrary: badJson }),
    y: fc.oneof({ weight: 8, arbitrary: validLabelJson }, { weight: 1, arbitrary: badLabelJson }),
    drop: rarely(fc.constantFrom('x1', 'x2', 'y'), 12),
    extra: rarely(fc.jsonValue({ maxDepth: 1 }), 4),
  })
  .map(({ x1, x2, y, drop, extra }) => {
    const entries = Object.entries({ x1, x2, y }).filter(([k]) => k !== drop);
    if (extra !== null) entries.push(['extra', JSON.stringify(extra) ?? 'null']);
    return { kind: 'json object', text: `{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}` };
  });

const jsonArray = fc
  .tuple(validNumberJson, fc.oneof(validNumberJson, badJson), validLabelJson, fc.boolean())
  .map(([a, b, y, short]) => ({ kind: 'json array', text: short ? `[${a},${y}]` : `[${a},${b},${y}]` }));

const csvLine = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: ordinary.map(String) }, fc.constantFrom('NaN', 'nan', '-inf', '1e400', '1e39', '', 'abc', '0x10')),
    ordinary.map(String),
    fc.oneof({ weight: 6, arbitrary: fc.constantFrom('0', '1') }, fc.constantFrom('2', '', '0.5')),
    fc.constantFrom('', '\n', '\r\n'),
  )
  .map(([a, b, y, end]) => ({ kind: 'csv line', text: `${a},${b},${y}${end}` }));

const raw = (kind: string, value: Buffer | null) => ({ kind, value });

/** One message: mostly valid, the rest every kind of bad. */
export const kafkaMessage: fc.Arbitrary<FuzzMessage> = fc
  .tuple(
    fc.oneof(
      { weight: 12, arbitrary: jsonObject.map((m) => raw(m.kind, Buffer.from(m.text))) },
      { weight: 2, arbitrary: jsonArray.map((m) => raw(m.kind, Buffer.from(m.text))) },
      { weight: 3, arbitrary: csvLine.map((m) => raw(m.kind, Buffer.from(m.text))) },
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => raw('random bytes', Buffer.from(b.filter((x) => x !== 0x22)))) },
      { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8).map((b) => raw('invalid utf-8', Buffer.concat([Buffer.from('{"x1":1,"x2":'), b, Buffer.from(',"y":0}')]))) },
      { weight: 1, arbitrary: fc.constantFrom('{"x1": NaN, "x2": 1, "y": 0}', '{"x1": Infinity, "x2": 1, "y": 1}', '{"x1": 1, "x2": 2, "y": 0', '42', 'true', 'null', '[1, 2]]').map((t) => raw('bad json', Buffer.from(t))) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', '\t ').map((t) => raw('empty', Buffer.from(t))) },
      { weight: 1, arbitrary: fc.constant(raw('tombstone', null)) },
    ),
    fc.option(fc.uint8Array({ minLength: 1, maxLength: 8 }), { freq: 2 }),
  )
  .map(([{ kind, value }, key]) => ({ kind, key: key === null ? null : Buffer.from(key), value, expected: expectKafka(value) }));
