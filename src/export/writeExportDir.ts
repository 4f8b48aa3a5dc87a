import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
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
  await refuseForeign(dir);
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${basename(dir)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(temp);
    for (const [name, data] of files) await writeDurably(join(temp, name), data);
    await syncDir(temp);
    if (existsSync(dir)) {
      const old = join(parent, `.${basename(dir)}.old-${randomBytes(4).toString('hex')}`);
      await rename(dir, old);
      await rename(temp, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(temp, dir);
    }
    await syncDir(parent);
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw new ModelError(`cannot write the export to ${dir}: ${(error as Error).message}; check the directory, its permissions and free space`, {
      cause: error,
    });
  }
  return info;
}

/** Writes a file and fsyncs it. */
export async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const file = await open(path, 'w', 0o644);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Makes renames in `dir` durable (POSIX; Windows cannot open directories for fsync). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** An existing `dir` is replaced only when it is empty or a previous export (it has export.json). */
async function refuseForeign(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const names = await readdir(dir).catch((error: unknown) => {
    throw new ModelError(`--out ${dir} exists and is not a readable directory: ${(error as Error).message}; choose another --out`);
  });
  if (names.length > 0 && !names.includes('export.json')) {
    throw new ModelError(`--out ${dir} holds other files (${names.slice(0, 3).join(', ')}); choose an empty or new directory, or one a previous export wrote`);
  }
}
