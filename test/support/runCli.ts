import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (the build global setup compiles it before any test runs). */
export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves with the exit code and everything printed. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves with the /metrics base URL once the CLI has logged it. */
  readonly metricsUrl: Promise<string>;
  stderrSoFar(): string;
}

/** Runs `streamtune <args>` as a real process, as a user would. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let announce: (url: string) => void = () => undefined;
  const metricsUrl = new Promise<string>((resolve) => (announce = resolve));
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    const m = /metrics on (http:\/\/[^/\s"]+)\/metrics/.exec(stderr);
    if (m?.[1]) announce(m[1]);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, metricsUrl, stderrSoFar: () => stderr };
}
