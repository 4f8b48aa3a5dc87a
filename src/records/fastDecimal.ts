/** The powers of ten that a double holds exactly (10^0 ... 10^22). */
const EXACT_POW10 = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
/** Significant digits that always fit a double's 53-bit integer range exactly. */
const EXACT_DIGITS = 15;
/** Significant digits taken at all (in `float32` mode: a double's 17 and a little more). */
const MAX_DIGITS = 19;
/** A bound on the relative error of the inexact path (at most 4 roundings of 2^-53 each, and the division): 2^-48. */
const INEXACT_ERROR = 2 ** -48;

const PLUS = 43;
const MINUS = 45;
const POINT = 46;
const ZERO = 48;
const NINE = 57;
const UPPER_E = 69;
const LOWER_E = 101;

/**
 * The value of a plain decimal in the common easy case, without a regex or `Number()`: optional
 * sign, digits with an optional point (or a leading point), optional exponent, at most 15
 * significant digits and a decimal exponent within ±22, no surrounding spaces. Then
 * digits / 10^k (or digits * 10^k) is one correctly rounded IEEE operation on exact operands
 * (Clinger's fast path), so the result equals `Number(text)` bit for bit. Returns NaN for
 * anything else (other grammar, more digits, spaces, empty): the caller then takes the slow,
 * general path. Every number it returns is finite and within float32 range.
 *
 * @example
 * fastDecimal('0.056443'); // 0.056443 (=== Number('0.056443'))
 * fastDecimal('-2.5e+2');  // -250
 * fastDecimal(' 1');       // NaN: not the easy case (the caller trims and retries slowly)
 * fastDecimal('1e400');    // NaN: not the easy case
 *
 * With `float32` set, it also takes 16 to 19 significant digits (full-precision doubles, as data
 * dumps write them): the double it returns may then differ from `Number(text)` in its last bits,
 * but never in its float32 rounding (`Math.fround`), which is checked by rounding both ends of the
 * error bound; when they differ (a value within 2^-48 of a float32 tie) it returns NaN.
 *
 * @example
 * Math.fround(fastDecimal('0.12345678901234567', true)) === Math.fround(0.12345678901234567); // true
 */
export function fastDecimal(text: string, float32 = false): number {
  const length = text.length;
  let i = 0;
  let c = length > 0 ? text.charCodeAt(0) : 0;
  const negative = c === MINUS;
  if (negative || c === PLUS) c = ++i < length ? text.charCodeAt(i) : 0;
  let mantissa = 0;
  let digits = 0; // significant digits taken (from the first non-zero one)
  let seen = false; // any mantissa digit at all
  let scale = 0; // decimal exponent from the point: digits after it
  while (c >= ZERO && c <= NINE) {
    seen = true;
    if (digits > 0 || c !== ZERO) {
      if (++digits > MAX_DIGITS) return NaN;
      mantissa = mantissa * 10 + (c - ZERO);
    }
    c = ++i < length ? text.charCodeAt(i) : 0;
  }
  if (c === POINT) {
    c = ++i < length ? text.charCodeAt(i) : 0;
    while (c >= ZERO && c <= NINE) {
      seen = true;
      if (digits > 0 || c !== ZERO) {
        if (++digits > MAX_DIGITS) return NaN;
        mantissa = mantissa * 10 + (c - ZERO);
      }
      scale--;
      c = ++i < length ? text.charCodeAt(i) : 0;
    }
  }
  if (!seen || (digits > EXACT_DIGITS && !float32)) return NaN;
  if (c === LOWER_E || c === UPPER_E) {
    c = ++i < length ? text.charCodeAt(i) : 0;
    const negativeExponent = c === MINUS;
    if (negativeExponent || c === PLUS) c = ++i < length ? text.charCodeAt(i) : 0;
    let exponent = 0;
    let exponentDigits = 0;
    while (c >= ZERO && c <= NINE) {
      if (++exponentDigits > 4) return NaN;
      exponent = exponent * 10 + (c - ZERO);
      c = ++i < length ? text.charCodeAt(i) : 0;
    }
    if (exponentDigits === 0) return NaN;
    scale += negativeExponent ? -exponent : exponent;
  }
  if (i !== length) return NaN;
  let value: number;
  if (mantissa === 0) value = 0;
  else if (scale >= 0 && scale <= 22) value = mantissa * EXACT_POW10[scale]!;
  else if (scale < 0 && scale >= -22) value = mantissa / EXACT_POW10[-scale]!;
  else return NaN;
  if (digits > EXACT_DIGITS) {
    // The accumulated mantissa was rounded: keep the value only if every double within the error bound rounds to the same float32.
    const low = Math.fround(value * (1 - INEXACT_ERROR));
    if (low !== Math.fround(value * (1 + INEXACT_ERROR)) || !Number.isFinite(low)) return NaN;
  }
  return negative ? -value : value;
}
