import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ModelError } from '../errors.js';
import type { ExportFormat } from './exportFormats.js';
import type { ExportModel } from './ExportModel.js';
import { encodeOnnxModel } from './onnx/buildOnnxModel.js';
import { TFJS_WEIGHTS_FILE, tfjsArtifacts } from './tfjs/tfjsArtifacts.js';


/** What `export.json` of an exported directory says. */
export interface ExportInfo {
  readonly format: ExportFormat;
  readonly task: ExportModel['task'];
  readonly features: readonly string[];
  readonly label: string;
  /** Adam updates applied to the weights. */
  readonly version: number;
  readonly records: number;
  readonly createdAt: string;
  readonly files: readonly string[];
}

/**
 * Writes an exported model into `dir` atomically: the files go into a temp directory beside it,
 * each fsynced, which is then renamed to `dir` (a previous export there is swapped out and
 * removed), so a reader sees the old directory or the complete new one, never a half-written one.
 * tfjs: `model.json` + `weights.bin`; onnx: `model.onnx`; always `preprocessing.json` and `export.json`.
 *
 * @example
 * await writeExportDir(model, 'exports/elec2', 'both'); // ['model.json', 'weights.bin', 'model.onnx', 'preprocessing.json', 'export.json']
 */
export async function writeExportDir(model: ExportModel, dir: string, format: ExportFormat): Promise<ExportInfo> {
  const files = new Map<string, Uint8Array | string>();
  if (format === 'tfjs' || format === 'both') {
    const { modelJson, weights } = await tfjsArtifacts(model);
    files.set('model.json', JSON.stringify(modelJson));
    files.set(TFJS_WEIGHTS_FILE, weights);
  }
  if (format === 'onnx' || format === 'both') files.set('model.onnx', encodeOnnxModel(model));
  files.set('preprocessing.json', JSON.stringify(model.preprocessing, null, 2) + '\n');
  const info: ExportInfo = {
    format,
    task: model.task,
    features: model.preprocessing.features,
    label: model.preprocessing.label.name,
    version: model.version,
    records: model.records,
    createdAt: new Date().toISOString(),
    files: [...files.keys(), 'export.json'],
  };
  files.set('export.json', JSON.stringify(info, null, 2) + '\n');
  // The files are written with synchronous calls: an export inside a busy trainer finishes in one
  // turn of the event loop (a few ms) instead of waiting behind the pipeline between its awaits.
  refuseForeign(dir);
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const temp = join(parent, `.${basename(dir)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(temp);
    for (const [name, data] of files) writeDurably(join(temp, name), data);
    syncDir(temp);
    if (existsSync(dir)) {
      const old = join(parent, `.${basename(dir)}.old-${randomBytes(4).toString('hex')}`);
      renameSync(dir, old);
      renameSync(temp, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(temp, dir);
    }
    syncDir(parent);
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw new ModelError(`cannot write the export to ${dir}: ${(error as Error).message}; check the directory, its permissions and free space`, {
      cause: error,
    });
  }
  return info;
}

/** Writes a file and fsyncs it. */
export function writeDurably(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, 'w', 0o644);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes renames in `dir` durable (POSIX; Windows cannot open directories for fsync). */
export function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** An existing `dir` is replaced only when it is empty or a previous export (it has export.json). */
function refuseForeign(dir: string): void {
  if (!existsSync(dir)) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new ModelError(`--out ${dir} exists and is not a readable directory: ${(error as Error).message}; choose another --out`);
  }
  if (names.length > 0 && !names.includes('export.json')) {
    throw new ModelError(`--out ${dir} holds other files (${names.slice(0, 3).join(', ')}); choose an empty or new directory, or one a previous export wrote`);
  }
}
