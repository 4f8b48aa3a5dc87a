import { closeSync, existsSync, fstatSync, mkdirSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SourceError } from '../errors.js';

/**
 * The predictions file: JSON Lines appended synchronously, one write per block (so nothing is lost
 * if the process dies). Like the dead-letter file, a checkpoint stores its length and a resumed
 * run cuts it back there, so the records read again after a crash are not written twice.
 *
 * @example
 * const file = new PredictionsFile('predictions.jsonl');
 * file.write(['{"position":"a.csv:2","prediction":1}']);
 * file.close();
 */
export class PredictionsFile {
  #fd: number | undefined;
  #written = 0;

  constructor(readonly path: string) {}

  /** Lines written by this run. */
  get count(): number {
    return this.#written;
  }

  /** Appends the lines (each without its newline). */
  write(lines: readonly string[]): void {
    if (lines.length === 0) return;
    if (this.#fd === undefined) {
      try {
        mkdirSync(dirname(this.path), { recursive: true });
        this.#fd = openSync(this.path, 'a');
      } catch (cause) {
        throw new SourceError(`cannot open predictions file ${this.path}: ${(cause as Error).message}; pass --predictions with a writable path`, { cause });
      }
    }
    writeSync(this.#fd, lines.join('\n') + '\n');
    this.#written += lines.length;
  }

  /** Bytes in the file now: a checkpoint stores it. */
  snapshot(): { bytes: number } {
    if (this.#fd !== undefined) return { bytes: fstatSync(this.#fd).size };
    return { bytes: existsSync(this.path) ? statSync(this.path).size : 0 };
  }

  /** Cuts the file back to what the checkpoint covered (the records after it are scored and written again). */
  restore(state: { bytes: number }): void {
    if (existsSync(this.path) && statSync(this.path).size > state.bytes) truncateSync(this.path, state.bytes);
  }

  /** Writes are synchronous: nothing to wait for. */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
