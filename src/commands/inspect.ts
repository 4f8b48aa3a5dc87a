import { existsSync } from 'node:fs';
import { CheckpointStore } from '../checkpoint/CheckpointStore.js';
import { checkpointJson, formatCheckpoint } from '../checkpoint/inspect.js';
import { CheckpointError } from '../errors.js';

/** `streamtune inspect DIR [--json]`: what the newest readable checkpoint holds, and which were skipped. */
export async function inspectCommand(
  dir: string,
  opts: { json?: boolean },
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  if (!existsSync(dir)) throw new CheckpointError(`no checkpoint directory at ${dir}; pass the trainer's --checkpoint-dir`);
  const loaded = await new CheckpointStore({ dir }).loadLatest();
  if (!loaded) throw new CheckpointError(`no checkpoint in ${dir} yet; the trainer writes one every --checkpoint-every records or seconds`);
  for (const s of loaded.skipped) io.stderr.write(`skipped unreadable ${s.path}: ${s.reason}\n`);
  const now = new Date();
  io.stdout.write(
    opts.json
      ? JSON.stringify({ ...checkpointJson(loaded.checkpoint, loaded.path, now), skipped: loaded.skipped }, null, 2) + '\n'
      : formatCheckpoint(loaded.checkpoint, loaded.path, now) + '\n',
  );
  return 0;
}
