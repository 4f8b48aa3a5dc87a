import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decode, isRejected } from '../../src/records/decode.js';
import { REJECT_REASONS, type RawRecord, type RejectReason, type Schema, type Task } from '../../src/types.js';
import { EMPTY_TEXTS, featureText, HUGE_TEXTS, NAN_SPELLINGS, TEXTS, VALID_TEXTS } from './badRecords.js';
import { expectedDecode, expectedNumber, type ExpectedDecode } from './expectedDecode.js';

/**
 * `decode` over arbitrary input: it never throws, and returns either a Sample with finite float32
 * features and a label in the task's domain, or a Rejected with a known reason; which one, and the
 * reason, agree with an independent reading of the README's rules (expectedDecode.ts).
 */

let checked = 0;
let rejected = 0;
afterAll(() => {
  console.log(`fuzz decode: ${checked.toLocaleString('en-US')} records checked, ${rejected.toLocaleString('en-US')} bad inputs, 0 throws`);
});

const schemas: fc.Arbitrary<Schema> = fc
  .record({ task: fc.constantFrom<Task>('binary', 'multiclass', 'regression'), classes: fc.integer({ min: 2, max: 7 }), features: fc.integer({ min: 1, max: 4 }) })
  .map(({ task, classes, features }) => ({
    task,
    classes: task === 'multiclass' ? classes : task === 'binary' ? 2 : 1,
    features: Array.from({ length: features }, (_, i) => `f${i}`),
    label: 'label',
  }));

/** Any value a JSON source can hand over, and then some: text, numbers JSON cannot spell, nested values. */
const values: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: featureText },
  { weight: 2, arbitrary: fc.jsonValue() },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e-320, 1e308, 3.4e38, 3.5e38, Number.MAX_VALUE, Number.MIN_VALUE, 0, 1, 2, -1) },
  { weight: 1, arbitrary: fc.constantFrom('0', '1', '2', ' 1 ', '1.0', '-0', '0x1', 'true') },
);

/** Raw records of every shape: named fields (some missing), positional values (some of the wrong length), source errors, neither. */
const records = (schema: Schema): fc.Arbitrary<RawRecord> => {
  const names = [...schema.features, schema.label];
  const at = fc.record({ index: fc.nat(), position: fc.string({ maxLength: 10 }), raw: fc.string({ maxLength: 20 }), key: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }) });
  const withKey = <T extends object>(base: { index: number; position: string; raw: string; key: string | undefined }, rest: T): RawRecord => {
    const { key, ...others } = base;
    return { ...others, ...(key === undefined ? {} : { key }), ...rest };
  };
  const fields = fc
    .tuple(at, fc.tuple(...names.map(() => fc.option(values, { freq: 10, nil: undefined }))), fc.dictionary(fc.string({ maxLength: 6 }), values, { maxKeys: 3 }))
    .map(([base, picked, extra]) => {
      const object: Record<string, unknown> = { ...extra };
      names.forEach((name, i) => {
        if (picked[i] !== undefined) object[name] = picked[i];
        else delete object[name];
      });
      return withKey(base, { fields: object });
    });
  const positional = fc
    .tuple(at, fc.oneof({ weight: 4, arbitrary: fc.constant(names.length) }, fc.nat(names.length + 3)))
    .chain(([base, n]) => fc.array(values, { minLength: n, maxLength: n }).map((v) => withKey(base, { values: v })));
  const failed = fc
    .tuple(at, fc.constantFrom(...REJECT_REASONS), fc.string({ minLength: 1, maxLength: 20 }))
    .map(([base, reason, detail]) => withKey(base, { error: { reason, detail } }));
  const neither = at.map((base) => withKey(base, {}));
  return fc.oneof({ weight: 6, arbitrary: fields }, { weight: 3, arbitrary: positional }, { weight: 1, arbitrary: failed }, { weight: 1, arbitrary: neither });
};

/** The verdict the README's rules give a raw record. */
function expected(raw: RawRecord, schema: Schema): ExpectedDecode {
  if (raw.error) return { ok: false, reason: raw.error.reason };
  if (raw.fields) {
    const fields = raw.fields;
    return expectedDecode((name) => (Object.hasOwn(fields, name) ? fields[name] : undefined), schema);
  }
  if (raw.values) {
    if (raw.values.length !== schema.features.length + 1) return { ok: false, reason: 'column_count' };
    const v = raw.values;
    return expectedDecode((_, column) => v[column], schema);
  }
  return { ok: false, reason: 'malformed' };
}

const inDomain = (y: number, schema: Schema): boolean =>
  schema.task === 'regression' ? Number.isFinite(y) : schema.task === 'binary' ? y === 0 || y === 1 : Number.isInteger(y) && y >= 0 && y < schema.classes;

describe('decode over arbitrary input', () => {
  it('never throws; gives a finite float32 Sample or a Rejected with a known reason, as the rules say', () => {
    fc.assert(
      fc.property(schemas.chain((schema) => fc.tuple(fc.constant(schema), records(schema))), ([schema, raw]) => {
        const out = decode(raw, schema);
        const want = expected(raw, schema);
        checked++;
        expect(out.index).toBe(raw.index);
        expect(out.position).toBe(raw.position);
        expect(out.key).toBe(raw.key);
        if (isRejected(out)) {
          rejected++;
          expect(REJECT_REASONS).toContain(out.reason);
          expect(typeof out.detail === 'string' && out.detail.length > 0).toBe(true);
          expect(out.raw).toBe(raw.raw);
          expect(want.ok ? 'a sample' : want.reason).toBe(out.reason);
          if (!raw.error && ['missing_feature', 'empty_value', 'non_numeric', 'non_finite'].includes(out.reason)) {
            expect(out.detail).toMatch(/^(feature|label) "/);
          }
        } else {
          expect(out.x).toBeInstanceOf(Float32Array);
          expect(out.x).toHaveLength(schema.features.length);
          expect(Array.from(out.x).every(Number.isFinite)).toBe(true);
          expect(inDomain(out.y, schema)).toBe(true);
          expect(want.ok ? 'a sample' : want.reason).toBe('a sample');
          if (want.ok) {
            expect(Array.from(out.x).every((v, i) => Object.is(v, want.x[i]))).toBe(true);
            expect(Object.is(out.y, want.y)).toBe(true);
          }
        }
      }),
      { numRuns: 6_000 },
    );
  });

  it('reads every string as the rules say: empty, NaN/infinity spellings, non-decimal text, beyond float32', () => {
    const schema: Schema = { task: 'regression', classes: 1, features: ['x'], label: 'y' };
    fc.assert(
      fc.property(fc.oneof(featureText, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        const out = decode({ index: 0, position: 'p', raw: text, fields: { x: text, y: '0' } }, schema);
        const want = expectedNumber(text);
        checked++;
        if (isRejected(out)) rejected++;
        expect(isRejected(out) ? out.reason : Object.is(out.x[0], Math.fround(want.ok ? want.value : NaN))).toBe(want.ok ? true : want.reason);
      }),
      { numRuns: 10_000 },
    );
  });

  it('never throws on values no JSON source makes either (BigInt, cycles, null prototypes, symbols)', () => {
    const schema: Schema = { task: 'binary', classes: 2, features: ['x'], label: 'y' };
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const odd = fc.oneof(
      fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }),
      fc.constantFrom<unknown>(cycle, Symbol('s'), () => 1, 10n ** 400n),
    );
    fc.assert(
      fc.property(odd, odd, (x, y) => {
        const out = decode({ index: 1, position: 'p', raw: '', fields: { x, y } }, schema);
        checked++;
        if (isRejected(out)) rejected++;
        expect(isRejected(out) ? REJECT_REASONS.includes(out.reason) : Number.isFinite(out.x[0])).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('agrees with the curated lists of the file fuzzer (which the oracle also agrees with)', () => {
    const schema: Schema = { task: 'regression', classes: 1, features: ['x'], label: 'y' };
    const cases: Array<[readonly string[], RejectReason | 'ok']> = [
      [VALID_TEXTS, 'ok'],
      [NAN_SPELLINGS, 'non_finite'],
      [HUGE_TEXTS, 'non_finite'],
      [TEXTS, 'non_numeric'],
      [EMPTY_TEXTS, 'empty_value'],
    ];
    for (const [texts, reason] of cases) {
      for (const text of texts) {
        const shown = text.length > 40 ? `${text.slice(0, 20)}... (${text.length})` : text;
        const verdict = expectedNumber(text);
        expect(verdict.ok ? 'ok' : verdict.reason, `oracle on ${JSON.stringify(shown)}`).toBe(reason);
        const out = decode({ index: 0, position: 'p', raw: text, fields: { x: text, y: '1' } }, schema);
        expect(isRejected(out) ? out.reason : 'ok', `decode on ${JSON.stringify(shown)}`).toBe(reason);
        checked++;
        if (isRejected(out)) rejected++;
      }
    }
  });
});
