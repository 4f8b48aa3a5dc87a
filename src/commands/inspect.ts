import { checkpointJson, formatCheckpoint } from '../checkpoint/inspect.js';
import { newestCheckpoint } from './newestCheckpoint.js';

/** `streamtune inspect DIR [--json]`: what the newest readable checkpoint holds, and which were skipped. */
export async function inspectCommand(
  dir: string,
  opts: { json?: boolean },
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const loaded = await newestCheckpoint(dir, io.stderr);
  const now = new Date();
  io.stdout.write(
    opts.json
      ? JSON.stringify({ ...checkpointJson(loaded.checkpoint, loaded.path, now), skipped: loaded.skipped }, null, 2) + '\n'
      : formatCheckpoint(loaded.checkpoint, loaded.path, now) + '\n',
  );
  return 0;
}
