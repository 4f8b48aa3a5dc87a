import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { dotted, mutatedConfig, nodes, validConfig, type Mutation } from './validConfig.js';

/**
 * parseConfig over fuzzed input: random valid configurations parse and come back deeply frozen
 * with every given value kept; a configuration with one thing wrong (an unknown key at any depth,
 * a wrong type, an invalid value) gives exactly one ConfigError whose message names that field;
 * nothing else is ever thrown, whatever the input.
 */

const tried = { valid: 0, invalid: 0, arbitrary: 0 };
afterAll(() => {
  const n = (x: number) => x.toLocaleString('en-US');
  console.log(`fuzz config: ${n(tried.valid)} valid configs, ${n(tried.invalid)} single-fault configs, ${n(tried.arbitrary)} arbitrary values, 0 crashes`);
});

function errorOf(input: unknown): ConfigError | undefined {
  try {
    parseConfig(input);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw new Error(`parseConfig threw ${String(error)} instead of a ConfigError`, { cause: error });
  }
}

function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

/** The issues of a ConfigError message: `field "a.b": ...` or `unknown key(s) "k" [in "a.b"]`, split at `; `. */
const issuesOf = (message: string): string[] => message.replace(/^invalid configuration: /, '').split(/; (?=field "|unknown keys? ")/);

/** Rules that compare two fields: a bad value in one may also be reported on its partner (`minL2` must not exceed `maxL2`). */
const CROSS_FIELD = /^field "(?:[\w.]+\.)?(?:minLr|minL2|smallGap|classes)": (?:must not exceed|must be below|only applies to)/;

describe('parseConfig on fuzzed configurations', () => {
  it('parses every valid configuration into a deeply frozen object keeping every given value', () => {
    fc.assert(
      fc.property(validConfig, (input) => {
        tried.valid++;
        const config = parseConfig(input);
        expect(deeplyFrozen(config)).toBe(true);
        for (const { path, value } of nodes(input)) {
          if (value !== null && typeof value === 'object') continue;
          // A tuning policy given as `true` becomes its default settings.
          if (path[0] === 'tuning' && path.length === 2 && value === true) continue;
          let got: unknown = config;
          for (const p of path) got = (got as Record<string | number, unknown>)[p];
          expect(got, dotted(path)).toEqual(value);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reports one thing wrong as one ConfigError naming the field (an unknown key: the key and where)', () => {
    fc.assert(
      fc.property(mutatedConfig, (m: Mutation) => {
        tried.invalid++;
        const error = errorOf(m.config);
        const where = dotted(m.path);
        expect(error, `${m.kind} at ${where || '(top level)'} was accepted`).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect(message).toMatch(/^invalid configuration: /);
        expect(message).not.toContain('\n');
        const issues = issuesOf(message);
        if (m.kind === 'unknown key') {
          expect(issues).toEqual([`unknown key "${m.key}"${where ? ` in "${where}"` : ''}`]);
          return;
        }
        // kafka.ssl is a union (a boolean or an object): for some bad values zod names only the union,
        // "kafka.ssl", with "Invalid input" (see the report).
        const names = where.startsWith('kafka.ssl.') ? [where, 'kafka.ssl'] : [where];
        const namesIt = (issue: string | undefined) => names.some((n) => issue?.startsWith(`field "${n}": `));
        expect(namesIt(issues[0]), `${m.kind} ${JSON.stringify(m.value)} at ${where}: ${message}`).toBe(true);
        for (const issue of issues.slice(1)) {
          expect(namesIt(issue) || CROSS_FIELD.test(issue), `extra issue for ${m.kind} at ${where}: ${issue}`).toBe(true);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  // Detector settings are checked when the config is parsed, so the error names the config path.
  it('rejects an unknown key or a wrong type in a drift.detectors entry, naming its path', () => {
    const message = (config: unknown) => errorOf(config)?.message ?? 'accepted';
    expect(message({ source: 'x.csv', drift: { detectors: [{ type: 'adwin', delt: 0.1 }] } })).toContain('"drift.detectors.0"');
    expect(message({ source: 'x.csv', drift: { detectors: [{ type: 'adwin', delta: 'x' }] } })).toMatch(/field "drift\.detectors\.0": .*"delta"/);
  });

  it('throws nothing but ConfigError for arbitrary input, at the top or in any section', () => {
    const sections = ['batch', 'model', 'optimizer', 'standardize', 'eval', 'kafka', 'drift', 'tuning', 'metrics', 'checkpoint'];
    const anything = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withDate: true });
    fc.assert(
      fc.property(anything, fc.constantFrom(...sections), anything, (top, section, inner) => {
        tried.arbitrary += 2;
        errorOf(top);
        errorOf({ source: 'x.csv', [section]: inner });
      }),
      { numRuns: 2_000 },
    );
  });
});
