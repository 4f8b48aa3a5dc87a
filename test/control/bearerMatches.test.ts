import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/control/bearerMatches.js';
import { controlToken } from '../../src/control/controlToken.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOKEN = 'b2c1f0e9d8c7b6a5f4e3d2c1';

describe('bearerMatches', () => {
  it('accepts exactly "Bearer TOKEN" (scheme in any case)', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it('refuses a missing header, another scheme, another token, a prefix or an extension of it', () => {
    for (const header of [undefined, '', TOKEN, `Basic ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Bearer x${TOKEN}`, 'Bearer ', `Bearer ${TOKEN} extra`]) {
      expect(bearerMatches(header, TOKEN), String(header)).toBe(false);
    }
  });

  it('refuses the empty token even against an empty bearer value', () => {
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});

describe('controlToken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamtune-token-'));

  it('is off without the variable and the file; the variable wins over the file', () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${TOKEN}-file\n`);
    expect(controlToken({}, undefined)).toBeUndefined();
    expect(controlToken({}, file)).toBe(`${TOKEN}-file`);
    expect(controlToken({ STREAMTUNE_CONTROL_TOKEN: TOKEN }, file)).toBe(TOKEN);
  });

  it('refuses a short token and an unreadable file without printing the token', () => {
    const file = join(dir, 'short');
    writeFileSync(file, 'secret-abc\n');
    expect(() => controlToken({}, file)).toThrow(/10 characters; use at least 16/);
    try {
      controlToken({}, file);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-abc');
    }
    expect(() => controlToken({}, join(dir, 'missing'))).toThrow(/cannot read the control token file .*missing.*ENOENT/);
  });
});
