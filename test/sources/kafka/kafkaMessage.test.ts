import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseString } from 'fast-csv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, isRejected } from '../../../src/records/decode.js';
import { ConfigError } from '../../../src/errors.js';
import {
  createKafka,
  kafkaConnectError,
  kafkaErrorLine,
  parseKafkaUri,
  redactKafkaSettings,
  resolveSaslPassword,
  type KafkaSettings,
} from '../../../src/sources/kafka/kafkaClient.js';
import { decodeKafkaMessage, splitCsvLine } from '../../../src/sources/kafka/kafkaMessage.js';
import type { KafkaOrigin, Schema } from '../../../src/types.js';

const origin = (value: Buffer | string | null, key: Buffer | string | null = null, offset = '7'): KafkaOrigin => ({
  topic: 'events',
  partition: 2,
  offset,
  key: typeof key === 'string' ? Buffer.from(key) : key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
});

/** An independent CSV writer (RFC 4180): quote a value holding a comma, quote or line break, doubling the quotes. */
const csvLine = (values: readonly string[]): string =>
  values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',');

/** fast-csv's reading of one line, as a reference. */
function fastCsv(line: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString(line, { headers: false })
      .on('error', reject)
      .on('data', (row: string[]) => rows.push(row))
      .on('end', () => (rows.length === 1 ? resolve(rows[0]!) : reject(new Error(`${rows.length} rows`))));
  });
}

describe('decodeKafkaMessage', () => {
  it('reads a JSON object into fields, with position, message key, raw text and origin bytes', () => {
    const o = origin('{"x":1.5,"y":0,"s":"a"}', 'k1');
    expect(decodeKafkaMessage(o, 4)).toEqual({
      index: 4,
      position: 'events/2@7',
      key: 'k1',
      raw: '{"x":1.5,"y":0,"s":"a"}',
      fields: { x: 1.5, y: 0, s: 'a' },
      origin: o,
    });
  });

  it('carries the message timestamp as the record time (for the produce -> learned latency)', () => {
    const record = decodeKafkaMessage({ ...origin('{"x":1,"y":0}'), timestamp: '1764460800123' }, 3);
    expect(record.time).toBe(1764460800123);
    expect(decodeKafkaMessage(origin('{"x":1,"y":0}'), 4).time).toBeUndefined();
  });

  it('reads a JSON array into values and leaves the key out when the message has none', () => {
    const record = decodeKafkaMessage(origin(' [1,"2",3]'), 0);
    expect(record.values).toEqual([1, '2', 3]);
    expect(record).not.toHaveProperty('key');
    expect(record.fields).toBeUndefined();
  });

  it('takes the routing key from keyField when the record has it, else from the message key', () => {
    expect(decodeKafkaMessage(origin('{"id":"u9","y":1}', 'k'), 0, { keyField: 'id' }).key).toBe('u9');
    expect(decodeKafkaMessage(origin('{"id":42,"y":1}', 'k'), 0, { keyField: 'id' }).key).toBe('42');
    expect(decodeKafkaMessage(origin('{"y":1}', 'k'), 0, { keyField: 'id' }).key).toBe('k');
    expect(decodeKafkaMessage(origin('a,1', 'k'), 0, { csvColumns: ['id', 'y'], keyField: 'id' }).key).toBe('a');
  });

  it('reads a CSV line into values, or into fields named by csvColumns (auto and csv formats)', () => {
    expect(decodeKafkaMessage(origin('0.5,"x,y",1\n'), 0).values).toEqual(['0.5', 'x,y', '1']);
    const named = decodeKafkaMessage(origin('0.5,2,1'), 0, { format: 'csv', csvColumns: ['a', 'b', 'y'] });
    expect(named.fields).toEqual({ a: '0.5', b: '2', y: '1' });
    expect(named.error).toBeUndefined();
    // csv format reads a line starting with a bracket as CSV, not JSON
    expect(decodeKafkaMessage(origin('[1,2]'), 0, { format: 'csv' }).values).toEqual(['[1', '2]']);
  });

  it('gives column_count when a CSV line does not match csvColumns', () => {
    const record = decodeKafkaMessage(origin('1,2'), 0, { csvColumns: ['a', 'b', 'y'] });
    expect(record.error).toEqual({ reason: 'column_count', detail: expect.stringContaining('expected 3 values') });
    expect(record.error?.detail).toContain('got 2');
  });

  const poison: Array<[string, KafkaOrigin, 'auto' | 'json' | 'csv', string]> = [
    ['a tombstone', origin(null, 'k'), 'auto', 'tombstone'],
    ['invalid UTF-8', origin(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 'auto', 'not valid UTF-8'],
    ['a truncated UTF-8 sequence', origin(Buffer.from([0x61, 0x2c, 0xe2, 0x82])), 'csv', 'not valid UTF-8'],
    ['text that is not JSON in json mode', origin('hello,1'), 'json', 'not valid JSON'],
    ['a broken JSON object in auto mode', origin('{"x":1'), 'auto', 'not valid JSON'],
    ['a JSON number in json mode', origin('42'), 'json', 'got number'],
    ['JSON null', origin('null'), 'json', 'got null'],
    ['an empty value', origin(''), 'auto', 'empty'],
    ['an unterminated quote', origin('1,"abc'), 'auto', 'unterminated'],
  ];
  it.each(poison)('turns %s into a malformed record that keeps the original bytes', (_, o, format, detail) => {
    const record = decodeKafkaMessage(o, 9, { format });
    expect(record.error?.reason).toBe('malformed');
    expect(record.error?.detail).toContain(detail);
    expect(record.origin).toBe(o);
    expect(record.origin?.value === null ? null : Buffer.compare(record.origin!.value, o.value!)).toBe(o.value === null ? null : 0);
    expect(record.fields).toBeUndefined();
    expect(record.values).toBeUndefined();
  });

  it('is turned by decode() into a rejection carrying the origin, never a throw', () => {
    const schema: Schema = { task: 'binary', features: ['x'], label: 'y', classes: 2 };
    const o = origin(Buffer.from([0xc3, 0x28]), 'k');
    const out = decode(decodeKafkaMessage(o, 3), schema);
    expect(isRejected(out)).toBe(true);
    expect(out).toMatchObject({ index: 3, position: 'events/2@7', reason: 'malformed', origin: o });
    const ok = decode(decodeKafkaMessage(origin('{"x":"2.5","y":1}'), 4), schema);
    expect(isRejected(ok)).toBe(false);
    expect(ok).toMatchObject({ index: 4, y: 1 });
  });
});

describe('splitCsvLine', () => {
  const lines = [
    'a,b,c',
    '1.5,-2,3e4',
    ',,',
    'a,"b,c",d',
    '"say ""hi""",x',
    '"",""',
    '"multi\nline",z',
    ' spaced , values ',
    'ünïcödé,€',
    'x,',
  ];
  it.each(lines)('agrees with fast-csv on %j', async (line) => {
    expect(splitCsvLine(line)).toEqual(await fastCsv(line));
  });

  it('round-trips random values through an independent CSV writer', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', 'b', '1', '.', '-', ',', '"', ' ', '\n', 'é'];
    for (let trial = 0; trial < 500; trial++) {
      const values = Array.from({ length: 1 + rand(6) }, () =>
        Array.from({ length: rand(6) }, () => alphabet[rand(alphabet.length)]!).join(''),
      );
      if (values.length === 1 && values[0] === '') continue; // an empty line is one empty value either way
      expect(splitCsvLine(csvLine(values))).toEqual(values);
    }
  });

  it('says what is wrong with a line it cannot split', () => {
    expect(splitCsvLine('a,"b')).toMatch(/unterminated quoted value starting at character 3/);
    expect(splitCsvLine('"a"b,c')).toMatch(/unexpected text after the quoted value/);
    expect(splitCsvLine('a"b,c')).toMatch(/quote inside the unquoted value "a"b"/);
    expect(splitCsvLine('a\nb')).toMatch(/line break outside quotes/);
  });
});

describe('parseKafkaUri', () => {
  it('reads brokers and topics', () => {
    expect(parseKafkaUri('kafka://127.0.0.1:9092/elec2')).toEqual({ brokers: ['127.0.0.1:9092'], topics: ['elec2'] });
    expect(parseKafkaUri('kafka://h1:9092,[::1]:9093,kafka-2.local:19092/a.b,c_d-e,a.b')).toEqual({
      brokers: ['h1:9092', '[::1]:9093', 'kafka-2.local:19092'],
      topics: ['a.b', 'c_d-e'],
    });
  });

  const bad: Array<[string, RegExp]> = [
    ['http://h:9092/t', /is not a Kafka URI/],
    ['kafka:///t', /names no broker/],
    ['kafka://h:9092', /names no topic/],
    ['kafka://h:9092/', /names no topic/],
    ['kafka://h/t', /broker "h" must be host:port/],
    ['kafka://h:0/t', /broker "h:0" must be host:port with a port in 1..65535/],
    ['kafka://h:9092,h2:70000/t', /broker "h2:70000"/],
    ['kafka://h:9092/bad topic', /"bad topic" is not a valid Kafka topic name/],
    ['kafka://h:9092/t?group=g', /takes no query/],
  ];
  it.each(bad)('rejects %s with a ConfigError naming the problem', (uri, message) => {
    expect(() => parseKafkaUri(uri)).toThrow(ConfigError);
    expect(() => parseKafkaUri(uri)).toThrow(message);
  });
});

describe('Kafka settings and secrets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'streamtune-kafka-settings-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const secret = 'hunter2-s3cret';
  const settings: KafkaSettings = {
    brokers: ['127.0.0.1:9094'],
    sasl: { mechanism: 'scram-sha-256', username: 'alice', password: secret },
  };

  it('redacts the inline password and leaves the settings intact', () => {
    const redacted = redactKafkaSettings(settings);
    expect(redacted.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'alice', password: '***' });
    expect(JSON.stringify(redacted)).not.toContain(secret);
    expect(settings.sasl?.password).toBe(secret);
    expect(redactKafkaSettings({ brokers: ['b:1'], sasl: { mechanism: 'plain', username: 'u', passwordEnv: 'PW' } }).sasl).toEqual({
      mechanism: 'plain',
      username: 'u',
      passwordEnv: 'PW',
    });
  });

  it('reads the password from an environment variable or a file', async () => {
    const path = join(dir, 'pw');
    await writeFile(path, `${secret}\n`);
    expect(resolveSaslPassword({ mechanism: 'plain', username: 'u', passwordEnv: 'MY_PW' }, { MY_PW: secret })).toBe(secret);
    expect(resolveSaslPassword({ mechanism: 'plain', username: 'u', passwordFile: path })).toBe(secret);
  });

  it('names the missing variable or file, never a secret', () => {
    const env = () => resolveSaslPassword({ mechanism: 'plain', username: 'u', passwordEnv: 'NOT_SET_PW' }, {});
    expect(env).toThrow(ConfigError);
    expect(env).toThrow(/environment variable "NOT_SET_PW"/);
    const file = () => resolveSaslPassword({ mechanism: 'plain', username: 'u', passwordFile: join(dir, 'missing') });
    expect(file).toThrow(/kafka\.sasl\.passwordFile: cannot read ".*missing".*ENOENT/);
    expect(() => resolveSaslPassword({ mechanism: 'plain', username: 'u' })).toThrow(/exactly one/);
    expect(() => resolveSaslPassword({ mechanism: 'plain', username: 'u', password: 'a', passwordEnv: 'B' })).toThrow(/exactly one/);
  });

  it('fails createKafka with a ConfigError for an unreadable TLS file or no brokers', () => {
    expect(() => createKafka({ brokers: ['b:1'], ssl: { ca: join(dir, 'nope.pem') } })).toThrow(/kafka\.ssl\.ca: cannot read/);
    expect(() => createKafka({ brokers: [] })).toThrow(ConfigError);
    expect(createKafka(settings).admin).toBeTypeOf('function');
  });

  it('cuts the password out of error lines and keeps them to one line', () => {
    const error = new Error(`auth failed for ${secret}\nstack-ish detail`);
    expect(kafkaErrorLine(error, settings)).toBe('auth failed for ***');
    const sasl = Object.assign(new Error(`SASL SCRAM SHA256 authentication failed ${secret}`), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const connect = kafkaConnectError(settings, sasl);
    expect(connect.message).toMatch(/^cannot authenticate to Kafka at 127\.0\.0\.1:9094 with SASL scram-sha-256 as user "alice"/);
    expect(connect.message).not.toContain(secret);
    expect(connect.message).not.toContain('\n');
    expect(connect.retriable).toBe(false);
  });
});
