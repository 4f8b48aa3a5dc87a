import { readFile } from 'node:fs/promises';
import type { CheckpointStore } from '../checkpoint/CheckpointStore.js';
import { decodeCheckpoint } from '../checkpoint/checkpointCodec.js';
import { ControlError } from '../errors.js';
import type { RollbackTarget } from './LiveRun.js';

/**
 * The newest readable checkpoint of `store` taken at or before `beforeRecords` records and at or
 * before `beforeTime` (ISO); with neither, the newest. Unreadable files are passed over. Throws a
 * {@link ControlError} naming the field when none qualifies (saying which checkpoints there are).
 *
 * @example
 * const target = await findRollbackTarget(store, { beforeRecords: 20_000 });
 * target.checkpoint.records.total; // <= 20000
 */
export async function findRollbackTarget(
  store: Pick<CheckpointStore, 'list' | 'dir'>,
  before: { readonly beforeRecords?: number; readonly beforeTime?: string },
): Promise<RollbackTarget> {
  const files = (await store.list()).sort((a, b) => b.seq - a.seq);
  const seen: string[] = [];
  const limit = before.beforeTime === undefined ? Infinity : Date.parse(before.beforeTime);
  for (const { path } of files) {
    let checkpoint;
    try {
      checkpoint = decodeCheckpoint(await readFile(path));
    } catch {
      continue; // pruned meanwhile, or damaged: an older one may do
    }
    const records = checkpoint.records.total;
    seen.push(`${records} records at ${checkpoint.createdAt}`);
    if (before.beforeRecords !== undefined && records > before.beforeRecords) continue;
    if (Date.parse(checkpoint.createdAt) > limit) continue;
    return { checkpoint, path };
  }
  const field = before.beforeRecords !== undefined ? 'beforeRecords' : before.beforeTime !== undefined ? 'beforeTime' : 'action';
  const have = seen.length > 0 ? `the checkpoints in ${store.dir} are: ${seen.join('; ')}` : `${store.dir} holds no readable checkpoint`;
  throw new ControlError(`no checkpoint to roll back to ${describe(before)}: ${have}`, { field });
}

function describe(before: { readonly beforeRecords?: number; readonly beforeTime?: string }): string {
  const parts = [
    ...(before.beforeRecords !== undefined ? [`at or before ${before.beforeRecords} records`] : []),
    ...(before.beforeTime !== undefined ? [`at or before ${before.beforeTime}`] : []),
  ];
  return parts.length > 0 ? parts.join(' and ') : '(none was found)';
}
