import { closeSync, existsSync, fstatSync, mkdirSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SourceError } from '../errors.js';
import type { Rejected } from '../types.js';

/**
 * A dead-letter sink: one JSON line per rejected record (time, reason, detail, source position,
 * raw text), appended synchronously so nothing is lost if the process dies. The file is created
 * on the first rejection only.
 *
 * @example
 * const dead = new DeadLetterFile('dead-letter.jsonl');
 * dead.write(rejected); dead.close();
 */
export class DeadLetterFile {
  private fd: number | undefined;
  private written = 0;

  constructor(readonly path: string) {}

  get count(): number {
    return this.written;
  }

  write(record: Rejected): void {
    if (this.fd === undefined) {
      try {
        mkdirSync(dirname(this.path), { recursive: true });
        this.fd = openSync(this.path, 'a');
      } catch (cause) {
        throw new SourceError(
          `cannot open dead-letter file ${this.path}: ${(cause as Error).message}; pass --dead-letter with a writable path`,
          { cause },
        );
      }
    }
    const line = {
      time: new Date().toISOString(),
      reason: record.reason,
      detail: record.detail,
      position: record.position,
      index: record.index,
      ...(record.key === undefined ? {} : { key: record.key }),
      raw: record.raw,
    };
    writeSync(this.fd, JSON.stringify(line) + '\n');
    this.written++;
  }

  /** Bytes in the file now: a checkpoint stores it so a resumed run does not write the same rejects twice. */
  snapshot(): { bytes: number } {
    if (this.fd !== undefined) return { bytes: fstatSync(this.fd).size };
    return { bytes: existsSync(this.path) ? statSync(this.path).size : 0 };
  }

  /** Cuts the file back to what the checkpoint covered (the records after it will be read and rejected again). */
  restore(state: { bytes: number }): void {
    if (existsSync(this.path) && statSync(this.path).size > state.bytes) truncateSync(this.path, state.bytes);
  }

  /** Writes are synchronous: nothing to wait for (the same surface as the dead-letter topic). */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
