import { exportModelFromCheckpoint } from '../export/exportModelFromState.js';
import type { ExportFormat } from '../export/exportFormats.js';
import { writeExportDir } from '../export/writeExportDir.js';
import { selectBackend } from '../model/selectBackend.js';
import { newestCheckpoint } from './newestCheckpoint.js';

/** Options of `streamtune export`. */
export interface ExportOptions {
  readonly out: string;
  readonly format: ExportFormat;
  /** The trainer's standardize.clip, for a checkpoint written before checkpoints stored it. */
  readonly clip?: number;
}

/**
 * `streamtune export CHECKPOINT_DIR --out DIR [--format tfjs|onnx|both]`: writes the champion of
 * the newest readable checkpoint, with its standardization, into DIR (atomically); prints what it
 * wrote. Returns the exit code.
 *
 * @example
 * await exportCommand('state/elec2', { out: 'model', format: 'onnx' }, { stdout: process.stdout, stderr: process.stderr });
 */
export async function exportCommand(
  dir: string,
  opts: ExportOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const loaded = await newestCheckpoint(dir, io.stderr);
  const state = loaded.checkpoint.state as unknown as Record<string, unknown>;
  if (state.standardize === undefined && opts.clip === undefined) {
    io.stderr.write(
      `${loaded.path} does not say whether the trainer clipped standardized features (it predates that); exporting without a clip: pass --clip with the trainer's standardize.clip if it set one\n`,
    );
  }
  const model = exportModelFromCheckpoint(loaded.checkpoint, opts.clip === undefined ? undefined : { clip: opts.clip });
  await selectBackend(); // the TF.js writer builds the layers once (no computing: any backend writes the same)
  const info = await writeExportDir(model, opts.out, opts.format);
  io.stdout.write(
    `exported the ${model.task} model of ${loaded.path} (${model.records.toLocaleString('en-US')} records learned, version ${model.version}) ` +
      `to ${opts.out}: ${info.files.join(', ')}\n`,
  );
  return 0;
}
