import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, ConfigError } from '../errors.js';
import type { Checkpoint } from './Checkpoint.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpointCodec.js';

/** Settings of {@link CheckpointStore}. */
export interface CheckpointStoreSettings {
  /** Directory of the checkpoint files (created on the first save). */
  readonly dir: string;
  /** How many of the newest checkpoints to keep (default 3). */
  readonly keep?: number;
}

/** One checkpoint file in the store. */
export interface CheckpointFileInfo {
  readonly path: string;
  readonly seq: number;
  readonly size: number;
  readonly mtime: Date;
}

/** What {@link CheckpointStore.loadLatest} found: the newest good checkpoint and the newer ones it had to skip. */
export interface LoadedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly path: string;
  /** Newer files that could not be read, with the reason (the caller should warn about them). */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

const FINAL = /^checkpoint-(\d+)\.json$/;
const TEMP = /^\.ckpt-\d+\.tmp$/;

/**
 * Durable, atomic checkpoint files in one directory: `checkpoint-<seq>.json`, newest = highest seq.
 * A save writes a temp file, fsyncs it, renames it into place and fsyncs the directory, so a crash
 * (kill -9, power loss) leaves either the old set or the new file complete, never a half-written
 * checkpoint under a final name. Each file carries a sha256 of its body, so a damaged one is skipped
 * for the previous good one. One writer per directory; saves of one store run one at a time.
 *
 * @example
 * const store = new CheckpointStore({ dir: 'state/elec2', keep: 3 });
 * const path = await store.save(checkpoint); // then commit the source offsets
 * const latest = await store.loadLatest();   // on restart
 * for (const s of latest?.skipped ?? []) log.warn(`skipped ${s.path}: ${s.reason}`);
 */
export class CheckpointStore {
  readonly dir: string;
  readonly keep: number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(settings: CheckpointStoreSettings) {
    const { dir, keep = 3 } = settings;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new ConfigError(`checkpoint "keep" must be an integer >= 1, got ${keep}`);
    }
    this.dir = dir;
    this.keep = keep;
  }

  /**
   * Writes `cp` atomically as the next checkpoint and deletes all but the newest `keep`; resolves
   * with its path once it is durable. I/O failures (unwritable directory, disk full) reject with a
   * retriable CheckpointError and leave the previous checkpoints as they were.
   */
  save(cp: Checkpoint): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = encodeCheckpoint(cp); // now, so later changes to `cp` cannot leak into this checkpoint
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const saved = this.#queue.then(() => this.#write(bytes));
    this.#queue = saved.catch(() => undefined); // one failed save must not block the next
    return saved;
  }

  /**
   * The newest readable checkpoint, skipping newer ones that are truncated, corrupt or of another
   * format; undefined when the directory holds no checkpoint. Throws a CheckpointError when there are
   * checkpoint files but none is readable (starting over would silently forget the learned state).
   */
  async loadLatest(): Promise<LoadedCheckpoint | undefined> {
    const files = (await this.#names('read')).finals.sort((a, b) => b.seq - a.seq);
    const skipped: Array<{ path: string; reason: string }> = [];
    for (const { path } of files) {
      try {
        return { checkpoint: decodeCheckpoint(await readFile(path)), path, skipped };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        skipped.push({ path, reason: code === 'ENOENT' ? 'removed while reading' : (error as Error).message });
      }
    }
    if (skipped.length === 0) return undefined;
    throw new CheckpointError(
      `no readable checkpoint in ${this.dir}: ${skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')}. ` +
        'Move the directory away to start training from scratch, or restore a good checkpoint file into it',
    );
  }

  /** The checkpoint files, oldest first (an absent directory has none). */
  async list(): Promise<CheckpointFileInfo[]> {
    const files = (await this.#names('read')).finals.sort((a, b) => a.seq - b.seq);
    const infos = await Promise.all(
      files.map(async ({ path, seq }) => {
        try {
          const s = await stat(path);
          return { path, seq, size: s.size, mtime: s.mtime };
        } catch {
          return undefined; // pruned meanwhile
        }
      }),
    );
    return infos.filter((info): info is CheckpointFileInfo => info !== undefined);
  }

  async #write(bytes: Buffer): Promise<string> {
    let tmp: string | undefined;
    try {
      await mkdir(this.dir, { recursive: true });
      const { finals, temps } = await this.#names('write');
      // Leftovers of a crash mid-write: never renamed, so never part of the durable state.
      await Promise.all(temps.map((name) => unlink(join(this.dir, name)).catch(() => undefined)));
      const seq = finals.reduce((max, f) => Math.max(max, f.seq), 0) + 1;
      tmp = join(this.dir, `.ckpt-${seq}.tmp`);
      const path = join(this.dir, `checkpoint-${String(seq).padStart(12, '0')}.json`);
      const file = await open(tmp, 'w', 0o644);
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
      tmp = undefined;
      await syncDir(this.dir);
      await this.#prune([...finals, { path, seq }]);
      return path;
    } catch (error) {
      if (tmp !== undefined) await unlink(tmp).catch(() => undefined);
      throw writeError(this.dir, error);
    }
  }

  /** Deletes all but the newest `keep`; a failure here is left for the next save to retry. */
  async #prune(finals: ReadonlyArray<{ path: string; seq: number }>): Promise<void> {
    const old = [...finals].sort((a, b) => b.seq - a.seq).slice(this.keep);
    await Promise.all(old.map(({ path }) => unlink(path).catch(() => undefined)));
  }

  async #names(purpose: 'read' | 'write'): Promise<{ finals: Array<{ path: string; seq: number }>; temps: string[] }> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (purpose === 'read' && (error as NodeJS.ErrnoException).code === 'ENOENT') return { finals: [], temps: [] };
      if (purpose === 'write') throw error;
      throw new CheckpointError(`cannot read checkpoint directory ${this.dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const finals = names.flatMap((name) => {
      const m = FINAL.exec(name);
      return m ? [{ path: join(this.dir, name), seq: Number(m[1]) }] : [];
    });
    return { finals, temps: names.filter((name) => TEMP.test(name)) };
  }
}

/** Makes a rename in `dir` durable (POSIX; Windows cannot open directories for fsync). */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function writeError(dir: string, error: unknown): CheckpointError {
  if (error instanceof CheckpointError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const advice =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full: free space there, lower checkpoint keep, or point the checkpoint directory at another disk'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'the directory is not writable: fix its permissions or choose another checkpoint directory'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a component of the path is a file, not a directory: choose another checkpoint directory'
          : 'check the directory and its disk';
  return new CheckpointError(
    `cannot write a checkpoint in ${dir}: ${(error as Error).message}; ${advice}. ` +
      'The previous checkpoint is still the latest; nothing after it is committed',
    { cause: error, retriable: true },
  );
}
