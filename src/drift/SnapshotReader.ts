import { CheckpointError } from '../errors.js';

/**
 * Reads the fields of a detector snapshot, checking each one's type: a missing or wrong field
 * throws a {@link CheckpointError} that names the detector, the field and what was expected.
 *
 * @example
 * const read = new SnapshotReader('PageHinkley', json);
 * const n = read.count('n');
 * const sum = read.number('sumIncrease');
 */
export class SnapshotReader {
  readonly #owner: string;
  readonly #fields: Readonly<Record<string, unknown>>;

  constructor(owner: string, snapshot: unknown) {
    this.#owner = owner;
    if (typeof snapshot !== 'object' || snapshot === null || Array.isArray(snapshot)) {
      throw this.#error('the snapshot', 'an object', snapshot);
    }
    this.#fields = snapshot as Record<string, unknown>;
  }

  /** A finite number. */
  number(key: string): number {
    const v = this.#fields[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.#error(key, 'a finite number', v);
    return v;
  }

  /** A finite number, or null (stored for a value not set yet). */
  numberOrNull(key: string): number | null {
    return this.#fields[key] === null ? null : this.number(key);
  }

  /** An integer >= 0. */
  count(key: string): number {
    const v = this.#fields[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw this.#error(key, 'an integer >= 0', v);
    return v;
  }

  /** A boolean. */
  boolean(key: string): boolean {
    const v = this.#fields[key];
    if (typeof v !== 'boolean') throw this.#error(key, 'a boolean', v);
    return v;
  }

  /** An array of finite numbers, of length `length` when given. */
  numbers(key: string, length?: number): number[] {
    const v = this.#fields[key];
    if (
      !Array.isArray(v) ||
      (length !== undefined && v.length !== length) ||
      !v.every((e) => typeof e === 'number' && Number.isFinite(e))
    ) {
      throw this.#error(key, `an array of ${length ?? 'any number of'} finite numbers`, v);
    }
    return v as number[];
  }

  /** A field as stored, for a reader that checks it itself (e.g. `PythonRandom.setState`). */
  raw(key: string): unknown {
    return this.#fields[key];
  }

  /** An array of snapshots, each read by its own reader. */
  list(key: string): SnapshotReader[] {
    const v = this.#fields[key];
    if (!Array.isArray(v)) throw this.#error(key, 'an array', v);
    return v.map((e, i) => new SnapshotReader(`${this.#owner} ${key}[${i}]`, e));
  }

  /** Fails with a CheckpointError that names the field, unless `ok`. */
  check(ok: boolean, what: string): void {
    if (!ok) throw new CheckpointError(`${this.#owner}.restore: ${what}; the checkpoint is corrupt or from another detector`);
  }

  #error(key: string, expected: string, got: unknown): CheckpointError {
    const shown = JSON.stringify(got)?.slice(0, 80) ?? String(got);
    return new CheckpointError(
      `${this.#owner}.restore: field "${key}" must be ${expected}, got ${shown}; ` +
        'the checkpoint is corrupt or from another detector',
    );
  }
}
