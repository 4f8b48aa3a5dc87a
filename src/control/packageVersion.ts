import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The version of the streamtune package this code belongs to (from the nearest package.json named
 * streamtune above this file, in src/ or in dist/), or "unknown".
 *
 * @example
 * packageVersion(); // '0.1.0'
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'streamtune' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here: look one level up
    }
  }
  return (cached = 'unknown');
}
