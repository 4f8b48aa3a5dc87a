import type { KafkaOrigin, RawRecord, RejectReason } from '../../types.js';

/** How message values are read: JSON objects/arrays, one CSV line, or either (by the first character). */
export type KafkaFormat = 'auto' | 'json' | 'csv';

/** Settings of {@link decodeKafkaMessage}. */
export interface KafkaMessageOptions {
  /** Default `auto`: a value starting with `{` or `[` is JSON, anything else one CSV line. */
  readonly format?: KafkaFormat;
  /** Names of the values of a CSV line, in order; without them a CSV line gives positional `values`. */
  readonly csvColumns?: readonly string[];
  /** Field whose value (a non-empty string or a number) is the routing key instead of the message key. */
  readonly keyField?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns one Kafka message into a raw record: a JSON object gives `fields`, a JSON array
 * `values`, a CSV line `values` (or `fields` named by `csvColumns`). Never throws: a tombstone,
 * invalid UTF-8, invalid JSON or a CSV line that cannot be split gives a record with
 * `error.reason = 'malformed'` (a CSV line with the wrong number of values for `csvColumns`:
 * `column_count`), with the original bytes kept in `origin` for the dead letter.
 *
 * @example
 * const origin = { topic: 't', partition: 0, offset: '7', key: Buffer.from('k1'), value: Buffer.from('{"x":1,"y":0}') };
 * decodeKafkaMessage(origin, 0);
 * // { index: 0, position: 't/0@7', key: 'k1', raw: '{"x":1,"y":0}', fields: { x: 1, y: 0 }, origin }
 */
export function decodeKafkaMessage(origin: KafkaOrigin, index: number, options: KafkaMessageOptions = {}): RawRecord {
  const { format = 'auto', csvColumns, keyField } = options;
  const messageKey = origin.key && origin.key.length > 0 ? origin.key.toString('utf8') : undefined;
  const at = {
    index,
    position: `${origin.topic}/${origin.partition}@${origin.offset}`,
    ...(messageKey === undefined ? {} : { key: messageKey }),
    ...(origin.timestamp === undefined ? {} : { time: Number(origin.timestamp) }),
    origin,
  };
  const fail = (raw: string, detail: string, reason: RejectReason = 'malformed'): RawRecord => ({
    ...at,
    raw,
    error: { reason, detail },
  });

  if (origin.value === null) return fail('', 'the message value is null (a tombstone); expected a JSON object or a CSV line');
  let text: string;
  try {
    text = utf8.decode(origin.value);
  } catch {
    return fail(origin.value.toString('utf8'), `the message value (${origin.value.length} bytes) is not valid UTF-8 text`);
  }
  if (text.trim() === '') return fail(text, 'the message value is empty; expected a JSON object or a CSV line');

  const withFields = (fields: Record<string, unknown>): RawRecord => {
    const routing = keyField === undefined ? undefined : fields[keyField];
    const hasKey = typeof routing === 'string' ? routing !== '' : typeof routing === 'number';
    return { ...at, ...(hasKey ? { key: String(routing) } : {}), raw: text, fields };
  };

  const first = text.trimStart()[0];
  if (format === 'json' || (format === 'auto' && (first === '{' || first === '['))) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return fail(text, `the message value is not valid JSON: ${(error as Error).message}`);
    }
    if (Array.isArray(value)) return { ...at, raw: text, values: value };
    if (typeof value === 'object' && value !== null) return withFields(value as Record<string, unknown>);
    return fail(text, `expected a JSON object or array, got ${value === null ? 'null' : typeof value}`);
  }

  const values = splitCsvLine(text.replace(/\r?\n$/, ''));
  if (typeof values === 'string') return fail(text, `the message value is not a valid CSV line: ${values}`);
  if (!csvColumns) return { ...at, raw: text, values };
  if (values.length !== csvColumns.length) {
    return fail(
      text,
      `expected ${csvColumns.length} values (csvColumns ${csvColumns.join(', ')}), got ${values.length}`,
      'column_count',
    );
  }
  return withFields(Object.fromEntries(csvColumns.map((name, i) => [name, values[i]])));
}

/**
 * Splits one CSV line (RFC 4180: `,` separators, `"` quotes, `""` for a quote inside quotes).
 * Returns the values, or a string saying what is wrong (unterminated quote, text after a
 * closing quote, a line break outside quotes).
 *
 * @example
 * splitCsvLine('a,"b,c","say ""hi""",'); // ['a', 'b,c', 'say "hi"', '']
 * splitCsvLine('a,"b');                    // 'unterminated quoted value starting at character 3'
 */
export function splitCsvLine(line: string): string[] | string {
  const values: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return `unterminated quoted value starting at character ${start + 1}`;
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      if (i < line.length && line[i] !== ',') return `unexpected text after the quoted value ending at character ${i}`;
      values.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return `a quote inside the unquoted value "${value}" (quote the whole value and double the quote)`;
      if (/[\r\n]/.test(value)) return 'a line break outside quotes (one message holds one CSV line)';
      values.push(value);
      i = end;
    }
    if (i >= line.length) return values;
    i++; // the comma
  }
}
