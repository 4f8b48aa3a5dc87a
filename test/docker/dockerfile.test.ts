import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/prometheus.js';
import { cliHelp, helpFlags } from './cliHelp.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DOCKERFILE = join(REPO, 'docker/Dockerfile');

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name: string;
  readonly instructions: Instruction[];
}

/** Instructions of a Dockerfile (comments dropped, `\` continuations joined), split into stages. */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = (m[1] as string).toUpperCase();
    const rest = (m[2] as string).trim();
    if (op === 'ARG' && stages.length === 0) {
      const [key = '', value = ''] = rest.split('=');
      args.set(key, value);
    } else if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      const image = (f?.[1] ?? '').replace(/\$\{(\w+)\}/g, (_, k: string) => args.get(k) ?? '');
      stages.push({ from: image, name: f?.[2] ?? String(stages.length), instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op, args: rest });
    }
  }
  return { args, stages };
}

const { stages } = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
const stage = (name: string): Stage => {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`docker/Dockerfile has no stage "${name}"`);
  return s;
};
const runtime = stages.at(-1) as Stage;
const all = (s: Stage, op: string): string[] => s.instructions.filter((i) => i.op === op).map((i) => i.args);
const one = (s: Stage, op: string): string => {
  const found = all(s, op);
  expect(found, `${op} in stage ${s.name}`).toHaveLength(1);
  return found[0] as string;
};
const json = (args: string): string[] => JSON.parse(args) as string[];

describe('docker/Dockerfile', () => {
  it('has a build, a production-dependencies and a runtime stage, all on node:20-bookworm-slim', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    for (const s of stages) expect(s.from, s.name).toBe('node:20-bookworm-slim');
  });

  it('builds with npm ci and npm run build, and installs production dependencies with npm ci --omit=dev', () => {
    const build = all(stage('build'), 'RUN');
    expect(build.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit'))).toBe(true);
    expect(build).toContain('npm run build');
    expect(all(stage('deps'), 'RUN').some((r) => /^npm ci --omit=dev\b/.test(r))).toBe(true);
  });

  it('copies into the build everything tsconfig.json compiles, and only files that exist', () => {
    const tsconfig = JSON.parse(readFileSync(join(REPO, 'tsconfig.json'), 'utf8')) as { include: string[] };
    const copied = all(stage('build'), 'COPY')
      .filter((c) => !c.startsWith('--from'))
      .flatMap((c) => c.split(/\s+/).slice(0, -1));
    for (const source of copied) expect(existsSync(join(REPO, source)), source).toBe(true);
    for (const pattern of tsconfig.include) expect(copied, pattern).toContain(pattern.split('/')[0]);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.json']));
  });

  it('ships the compiled code, the production node_modules and the embedded data in the runtime', () => {
    const copies = all(runtime, 'COPY');
    expect(copies).toContain('--from=deps /src/node_modules ./node_modules');
    expect(copies).toContain('--from=build /src/dist ./dist');
    expect(copies).toContain('data ./data');
    expect(copies).toContain('package.json ./'); // the embedded Elec2 path is found from package.json
    expect(existsSync(join(REPO, 'data/elec2.csv'))).toBe(true);
  });

  it('runs as the non-root user node, with /data writable by it', () => {
    const user = one(runtime, 'USER');
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user).toBe('node');
    const userAt = runtime.instructions.findIndex((i) => i.op === 'USER');
    const chown = runtime.instructions.findIndex((i) => i.op === 'RUN' && i.args.includes('chown -R node:node /data'));
    expect(chown).toBeGreaterThanOrEqual(0);
    expect(chown).toBeLessThan(userAt);
    expect(runtime.instructions.find((i) => i.op === 'ENV')?.args).toContain('STREAMTUNE_DEAD_LETTER=/data/');
  });

  it('exposes the metrics port and starts the CLI, training with metrics on all interfaces by default', async () => {
    expect(one(runtime, 'EXPOSE')).toBe('9464');
    expect(json(one(runtime, 'ENTRYPOINT'))).toEqual(['node', 'dist/src/cli.js']);
    const cmd = json(one(runtime, 'CMD'));
    expect(cmd).toEqual(['train', '--metrics-host', '0.0.0.0']);
    const flags = helpFlags(cliHelp('train'));
    for (const flag of cmd.filter((a) => a.startsWith('--'))) expect(flags.has(flag), flag).toBe(true);
  }, 120_000);

  it('keeps node_modules and dist out of the build context', () => {
    const ignore = readFileSync(join(REPO, 'docker/Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git']));
  });
});

describe('docker/Dockerfile HEALTHCHECK', () => {
  let command: string[];
  beforeAll(() => {
    const healthcheck = one(runtime, 'HEALTHCHECK');
    const m = /^(.*?)\bCMD\s+(\[.*\])$/.exec(healthcheck);
    expect(m?.[1]).toMatch(/--interval=\S+/);
    command = json(m?.[2] ?? '[]');
  });

  /** Runs the health check command (node, as in the image) against a port; resolves with its exit code. */
  const check = (port: number): Promise<number | null> => {
    expect(command[0]).toBe('node'); // slim images have no curl
    return new Promise((resolve) => {
      const child = spawn(process.execPath, command.slice(1), {
        env: { ...process.env, STREAMTUNE_METRICS_PORT: String(port) },
        stdio: 'ignore',
      });
      child.once('close', (code) => resolve(code));
    });
  };

  /** Serves /healthz with `status` on a free loopback port while `body` runs. */
  async function serving<T>(status: number, body: (port: number) => Promise<T>): Promise<T> {
    const server: Server = createServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? status : 404);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      return await body((server.address() as AddressInfo).port);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  it('passes when /healthz answers 200, fails on 503 and when nothing listens', async () => {
    expect(await serving(200, check)).toBe(0);
    expect(await serving(503, check)).toBe(1);
    expect(await check(await freePort())).toBe(1);
  });
});
