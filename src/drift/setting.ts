import { z } from 'zod';

/** A number schema whose one error message is the allowed range (non-finite numbers always fail). */
function number(allowed: string, ok: (v: number) => boolean = () => true) {
  return z.number({ error: allowed }).refine(ok, { error: allowed });
}

/**
 * zod building blocks for drift-detector settings: each one's error message says what is allowed
 * (`a number in (0, 1)`), which {@link DriftDetectorBase} turns into
 * `adwin: "delta" must be a number in (0, 1), got 0`.
 *
 * @example
 * const settingsSchema = z.strictObject({
 *   delta: setting.inOpenUnitInterval().default(0.002),
 *   clock: setting.intAtLeast(1).default(32),
 * });
 */
export const setting = {
  /** Any finite number. */
  finite: () => number('a finite number'),
  /** A number in [0, 1]. */
  inUnitInterval: () => number('a number in [0, 1]', (v) => v >= 0 && v <= 1),
  /** A number in (0, 1), for confidences and significance levels. */
  inOpenUnitInterval: () => number('a number in (0, 1)', (v) => v > 0 && v < 1),
  /** An integer >= min. */
  intAtLeast: (min: number) => number(`an integer >= ${min}`, (v) => Number.isInteger(v) && v >= min),
  /** An integer in [min, max]. */
  intInRange: (min: number, max: number) =>
    number(`an integer in [${min}, ${max}]`, (v) => Number.isInteger(v) && v >= min && v <= max),
  /** A non-negative safe integer, e.g. a seed. */
  seed: () => number('a non-negative integer', (v) => Number.isSafeInteger(v) && v >= 0),
  /** One of the given strings. */
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: `one of ${values.map((v) => `'${v}'`).join(', ')}` }),
  /** A boolean. */
  flag: () => z.boolean({ error: 'true or false' }),
  /** An array of finite numbers. */
  numbers: () => z.array(z.number({ error: 'an array of finite numbers' }), { error: 'an array of finite numbers' }).readonly(),
};
