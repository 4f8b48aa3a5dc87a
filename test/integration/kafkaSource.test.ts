import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel, type IHeaders, type Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { decode, isRejected } from '../../src/records/decode.js';
import { SourceError } from '../../src/errors.js';
import { KafkaSource, type KafkaPartitionStatus, type KafkaSourceOptions, type KafkaStatus } from '../../src/sources/kafka/KafkaSource.js';
import type { KafkaSettings } from '../../src/sources/kafka/kafkaClient.js';
import { DEAD_LETTER_HEADERS, KafkaDeadLetter } from '../../src/sinks/KafkaDeadLetter.js';
import type { RawRecord, Rejected, Schema } from '../../src/types.js';
import { startBroker, type KafkaBroker } from '../support/kafkaBroker.js';

const brokers = inject('kafkaBrokers');
const saslBrokers = inject('kafkaSaslBrokers');
const settings: KafkaSettings = { brokers: [brokers], clientId: 'streamtune-it-source' };

const unique = (name: string): string => `streamtune-it-${name}-${randomUUID()}`;
const client = (bootstrap: string): Kafka =>
  new Kafka({ clientId: 'streamtune-it-helper', brokers: [bootstrap], logLevel: logLevel.NOTHING });

async function createTopic(bootstrap: string, topic: string, numPartitions: number): Promise<void> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function produce(bootstrap: string, topic: string, messages: Message[]): Promise<void> {
  const producer = client(bootstrap).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** End offsets (high watermarks) by partition, from an independent admin client. */
async function endOffsets(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** Reads the source to its end, marking each record done; fails (and closes) after `timeoutMs`. */
async function readAll(
  source: KafkaSource,
  each: (record: RawRecord) => void | Promise<void> = () => {},
  timeoutMs = 30_000,
): Promise<RawRecord[]> {
  const records: RawRecord[] = [];
  const read = (async () => {
    for await (const record of source) {
      records.push(record);
      await each(record);
      source.commitThrough(record.index);
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void source.close();
      reject(new Error(`read only ${records.length} records in ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return records;
}

const open = (options: Partial<KafkaSourceOptions> & Pick<KafkaSourceOptions, 'topics'>): Promise<KafkaSource> =>
  KafkaSource.open({ kafka: settings, groupId: unique('group'), stopAtEnd: true, ...options });

const coordinates = (records: readonly RawRecord[]): string[] =>
  records.map((r) => `${r.origin!.topic}/${r.origin!.partition}@${r.origin!.offset}`);

describe('KafkaSource', () => {
  const jsonTopic = unique('json');
  const count = 900;
  const produced = Array.from({ length: count }, (_, i) => ({ id: i, x: i / 10, y: i % 2 }));

  beforeAll(async () => {
    await createTopic(brokers, jsonTopic, 3);
    await produce(
      brokers,
      jsonTopic,
      produced.map((value) => ({ key: `k${value.id % 37}`, value: JSON.stringify(value) })),
    );
  });

  it('reads every JSON message of 3 partitions once, commits the end offsets, and a second open of the group reads none', async () => {
    const ends = await endOffsets(brokers, jsonTopic);
    expect([...ends.values()].reduce((a, b) => a + b, 0)).toBe(count);
    expect([...ends.values()].every((n) => n > 0)).toBe(true);

    const groupId = unique('group');
    const reports: KafkaPartitionStatus[] = [];
    const source = await open({ topics: [jsonTopic], groupId, onPartition: (p) => reports.push(p) });
    const records = await readAll(source);
    await source.flush();

    expect(records).toHaveLength(count);
    expect(records.map((r) => r.index)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(new Set(coordinates(records)).size).toBe(count);
    for (const [partition, end] of ends) {
      const offsets = records.filter((r) => r.origin!.partition === partition).map((r) => Number(r.origin!.offset));
      expect(offsets).toEqual(Array.from({ length: end }, (_, i) => i)); // in order, no gap, no repeat
    }
    for (const record of records) {
      const value = produced[(record.fields as { id: number }).id]!;
      expect(record.fields).toEqual(value);
      expect(record.key).toBe(`k${value.id % 37}`);
      expect(record.raw).toBe(JSON.stringify(value));
      expect(record.origin!.key!.toString()).toBe(record.key);
      expect(record.position).toBe(`${jsonTopic}/${record.origin!.partition}@${record.origin!.offset}`);
    }

    expect(await committedOffsets(brokers, groupId, jsonTopic)).toEqual(ends);
    for (const [partition, end] of ends) {
      const last = reports.filter((r) => r.partition === partition).at(-1);
      expect(last).toEqual({ topic: jsonTopic, partition, position: String(end), committed: String(end), end: String(end), lag: 0 });
    }
    await source.close();

    const again = await open({ topics: [jsonTopic], groupId });
    const started = Date.now();
    expect(await readAll(again)).toHaveLength(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await again.columns()).toBeUndefined();
    await again.close();
  });

  it('commits only what was marked done', async () => {
    const groupId = unique('group');
    const source = await open({ topics: [jsonTopic], groupId, commitIntervalMs: 0 });
    const records: RawRecord[] = [];
    for await (const record of source) {
      records.push(record);
      if (records.length === 300) break;
    }
    const expectedThrough = (last: number): Map<number, number> => {
      const expected = new Map<number, number>();
      for (const r of records.slice(0, last + 1)) {
        const p = r.origin!.partition;
        expected.set(p, Math.max(expected.get(p) ?? 0, Number(r.origin!.offset) + 1));
      }
      return expected;
    };
    for (const last of [99, 249]) {
      source.commitThrough(last); // records 0..last are done, the later ones (handed out too) are not
      await source.flush();
      const expected = expectedThrough(last);
      const committed = await committedOffsets(brokers, groupId, jsonTopic);
      expect(committed).toEqual(new Map([...committed.keys()].map((p) => [p, expected.get(p) ?? -1])));
      expect([...committed.values()].filter((o) => o >= 0)).toHaveLength(expected.size);
    }
    // leaving the loop kept the consumer: a new iteration goes on where the last one stopped
    const next = await source[Symbol.asyncIterator]().next();
    expect(next.done).toBe(false);
    expect((next.value as RawRecord).index).toBe(300);
    await source.close();
    // the iteration ends after close, without the consumer
    expect((await source[Symbol.asyncIterator]().next()).done).toBe(true);
  });

  it('columns() peeks the first JSON object without taking it from the iteration', async () => {
    const source = await open({ topics: [jsonTopic] });
    expect(await source.columns()).toEqual(['id', 'x', 'y']);
    const records = await readAll(source);
    expect(records).toHaveLength(count);
    expect(records[0]!.index).toBe(0);
    await source.close();
  });

  it('completes at once with stopAtEnd on an empty topic, or from the latest offset', async () => {
    const empty = unique('empty');
    await createTopic(brokers, empty, 2);
    const started = Date.now();
    const source = await open({ topics: [empty] });
    expect(await source.columns()).toBeUndefined();
    expect(await readAll(source)).toHaveLength(0);
    await source.close();
    const latest = await open({ topics: [jsonTopic], fromBeginning: false });
    expect(await readAll(latest)).toHaveLength(0);
    await latest.close();
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('reads CSV-line messages into fields named by csvColumns', async () => {
    const topic = unique('csv');
    await createTopic(brokers, topic, 1);
    const lines = Array.from({ length: 50 }, (_, i) => `${i},"v ${i}, quoted",${i % 3}`);
    await produce(brokers, topic, lines.map((value) => ({ value })));
    const source = await open({ topics: [topic], format: 'csv', csvColumns: ['n', 'text', 'y'], keyField: 'n' });
    expect(await source.columns()).toEqual(['n', 'text', 'y']);
    const records = await readAll(source);
    await source.close();
    expect(records.map((r) => r.fields)).toEqual(lines.map((_, i) => ({ n: String(i), text: `v ${i}, quoted`, y: String(i % 3) })));
    expect(records.map((r) => r.key)).toEqual(lines.map((_, i) => String(i)));
    expect(records.map((r) => r.raw)).toEqual(lines);
  });

  it('turns poison messages into rejections with their bytes, and dead-letters them to a topic with headers', async () => {
    const topic = unique('poison');
    const dltTopic = unique('dlt');
    await createTopic(brokers, topic, 1);
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x78, 0x22, 0x3a, 0xff, 0xfe, 0x7d]);
    const messages: Message[] = [
      { key: 'a', value: '{"x":1,"y":0}' },
      { key: Buffer.from([0x01, 0x02]), value: invalidUtf8 },
      { key: 'c', value: 'not json at all' },
      { key: 'tomb', value: null },
      { key: 'e', value: '{"x":"oops","y":1}' },
      { key: 'f', value: '{"x":2,"y":1}' },
    ];
    await produce(brokers, topic, messages);
    const source = await open({ topics: [topic], format: 'json' });
    const records = await readAll(source);
    await source.close();
    expect(records).toHaveLength(messages.length);
    expect(records.map((r) => r.error?.reason)).toEqual([undefined, 'malformed', 'malformed', 'malformed', undefined, undefined]);
    expect(Buffer.compare(records[1]!.origin!.value!, invalidUtf8)).toBe(0);
    expect(Buffer.compare(records[1]!.origin!.key!, Buffer.from([0x01, 0x02]))).toBe(0);
    expect(records[2]!.origin!.value!.toString()).toBe('not json at all');
    expect(records[3]!.origin!.value).toBeNull();

    const schema: Schema = { task: 'binary', features: ['x'], label: 'y', classes: 2 };
    const rejected = records.map((r) => decode(r, schema)).filter(isRejected);
    expect(rejected.map((r) => r.reason)).toEqual(['malformed', 'malformed', 'malformed', 'non_numeric']);
    const fromFile: Rejected = { index: 9, position: 'data.csv:11', key: 'row9', raw: '1,abc', reason: 'non_numeric', detail: 'feature "x": "abc"' };

    const dlt = await KafkaDeadLetter.open(settings, dltTopic);
    for (const r of [...rejected, fromFile]) dlt.write(r);
    expect(dlt.count).toBe(5);
    await dlt.flush();
    await dlt.close();

    const back: Array<{ key: Buffer | null; value: Buffer | null; headers: IHeaders }> = [];
    const consumer = client(brokers).consumer({ groupId: unique('dlt-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: [dltTopic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${back.length} dead letters`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          back.push({ key: message.key, value: message.value, headers: message.headers ?? {} });
          if (back.length === 5) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();

    const header = (h: IHeaders, name: string): string | undefined => h[name]?.toString();
    rejected.forEach((r, i) => {
      const message = back[i]!;
      const original = messages[Number(r.origin!.offset)]!;
      expect(message.value === null ? null : Buffer.compare(message.value, Buffer.from(original.value!))).toBe(original.value === null ? null : 0);
      expect(Buffer.compare(message.key!, Buffer.from(original.key!))).toBe(0);
      expect(header(message.headers, DEAD_LETTER_HEADERS.reason)).toBe(r.reason);
      expect(header(message.headers, DEAD_LETTER_HEADERS.detail)).toBe(r.detail);
      expect(header(message.headers, DEAD_LETTER_HEADERS.sourceTopic)).toBe(topic);
      expect(header(message.headers, DEAD_LETTER_HEADERS.sourcePartition)).toBe('0');
      expect(header(message.headers, DEAD_LETTER_HEADERS.sourceOffset)).toBe(r.origin!.offset);
      expect(header(message.headers, DEAD_LETTER_HEADERS.position)).toBe(`${topic}/0@${r.origin!.offset}`);
    });
    const last = back[4]!;
    expect(last.value!.toString()).toBe('1,abc');
    expect(last.key!.toString()).toBe('row9');
    expect(header(last.headers, DEAD_LETTER_HEADERS.position)).toBe('data.csv:11');
    expect(header(last.headers, DEAD_LETTER_HEADERS.sourceTopic)).toBeUndefined();
  });

  it('keeps at most queueSize records buffered behind a slow reader', async () => {
    const topic = unique('backpressure');
    const total = 20_000;
    const queueSize = 100;
    await createTopic(brokers, topic, 2);
    await produce(brokers, topic, Array.from({ length: total }, (_, i) => ({ key: `k${i % 7}`, value: `{"i":${i}}` })));
    const source = await open({ topics: [topic], queueSize });
    let maxBuffered = 0;
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, source.buffered)), 1);
    const slowly = 400;
    const records = await readAll(source, async (record) => {
      maxBuffered = Math.max(maxBuffered, source.buffered);
      if (record.index < slowly) await new Promise((resolve) => setTimeout(resolve, 1));
    });
    clearInterval(sampler);
    await source.close();
    expect(records).toHaveLength(total);
    expect(new Set(coordinates(records)).size).toBe(total);
    expect(maxBuffered).toBe(queueSize); // filled up to the bound behind the slow reader, never past it
  });

  it('fails to open on a missing topic, naming it and how to create it', async () => {
    const topic = unique('missing');
    const error = await open({ topics: [topic] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toContain(`"${topic}" does not exist`);
    expect((error as SourceError).message).toContain(`streamtune replay <file> --topic ${topic}`);
    expect((error as SourceError).retriable).toBe(false);
  });
});

describe('KafkaSource over SASL', () => {
  const topic = unique('sasl');
  const count = 40;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'streamtune-sasl-'));
    await createTopic(brokers, topic, 2);
    await produce(brokers, topic, Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `{"i":${i}}` })));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads with SASL PLAIN (password from an environment variable)', async () => {
    process.env.STREAMTUNE_IT_PLAIN_PW = 'streamtune-secret';
    const kafka: KafkaSettings = {
      brokers: [saslBrokers],
      sasl: { mechanism: 'plain', username: 'streamtune', passwordEnv: 'STREAMTUNE_IT_PLAIN_PW' },
    };
    const source = await KafkaSource.open({ kafka, topics: [topic], groupId: unique('group'), stopAtEnd: true });
    expect(await readAll(source)).toHaveLength(count);
    await source.close();
  });

  it('reads with SASL SCRAM-SHA-256 (password from a file)', async () => {
    const passwordFile = join(dir, 'scram');
    await writeFile(passwordFile, 'scram-secret\n');
    const kafka: KafkaSettings = {
      brokers: [saslBrokers],
      sasl: { mechanism: 'scram-sha-256', username: 'streamtune-scram', passwordFile },
    };
    const source = await KafkaSource.open({ kafka, topics: [topic], groupId: unique('group'), stopAtEnd: true });
    expect(await readAll(source)).toHaveLength(count);
    await source.close();
  });

  it.each([
    ['plain', 'streamtune'],
    ['scram-sha-256', 'streamtune-scram'],
  ] as const)('rejects a wrong %s password within 10 s, in one line without the password', async (mechanism, username) => {
    const password = 'Wr0ng-Passw0rd-123';
    const kafka: KafkaSettings = { brokers: [saslBrokers], sasl: { mechanism, username, password } };
    const started = Date.now();
    const error = await KafkaSource.open({ kafka, topics: [topic], groupId: unique('group') }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(SourceError);
    const { message, retriable } = error as SourceError;
    expect(retriable).toBe(false);
    expect(message).not.toContain(password);
    expect(message).not.toContain('\n');
    expect(message).toContain(`with SASL ${mechanism} as user "${username}"`);
    expect(message).toContain(saslBrokers);
  });

  it('fails fast when nothing listens on the broker address', async () => {
    const kafka: KafkaSettings = { brokers: ['127.0.0.1:1'], retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 } };
    const started = Date.now();
    const error = await KafkaSource.open({ kafka, topics: [topic], groupId: unique('group') }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toMatch(/^cannot connect to Kafka at 127\.0\.0\.1:1: /);
    expect((error as SourceError).retriable).toBe(false);
  });
});

describe('KafkaSource across a broker restart', () => {
  let broker: KafkaBroker;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'streamtune-kafka-restart-'));
    broker = await startBroker({ dataDir });
  });
  afterAll(async () => {
    await broker?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('hands out every record exactly once and reports the broker down, then up', async () => {
    const topic = unique('restart');
    const total = 3000;
    await createTopic(broker.brokers, topic, 3);
    await produce(broker.brokers, topic, Array.from({ length: total }, (_, i) => ({ key: `k${i}`, value: `{"i":${i}}` })));
    const ends = await endOffsets(broker.brokers, topic);

    const statuses: KafkaStatus[] = [];
    const groupId = unique('group');
    const source = await KafkaSource.open({
      kafka: { brokers: [broker.brokers], retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 3 }, connectionTimeoutMs: 1000 },
      topics: [topic],
      groupId,
      stopAtEnd: true,
      queueSize: 200,
      sessionTimeoutMs: 6000, // the restarted consumer joins as a new member: do not wait 30 s for the lost one
      commitIntervalMs: 60_000, // one early commit, then none: the restarted consumer re-fetches what was handed out
      onStatus: (s) => statuses.push(s),
    });
    const records = await readAll(
      source,
      async (record) => {
        if (record.index === 999) await broker.restart(); // the reader stalls while the broker is down
      },
      120_000,
    );
    await source.flush();
    await source.close();

    expect(records).toHaveLength(total);
    const seen = coordinates(records);
    expect(new Set(seen).size).toBe(total);
    expect(new Set(records.map((r) => (r.fields as { i: number }).i)).size).toBe(total);
    const ups = statuses.map((s) => s.up);
    expect(ups[0]).toBe(true);
    expect(ups).toContain(false);
    expect(ups.at(-1)).toBe(true);
    expect(statuses.find((s) => !s.up)?.reason).toBeTruthy();
    expect(await committedOffsets(broker.brokers, groupId, topic)).toEqual(ends);
  });
});
