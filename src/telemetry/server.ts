import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ConfigError } from '../errors.js';

export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/metrics` (Prometheus text format) and `/healthz` from a registry, and whatever
 * `handle` answers (the control API, when a token is configured).
 * Port 0 picks a free port; the returned `port` tells which.
 *
 * @example
 * const server = await serveMetrics(telemetry.registry, { host: '127.0.0.1', port: 9464 });
 * console.log(`metrics on ${server.url}/metrics`);
 */
export async function serveMetrics(
  registry: Registry,
  options: {
    host: string;
    port: number;
    health?: () => { ok: boolean; detail?: string };
    /** More routes (the control API's /status, /control, /alerts): returns true when it answered the request. */
    handle?: (req: IncomingMessage, res: ServerResponse) => boolean;
  },
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (options.handle?.(req, res)) return;
    if (path === '/metrics') {
      registry
        .metrics()
        .then((text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(text);
        })
        .catch((err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`metrics collection failed: ${String(err)}\n`);
        });
    } else if (path === '/healthz') {
      const health = options.health?.() ?? { ok: true };
      res.writeHead(health.ok ? 200 : 503, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ status: health.ok ? 'ok' : 'unhealthy', detail: health.detail }) + '\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found: try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'EADDRINUSE'
          ? `port ${options.port} is in use; pass --metrics-port with a free port, or 0 to pick one`
          : err.message;
      reject(new ConfigError(`cannot serve metrics on ${options.host}:${options.port}: ${hint}`, { cause: err }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
