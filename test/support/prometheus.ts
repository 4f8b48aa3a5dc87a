import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Prometheus-project daemon (Prometheus or Alertmanager) owned by a test. */
export interface Daemon {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** `host:port` it listens on. */
  readonly address: string;
  /** Its temporary folder (config and storage); removed by `stop()`. */
  readonly dir: string;
  /** Everything it logged so far. */
  log(): string;
  /** Stops it (SIGTERM, SIGKILL after 10 s) and removes its folder; safe to call more than once. */
  stop(): Promise<void>;
}

/** Settings of {@link startPrometheus}. */
export interface PrometheusOptions {
  /** The prometheus.yml text, or a function of the listen address (`127.0.0.1:PORT`) returning it. */
  readonly config: string | ((address: string) => string);
  /** `127.0.0.1:PORT` to listen on (default: a free port). */
  readonly listenAddress?: string;
  /** The binary (default `$PROMETHEUS_BIN` or `prometheus` from PATH, Debian's `/usr/bin/prometheus`). */
  readonly bin?: string;
}

/** Settings of {@link startAlertmanager}. */
export interface AlertmanagerOptions {
  /** The alertmanager.yml text. */
  readonly config: string;
  /** The binary (default `$ALERTMANAGER_BIN` or `prometheus-alertmanager` from PATH, as Debian names it). */
  readonly bin?: string;
}

const readyTimeoutMs = 30_000;
const stopTimeoutMs = 10_000;

/**
 * Starts a real Prometheus on a free loopback port with a temporary TSDB, and waits until it is ready.
 *
 * @example
 * const prom = await startPrometheus({ config: (self) => `scrape_configs: [{job_name: p, static_configs: [{targets: ['${self}']}]}]` });
 * const result = await instantQuery(prom.url, 'up');
 * await prom.stop();
 */
export async function startPrometheus(options: PrometheusOptions): Promise<Daemon> {
  const dir = await mkdtemp(join(tmpdir(), 'streamtune-prometheus-'));
  const address = options.listenAddress ?? `127.0.0.1:${await freePort()}`;
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, typeof options.config === 'string' ? options.config : options.config(address));
  const bin = options.bin ?? process.env.PROMETHEUS_BIN ?? 'prometheus';
  return startDaemon(bin, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    '--log.level=warn',
  ], dir, address);
}

/**
 * Starts a real Alertmanager on a free loopback port (clustering off), and waits until it is ready.
 *
 * @example
 * const am = await startAlertmanager({ config: 'route: {receiver: r}\nreceivers: [{name: r}]\n' });
 * await am.stop();
 */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<Daemon> {
  const dir = await mkdtemp(join(tmpdir(), 'streamtune-alertmanager-'));
  const address = `127.0.0.1:${await freePort()}`;
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, options.config);
  const bin = options.bin ?? process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager';
  return startDaemon(bin, [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    '--cluster.listen-address=', // no gossip port: nothing listens beyond the one loopback port
    '--log.level=warn',
  ], dir, address);
}

/** One sample of an instant vector from the HTTP API. */
export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/**
 * Evaluates PromQL at the current time through `/api/v1/query`; throws on a query error.
 *
 * @example
 * const up = await instantQuery(prom.url, 'up{job="streamtune"}'); // [{ metric: {...}, value: [t, '1'] }]
 */
export async function instantQuery(url: string, expr: string): Promise<Sample[]> {
  const body = await apiGet(url, '/api/v1/query', { query: expr });
  const data = body as { resultType: string; result: unknown };
  if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
  if (data.resultType !== 'vector') throw new Error(`query ${expr} returned a ${data.resultType}, not an instant vector`);
  return data.result as Sample[];
}

/** Series of a range query (`/api/v1/query_range`) from `start` to now, in seconds since the epoch. */
export async function rangeQuery(
  url: string,
  expr: string,
  start: number,
  stepSeconds: number,
): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
  const end = Date.now() / 1000;
  const data = (await apiGet(url, '/api/v1/query_range', {
    query: expr,
    start: String(start),
    end: String(end),
    step: String(stepSeconds),
  })) as { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  return data.result;
}

/** GETs a Prometheus or Alertmanager v1-style API path and returns `data`; throws with the error text. */
export async function apiGet(url: string, path: string, params: Record<string, string> = {}): Promise<unknown> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${url}${path}${query ? `?${query}` : ''}`);
  const body = (await response.json()) as { status: string; data?: unknown; error?: string };
  if (!response.ok || body.status !== 'success') {
    throw new Error(`${path} ${JSON.stringify(params)}: HTTP ${response.status} ${body.error ?? ''}`);
  }
  return body.data;
}

async function startDaemon(bin: string, args: string[], dir: string, address: string): Promise<Daemon> {
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const url = `http://${address}`;
  let stopping: Promise<void> | undefined;
  const daemon: Daemon = {
    url,
    address,
    dir,
    log: () => log,
    stop() {
      stopping ??= (async () => {
        await terminate(child, exited);
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  const ready = await Promise.race([
    waitReady(`${url}/-/ready`, readyTimeoutMs).then(
      () => null,
      (error: Error) => new Error(`${error.message}; its log:\n${log}`),
    ),
    spawnError.then((error) => new Error(`cannot run ${bin}: ${error.message}; install it (Debian: apt-get install prometheus prometheus-alertmanager)`)),
    exited.then(() => new Error(`${bin} exited during start-up:\n${log}`)),
  ]);
  if (ready !== null) {
    await daemon.stop();
    throw ready;
  }
  return daemon;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not ready within ${timeoutMs / 1000} s`);
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}

/** A port the OS reports free on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
