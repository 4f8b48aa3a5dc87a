import { existsSync } from 'node:fs';
import { CheckpointStore, type LoadedCheckpoint } from '../checkpoint/CheckpointStore.js';
import { CheckpointError } from '../errors.js';

/**
 * The newest readable checkpoint of a trainer's `--checkpoint-dir`, for the commands that read
 * one (inspect, export): an error naming the directory when there is none, and a line on
 * `stderr` for each newer one skipped as unreadable.
 *
 * @example
 * const loaded = await newestCheckpoint('state/elec2', process.stderr);
 */
export async function newestCheckpoint(dir: string, stderr: NodeJS.WritableStream): Promise<LoadedCheckpoint> {
  if (!existsSync(dir)) throw new CheckpointError(`no checkpoint directory at ${dir}; pass the trainer's --checkpoint-dir`);
  const loaded = await new CheckpointStore({ dir }).loadLatest();
  if (!loaded) throw new CheckpointError(`no checkpoint in ${dir} yet; the trainer writes one every --checkpoint-every records or seconds`);
  for (const s of loaded.skipped) stderr.write(`skipped unreadable ${s.path}: ${s.reason}\n`);
  return loaded;
}
