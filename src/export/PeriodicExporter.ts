import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExportFormat } from './exportFormats.js';
import type { ExportModel } from './ExportModel.js';
import { syncDir, writeDurably, writeExportDir } from './writeExportDir.js';

/** Settings of {@link PeriodicExporter} (the `export` config section). */
export interface PeriodicExportSettings {
  readonly dir: string;
  readonly everyRecords: number;
  readonly format: ExportFormat;
  readonly keep: number;
}

const VERSION = /^v(\d+)$/;

/**
 * Exports the model every `everyRecords` records while training, for services that hot-reload it:
 * each export is a directory `v<seq>` (12 digits) written atomically, then the file `latest` is
 * replaced atomically (temp file, fsync, rename) with that name, then all but the newest `keep`
 * versions are deleted. A reader reads `latest` and loads the directory it names. Exports run one
 * at a time in the background; a failed one is reported to `onError` and training goes on.
 *
 * @example
 * const exporter = new PeriodicExporter({ dir: 'exports', everyRecords: 10_000, format: 'both', keep: 3 }, () => currentModel(), onError);
 * exporter.maybe(counts.total); // after each batch
 * await exporter.final(counts.total);
 */
export class PeriodicExporter {
  /** Exports written by this exporter. */
  written = 0;
  #last: number;
  #busy: Promise<void> | undefined;
  #next: number | undefined;

  constructor(
    readonly settings: PeriodicExportSettings,
    private readonly model: () => ExportModel,
    private readonly onError: (error: unknown) => void,
    startRecords = 0,
    private readonly onWritten: (name: string, model: ExportModel) => void = () => undefined,
  ) {
    this.#last = startRecords;
  }

  /** Starts an export when `everyRecords` records went by since the last one and none is running. */
  maybe(total: number): void {
    if (this.#busy !== undefined || total - this.#last < this.settings.everyRecords) return;
    this.#start(total);
  }

  /** Waits for a running export, then exports once more if records came since the last one. */
  async final(total: number): Promise<void> {
    await this.#busy;
    if (total > this.#last || this.written === 0) this.#start(total);
    await this.#busy;
  }

  #start(total: number): void {
    this.#last = total;
    const model = this.model(); // now: the state at this record count
    this.#busy = this.#write(model)
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.#busy = undefined;
      });
  }

  async #write(model: ExportModel): Promise<void> {
    const { dir, format, keep } = this.settings;
    mkdirSync(dir, { recursive: true });
    this.#next ??= versions(dir).reduce((max, v) => Math.max(max, v.seq), 0) + 1;
    const name = `v${String(this.#next).padStart(12, '0')}`;
    this.#next += 1;
    await writeExportDir(model, join(dir, name), format);
    const temp = join(dir, `.latest.tmp-${process.pid}`);
    writeDurably(temp, `${name}\n`);
    renameSync(temp, join(dir, 'latest'));
    syncDir(dir);
    this.written += 1;
    this.onWritten(name, model);
    const old = versions(dir).sort((a, b) => b.seq - a.seq).slice(Math.max(1, keep));
    for (const v of old) rmSync(join(dir, v.name), { recursive: true, force: true });
  }
}

function versions(dir: string): Array<{ name: string; seq: number }> {
  return readdirSync(dir).flatMap((name) => {
    const m = VERSION.exec(name);
    return m ? [{ name, seq: Number(m[1]) }] : [];
  });
}
