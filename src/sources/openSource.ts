import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceError } from '../errors.js';
import type { RawRecord } from '../types.js';
import { readCsv, readCsvHeader } from './csv.js';
import { readJsonl } from './jsonl.js';
import { parseSyntheticUri } from './synthetic.js';

/** An opened source: its records (pulled lazily) and the column names to pick label and features from. */
export interface OpenedSource {
  readonly name: string;
  readonly columns: readonly string[];
  readonly records: AsyncIterable<RawRecord>;
}

export interface OpenSourceOptions {
  readonly keyField?: string;
  /** Needed for JSON Lines of arrays, which carry no names. */
  readonly features?: readonly string[];
  readonly label?: string;
}

/** The stream `npm start` trains on: a copy of Elec2 shipped in the package's `data/`. */
export const EMBEDDED_SOURCE = 'embedded:elec2';

/**
 * Opens a source named by the `source` setting: a `.csv` file, a `.jsonl`/`.ndjson` file,
 * `synth:sea` / `synth:hyperplane[?params]`, or `embedded:elec2`. Fails early, with a
 * SourceError naming the source, when it cannot be read.
 *
 * @example
 * const { columns, records } = await openSource('data/elec2.csv');
 */
export async function openSource(source: string, options: OpenSourceOptions = {}): Promise<OpenedSource> {
  if (source.startsWith('synth:')) {
    const synth = parseSyntheticUri(source);
    return { name: source, columns: [...synth.schema.features, synth.schema.label], records: synth.records };
  }
  const path = source === EMBEDDED_SOURCE ? embeddedElec2() : source;
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') {
    const columns = await readCsvHeader(path);
    return { name: path, columns, records: readCsv(path, { keyField: options.keyField }) };
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    return { name: path, columns: await jsonlColumns(path, options), records: readJsonl(path, { keyField: options.keyField }) };
  }
  throw new SourceError(
    `cannot tell the format of source "${source}": use a .csv, .jsonl or .ndjson file, synth:sea, synth:hyperplane or ${EMBEDDED_SOURCE}`,
  );
}

/** Column names of a JSON Lines file: the keys of its first object, or the configured names for arrays. */
async function jsonlColumns(path: string, options: OpenSourceOptions): Promise<string[]> {
  for await (const record of readJsonl(path)) {
    if (record.fields) return Object.keys(record.fields);
    if (record.values) {
      if (options.features && options.label) return [...options.features, options.label];
      throw new SourceError(
        `${record.position} holds a JSON array, which carries no field names: set "features" and "label" in the config`,
      );
    }
  }
  throw new SourceError(`${path} holds no JSON object to take the field names from; check that it is JSON Lines`);
}

function embeddedElec2(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new SourceError('cannot find the package folder holding data/elec2.csv');
    dir = parent;
  }
  return join(dir, 'data', 'elec2.csv');
}
