import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SourceError } from '../errors.js';
import type { RawRecord } from '../types.js';

/** Settings of {@link readJsonl}. */
export interface JsonlOptions {
  /** Object field whose value (a string or a number) becomes `RawRecord.key` (the routing key). */
  readonly keyField?: string;
}

/**
 * Streams a JSON Lines file as raw records, one line at a time (pulled, never read whole). An
 * object line gives `fields`, an array line gives `values`; invalid JSON or any other JSON value
 * gives a record with `error.reason = 'malformed'`. Blank lines are skipped but still counted in
 * the 1-based line of `position`. A missing or unreadable file throws a `SourceError` when iterated.
 *
 * @example
 * for await (const record of readJsonl('events.jsonl', { keyField: 'id' })) {
 *   record.fields; // { id: 'a1', x1: 0.5, y: 1 }
 *   record.position; // 'events.jsonl:1'
 * }
 */
export async function* readJsonl(path: string, options: JsonlOptions = {}): AsyncGenerator<RawRecord> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  let index = 0;
  try {
    for await (const text of lines) {
      line++;
      const raw = line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      if (raw.trim() === '') continue;
      yield parseLine(raw, { index: index++, position: `${path}:${line}` }, options.keyField);
    }
  } catch (error) {
    throw new SourceError(
      `cannot read JSONL file "${path}" after line ${line}: ${error instanceof Error ? error.message : String(error)}; check the path and that the file is readable`,
      { cause: error },
    );
  } finally {
    lines.close();
    input.destroy();
  }
}

function parseLine(raw: string, at: { index: number; position: string }, keyField: string | undefined): RawRecord {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    const detail = `line is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
    return { ...at, raw, error: { reason: 'malformed', detail } };
  }
  if (Array.isArray(value)) return { ...at, raw, values: value };
  if (typeof value === 'object' && value !== null) {
    const fields = value as Record<string, unknown>;
    const key = keyField === undefined ? undefined : fields[keyField];
    const hasKey = typeof key === 'string' ? key !== '' : typeof key === 'number';
    return { ...at, raw, fields, ...(hasKey ? { key: String(key) } : {}) };
  }
  const kind = value === null ? 'null' : typeof value;
  return { ...at, raw, error: { reason: 'malformed', detail: `expected a JSON object or array, got ${kind}` } };
}
