import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlError } from '../errors.js';

/**
 * Reads a request body of at most `maxBytes` and parses it as JSON; throws a {@link ControlError}
 * (field `body`) when it is too long or not JSON.
 *
 * @example
 * const body = await readJsonBody(req, 1_000_000);
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new ControlError(`the request body is longer than ${maxBytes} bytes`, { field: 'body' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ControlError('the request body is not JSON', { field: 'body' });
  }
}

/**
 * Sends `body` as a JSON response with `status`.
 *
 * @example
 * sendJson(res, 400, { error: 'bad', field: 'action' });
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n');
}
