import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config.js';
import { REPO } from '../support/builtCli.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

describe('README', () => {
  it('has a table of contents naming every section, in order', () => {
    const sections = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]).filter((t) => t !== 'Contents');
    const toc = README.slice(README.indexOf('## Contents'), README.indexOf('## Quick start'));
    const listed = [...toc.matchAll(/^- \[([^\]]+)\]\(#([\w-]+)\)/gm)];
    expect(listed.map((m) => m[1])).toEqual(sections);
    for (const m of listed) expect(m[2]).toBe(m[1]?.toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s+/g, '-'));
  });

  it('links the reference pages, which exist', () => {
    for (const page of ['docs/config.md', 'docs/metrics.md', 'docs/cli.md']) {
      expect(README).toContain(`](${page})`);
      expect(existsSync(join(REPO, page)), page).toBe(true);
    }
    expect(README).toContain('](docs/architecture.md)');
  });

  it('shows a config file example that is a valid configuration', () => {
    const blocks = [...README.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(() => parseConfig(parse(block))).not.toThrow();
  });
});
