/**
 * A short label for an axis tick or a value: thousands as `k`, millions as `M`, small numbers with
 * as many decimals as the tick step needs, very small ones in exponent form.
 *
 * @example
 * formatTick(20000, 10000); // '20k'
 * formatTick(0.0015, 0.0005); // '0.0015'
 * formatTick(0.00002, 0.00001); // '2e-5'
 */
export function formatTick(value: number, step = Math.abs(value)): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 && step >= 1e5) return `${trim(value / 1e6, step / 1e6)}M`;
  if (abs >= 1e3 && step >= 100) return `${trim(value / 1e3, step / 1e3)}k`;
  if (abs < 1e-4 || (step > 0 && step < 1e-5)) return value.toExponential(1).replace(/\.0e/, 'e').replace('e-0', 'e-').replace('e+', 'e');
  return trim(value, step);
}

function trim(value: number, step: number): string {
  const decimals = step > 0 ? Math.min(8, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9))) : 3;
  return String(Number(value.toFixed(decimals)));
}
