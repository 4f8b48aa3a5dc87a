import { describe, expect, it } from 'vitest';
import { Resources } from '../../src/training/Resources.js';

describe('Resources', () => {
  it('releases newest first, each once, and goes on past a failure (logged)', async () => {
    const warnings: string[] = [];
    const released: string[] = [];
    const resources = new Resources({ warn: (_o: unknown, message?: string) => void warnings.push(message ?? '') });
    const a = resources.add('a', (x) => released.push(x));
    resources.add('b', () => {
      throw new Error('socket already closed');
    });
    resources.add('c', async (x) => void released.push(x));
    expect(a).toBe('a');
    await resources.release();
    await resources.release();
    expect(released).toEqual(['c', 'a']);
    expect(warnings).toEqual(['while shutting down: socket already closed']);
  });
});
