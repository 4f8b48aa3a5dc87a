import { ConfigError } from '../errors.js';
import { mulberry32 } from '../stats/prng.js';

/** The forms `--label-delay` accepts, for error messages and help. */
const FORMS = 'N (a whole number of records, e.g. 500), uniform:MIN:MAX (whole numbers, both included, e.g. uniform:100:900) or exp:MEAN (exponential with that mean, rounded, e.g. exp:500)';
const WHOLE = /^\d+$/;
const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a label delay, in records after a record's features: `N` (fixed), `uniform:MIN:MAX`
 * (uniform whole numbers in [MIN, MAX]) or `exp:MEAN` (exponential with mean MEAN, rounded to a
 * whole number), and returns a sampler giving one delay per call. Random delays come from a
 * generator seeded with `seed`, so the same seed gives the same delays. A bad spec throws a
 * ConfigError naming `flag` and the accepted forms.
 *
 * @example
 * labelDelay('500')();             // 500, always
 * const next = labelDelay('uniform:100:900', 7);
 * next(); // a whole number in [100, 900], the same sequence on every run with seed 7
 */
export function labelDelay(spec: string, seed = 1, flag = '--label-delay'): () => number {
  const fail = (why: string): never => {
    throw new ConfigError(`${flag} ${why}, got "${spec}": use ${FORMS}`);
  };
  const text = spec.trim();
  if (WHOLE.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) fail('is too large');
    return () => n;
  }
  if (!Number.isFinite(seed)) throw new ConfigError(`${flag}: the seed must be a finite number, got ${seed}`);
  const random = mulberry32(seed);
  const [kind, ...args] = text.split(':');
  if (kind === 'uniform') {
    if (args.length !== 2 || !args.every((a) => WHOLE.test(a))) fail('takes two whole numbers after uniform:');
    const [min, max] = args.map(Number) as [number, number];
    if (!Number.isSafeInteger(max)) fail('is too large');
    if (min > max) fail('needs MIN <= MAX');
    return () => min + Math.floor(random() * (max - min + 1));
  }
  if (kind === 'exp') {
    if (args.length !== 1 || !NUMBER.test(args[0]!)) fail('takes one positive mean after exp:');
    const mean = Number(args[0]);
    if (!(mean > 0 && Number.isFinite(mean))) fail('needs a positive, finite mean');
    return () => Math.round(-mean * Math.log(1 - random()));
  }
  return fail('is not a record count or a known distribution');
}
