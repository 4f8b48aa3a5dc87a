import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Appends one JSON object per line to a file (`--metrics-log`), synchronously.
 *
 * @example
 * const log = new MetricsLog('metrics.jsonl');
 * log.write({ records: 1000, window: {...} }); log.close();
 */
export class MetricsLog {
  private readonly fd: number;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
  }

  write(entry: object): void {
    writeSync(this.fd, JSON.stringify(entry) + '\n');
  }

  close(): void {
    closeSync(this.fd);
  }
}
