import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourcePositions } from '../checkpoint/Checkpoint.js';
import { CheckpointError, SourceError } from '../errors.js';
import type { Config } from '../config.js';
import type { RawRecord } from '../types.js';
import { chunked } from './ChunkedRecords.js';
import { readCsvChunks, readCsvHeader } from './csv.js';
import { readJsonl } from './jsonl.js';
import { openKafka, type KafkaHooks } from './kafka/openKafka.js';
import type { OpenedSource } from './OpenedSource.js';
import { parseSyntheticUri } from './synthetic.js';

export type { OpenedSource } from './OpenedSource.js';

export interface OpenSourceOptions {
  readonly keyField?: string;
  /** Needed for JSON Lines of arrays, which carry no names. */
  readonly features?: readonly string[];
  readonly label?: string;
  /** Resume after these positions (from a checkpoint): records before them are not read again. */
  readonly resume?: SourcePositions;
  /** Kafka settings and hooks (for `kafka://` sources). */
  readonly kafka?: Config['kafka'];
  readonly kafkaHooks?: KafkaHooks;
  /** CSV settings (the longest record). */
  readonly csv?: Partial<Config['csv']>;
  /** Kafka: field names to use when the topic gives none (a resumed run's checkpoint knows them). */
  readonly fallbackColumns?: readonly string[];
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
  if (source.startsWith('kafka://')) {
    if (!options.kafka) throw new SourceError(`${source}: Kafka settings are missing`);
    return openKafka(source, { ...options, kafka: options.kafka }, options.resume, options.kafkaHooks, options.fallbackColumns);
  }
  if (source.startsWith('synth:')) {
    const synth = parseSyntheticUri(source);
    const from = resumeIndex(options.resume, 'synthetic', source);
    return {
      name: source,
      columns: [...synth.schema.features, synth.schema.label],
      records: skipBefore(synth.records, from),
      positionsThrough: (index) => ({ kind: 'synthetic', uri: source, index: index + 1 }),
    };
  }
  const path = source === EMBEDDED_SOURCE ? embeddedElec2() : source;
  const ext = extname(path).toLowerCase();
  const positionsThrough = (index: number): SourcePositions => ({ kind: 'file', path, index: index + 1 });
  if (ext === '.csv') {
    const maxRecordChars = options.csv?.maxRecordChars;
    const csv = maxRecordChars === undefined ? {} : { maxRecordChars };
    const columns = await readCsvHeader(path, csv);
    const from = resumeIndex(options.resume, 'file', path);
    const chunks = (): AsyncIterable<RawRecord[]> => readCsvChunks(path, { keyField: options.keyField, shape: 'values', ...csv });
    return { name: path, columns, records: chunked(() => skipChunksBefore(chunks(), from)), positionsThrough };
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    const from = resumeIndex(options.resume, 'file', path);
    const records = skipBefore(readJsonl(path, { keyField: options.keyField }), from);
    return { name: path, columns: await jsonlColumns(path, options), records, positionsThrough };
  }
  throw new SourceError(
    `cannot tell the format of source "${source}": use a .csv, .jsonl or .ndjson file, kafka://HOST:PORT/TOPIC, synth:sea, synth:hyperplane or ${EMBEDDED_SOURCE}`,
  );
}

/** Where a resumed file or synthetic source starts: the checkpoint's index, after checking it is the same source. */
function resumeIndex(resume: SourcePositions | undefined, kind: 'file' | 'synthetic', name: string): number {
  if (!resume) return 0;
  const stored = resume.kind === 'file' ? resume.path : resume.kind === 'synthetic' ? resume.uri : `kafka group ${resume.group}`;
  if (resume.kind !== kind || stored !== name) {
    throw new CheckpointError(
      `the checkpoint was taken reading ${stored}, but the source is now ${name}; use the same source, or another --checkpoint-dir to start afresh`,
    );
  }
  return resume.index;
}

/** Skips the records a checkpoint already holds (re-reading is the simple, always-correct way to seek). */
function skipBefore(records: AsyncIterable<RawRecord>, from: number): AsyncIterable<RawRecord> {
  if (from <= 0) return records;
  return (async function* () {
    for await (const record of records) if (record.index >= from) yield record;
  })();
}

/** {@link skipBefore} for chunks: drops the records a checkpoint already holds from each chunk. */
async function* skipChunksBefore(chunks: AsyncIterable<RawRecord[]>, from: number): AsyncGenerator<RawRecord[]> {
  for await (const chunk of chunks) {
    if (from <= 0 || (chunk[0]?.index ?? 0) >= from) yield chunk;
    else if ((chunk.at(-1)?.index ?? -1) >= from) yield chunk.filter((record) => record.index >= from);
  }
}

/** Column names of a JSON Lines file: the keys of its first object, or the configured names for arrays. */
async function jsonlColumns(path: string, options: OpenSourceOptions): Promise<string[]> {
  if (options.features && options.label) return [...options.features, options.label];
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
