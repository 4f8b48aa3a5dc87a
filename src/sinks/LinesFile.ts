import { closeSync, existsSync, fstatSync, mkdirSync, openSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SourceError } from '../errors.js';

/**
 * A file of lines appended synchronously (nothing is lost if the process dies), created on the
 * first write, whose length a checkpoint stores: a resumed run cuts it back there, so the records
 * read again after a crash are not written twice. The dead-letter and predictions files are this.
 *
 * @example
 * const file = new LinesFile('dead-letter.jsonl', '--dead-letter');
 * file.append(['{"reason":"non_finite"}']);
 * const state = file.snapshot(); // { bytes } into the checkpoint; file.restore(state) on resume
 */
export class LinesFile {
  #fd: number | undefined;
  #written = 0;

  /** `flag` names the option that sets `path`, for the error when it cannot be opened. */
  constructor(
    readonly path: string,
    private readonly flag: string,
  ) {}

  /** Lines written by this run. */
  get count(): number {
    return this.#written;
  }

  /** Appends the lines (each without its newline) in one write. */
  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.#fd ??= this.#open();
    writeSync(this.#fd, lines.join('\n') + '\n');
    this.#written += lines.length;
  }

  /** Bytes in the file now: a checkpoint stores it. */
  snapshot(): { bytes: number } {
    if (this.#fd !== undefined) return { bytes: fstatSync(this.#fd).size };
    return { bytes: existsSync(this.path) ? statSync(this.path).size : 0 };
  }

  /** Cuts the file back to what the checkpoint covered. */
  restore(state: { bytes: number }): void {
    if (existsSync(this.path) && statSync(this.path).size > state.bytes) truncateSync(this.path, state.bytes);
  }

  /** Writes are synchronous: nothing to wait for (the same surface as the topic writers). */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(): number {
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      return openSync(this.path, 'a');
    } catch (cause) {
      throw new SourceError(`cannot open ${this.path}: ${(cause as Error).message}; pass ${this.flag} with a writable path`, { cause });
    }
  }
}
