import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configKeys } from '../../src/commands/configKeys.js';
import { renderConfigDocs } from '../../src/commands/docs/renderConfigDocs.js';
import { TRAIN_FLAGS } from '../../src/commands/trainFlags.js';
import { configSchema, parseConfig } from '../../src/config.js';
import { REPO } from '../support/builtCli.js';

/** Keys whose schema line another change owns; remove an entry once its line has a `.describe()`. */
const UNDESCRIBED_ELSEWHERE = new Set(['kafka.sessionTimeoutMs']);

describe('docs/config.md', () => {
  it('is what the schema generates (run `npm run docs` when this fails)', () => {
    const committed = readFileSync(join(REPO, 'docs/config.md'), 'utf8');
    expect(committed === renderConfigDocs(), 'docs/config.md is stale: run `npm run docs`').toBe(true);
  });

  it('lists every leaf key of the schema, with a description', () => {
    const keys = configKeys(configSchema);
    const missing = keys.filter((k) => k.description === undefined && !UNDESCRIBED_ELSEWHERE.has(k.path)).map((k) => k.path);
    expect(missing, 'add a .describe() to these keys in src/config.ts').toEqual([]);
    const doc = renderConfigDocs();
    for (const k of keys) expect(doc).toContain(`| \`${k.path}\` |`);
  });

  it('shows the defaults parseConfig fills in', () => {
    const config = parseConfig({ source: 'x.csv', tuning: { plateau: true } }) as unknown as Record<string, unknown>; // plateau: off by default
    const at = (path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], config);
    const withDefault = configKeys(configSchema).filter((k) => k.presence === 'default' && !k.path.includes('[]') && !k.toggle);
    expect(withDefault.length).toBeGreaterThan(40);
    for (const k of withDefault) expect(at(k.path), k.path).toEqual(k.defaultValue);
  });

  it('gives every train flag a key of the schema', () => {
    const paths = new Set(configKeys(configSchema).map((k) => k.path));
    for (const f of TRAIN_FLAGS) for (const key of f.keys) expect(paths, f.flag).toContain(key);
  });
});

describe('configKeys', () => {
  it('reads a new key, its choices, default and description from the schema alone', () => {
    const schema = z.strictObject({
      engine: z.enum(['auto', 'dense', 'tfjs']).default('auto').describe('which engine trains the model'),
      batch: z.strictObject({ size: z.number().int().positive().default(32).describe('mini-batch size') }).prefault({}),
      ratio: z.number().min(0).lt(1).optional().describe('a fraction'),
    });
    expect(configKeys(schema)).toEqual([
      {
        path: 'engine',
        type: 'one of auto, dense, tfjs',
        choices: ['auto', 'dense', 'tfjs'],
        presence: 'default',
        defaultValue: 'auto',
        description: 'which engine trains the model',
      },
      { path: 'batch.size', type: 'integer > 0', presence: 'default', defaultValue: 32, description: 'mini-batch size' },
      { path: 'ratio', type: 'number in [0, 1)', presence: 'optional', description: 'a fraction' },
    ]);
  });

  it('lists the keys of a tuning policy under it, with the policy on or off by default', () => {
    const keys = new Map(configKeys(configSchema).map((k) => [k.path, k]));
    expect(keys.get('tuning.plateau')).toMatchObject({ toggle: true, defaultValue: false });
    expect(keys.get('tuning.drift')).toMatchObject({ toggle: true, defaultValue: {} });
    expect(keys.get('tuning.drift.factor')).toMatchObject({ presence: 'default', defaultValue: 3 });
    expect(parseConfig({ source: 'x', tuning: { drift: true } }).tuning.drift).toMatchObject({ factor: 3 });
  });
});
