import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, SourceError } from '../../src/errors.js';
import { replay } from '../../src/sinks/replay.js';
import { readCsv } from '../../src/sources/csv.js';
import { parseSyntheticUri } from '../../src/sources/synthetic.js';
import type { RawRecord } from '../../src/types.js';
import { sharedData } from '../support/sharedData.js';
import { runCli } from '../support/runCli.js';

const brokers = inject('kafkaBrokers');
const kafka = new Kafka({ clientId: 'streamtune-it-replay', brokers: [brokers], logLevel: logLevel.NOTHING });
const elec2 = sharedData('elec2.csv');
const created: string[] = [];

/** A fresh topic name, deleted after the file's tests. */
function newTopic(name: string): string {
  const topic = `streamtune-it-replay-${name}-${randomUUID()}`;
  created.push(topic);
  return topic;
}

/** Elec2 read independently of the source code: header, and per data line its text and its JSON (all values are numbers). */
function readElec2() {
  const [headerLine, ...lines] = readFileSync(elec2, 'utf8').trim().split(/\r?\n/);
  const header = headerLine!.split(',');
  const rows = lines.map((line) => {
    const texts = line.split(',');
    const object = Object.fromEntries(header.map((name, i) => [name, Number(texts[i])]));
    return { line, texts, json: JSON.stringify(object) };
  });
  return { header, rows };
}
const reference = readElec2();

/** Messages per partition (high - low watermark), by partition id. */
async function partitionCounts(topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high) - Number(o.low));
  } finally {
    await admin.disconnect();
  }
}

interface Consumed {
  partition: number;
  offset: number;
  key: string | undefined;
  value: string;
  /** The `streamtune-seq` header of a label split, when there is one. */
  seq?: number;
  timestamp: number;
}

/** Reads the first `count` messages of a topic (all partitions) with a new consumer group. */
async function consume(topic: string, count: number): Promise<Consumed[]> {
  const received: Consumed[] = [];
  const consumer = kafka.consumer({ groupId: `streamtune-it-replay-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${received.length} of ${count}`)), 60_000);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const seq = m.headers?.['streamtune-seq']?.toString();
            received.push({
              partition: batch.partition, offset: Number(m.offset), key: m.key?.toString(), value: m.value?.toString() ?? '',
              timestamp: Number(m.timestamp), ...(seq === undefined ? {} : { seq: Number(seq) }),
            });
          }
          if (received.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

/** Messages of each partition in offset order, by partition id. */
function byPartition(messages: readonly Consumed[]): Map<number, Consumed[]> {
  const map = new Map<number, Consumed[]>();
  for (const m of messages) {
    const list = map.get(m.partition) ?? [];
    list.push(m);
    map.set(m.partition, list);
  }
  for (const list of map.values()) list.sort((a, b) => a.offset - b.offset);
  return map;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const sorted = (xs: readonly string[]): string[] => [...xs].sort();

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: created }).finally(() => admin.disconnect());
});

describe('replay (real broker)', () => {
  it('replays Elec2 as JSON into a new 3-partition topic: every row once, as numbers, spread, in file order per partition', { timeout: 180_000 }, async () => {
    const topic = newTopic('elec2-json');
    const progress: Array<[number, number | undefined]> = [];
    const result = await replay({
      records: readCsv(elec2),
      columns: reference.header,
      brokers: [brokers],
      topic,
      partitions: 3,
      format: 'json',
      onProgress: (sent, total) => progress.push([sent, total]),
    });
    const n = reference.rows.length;
    expect(n).toBe(45_312);
    expect(result).toMatchObject({ sent: n, topic, partitions: 3 });
    expect(result.seconds).toBeGreaterThan(0);

    const counts = await partitionCounts(topic);
    expect(counts).toHaveLength(3);
    expect(sum(counts)).toBe(n);
    for (const c of counts) expect(c).toBeGreaterThan(n * 0.3); // null keys go round-robin: about n/3 each

    const sends = progress.map(([sent]) => sent);
    expect(sends.every((s, i) => i === 0 || s >= sends[i - 1]!)).toBe(true);
    expect(Math.max(...sends.slice(1).map((s, i) => s - sends[i]!))).toBeLessThanOrEqual(500); // default batch size
    expect(progress.at(-1)).toEqual([n, n]);

    const messages = await consume(topic, n);
    expect(messages).toHaveLength(n);
    expect(sorted(messages.map((m) => m.value))).toEqual(sorted(reference.rows.map((r) => r.json)));
    expect(messages.every((m) => m.key === undefined)).toBe(true);

    const first = JSON.parse(messages.find((m) => m.partition === 0 && m.offset === 0)!.value) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(reference.header);
    for (const value of Object.values(first)) expect(typeof value).toBe('number');

    // Each partition holds its rows in the order of the file.
    const lineOf = new Map(reference.rows.map((r, i) => [r.json, i]));
    for (const list of byPartition(messages).values()) {
      const lines = list.map((m) => lineOf.get(m.value)!);
      expect(lines.every((line, i) => i === 0 || line > lines[i - 1]!)).toBe(true);
    }
  });

  it('sets each message key to the key column value, and one key always lands on one partition', async () => {
    const topic = newTopic('elec2-keyed');
    const count = 3_000;
    const result = await replay({ records: readCsv(elec2), brokers: [brokers], topic, partitions: 3, format: 'json', keyColumn: 'day', maxRecords: count });
    expect(result.sent).toBe(count);

    const messages = await consume(topic, count);
    const rowOf = new Map(reference.rows.map((r) => [r.json, r]));
    const dayColumn = reference.header.indexOf('day');
    const partitionsOfKey = new Map<string, Set<number>>();
    for (const m of messages) {
      expect(m.key).toBe(rowOf.get(m.value)!.texts[dayColumn]);
      partitionsOfKey.set(m.key!, (partitionsOfKey.get(m.key!) ?? new Set()).add(m.partition));
    }
    expect(partitionsOfKey.size).toBe(new Set(reference.rows.slice(0, count).map((r) => r.texts[dayColumn])).size);
    for (const set of partitionsOfKey.values()) expect(set.size).toBe(1);
  });

  it('replays synth:sea?n=5000 as CSV lines: 5,000 messages holding the generated values', async () => {
    const topic = newTopic('sea-csv');
    const synth = parseSyntheticUri('synth:sea?n=5000');
    const columns = [...synth.schema.features, synth.schema.label];
    const result = await replay({ records: synth.records, columns, brokers: [brokers], topic, partitions: 2, format: 'csv' });
    expect(result).toMatchObject({ sent: 5_000, partitions: 2 });
    expect(sum(await partitionCounts(topic))).toBe(5_000);

    const expected = [...synth.records].map((r) => columns.map((c) => String(r.fields![c])).join(','));
    const messages = await consume(topic, 5_000);
    expect(sorted(messages.map((m) => m.value))).toEqual(sorted(expected));
    for (const m of messages) {
      const values = m.value.split(',').map(Number);
      expect(values).toHaveLength(4);
      expect(values.every(Number.isFinite)).toBe(true);
    }
  });

  it('keeps poison rows poison: non-numbers stay text, rows the source could not split go as raw text', async () => {
    const topic = newTopic('poison');
    const records: RawRecord[] = [
      { index: 0, position: 'mem:1', raw: '', fields: { a: '1.5', b: '-2', c: '6.02e23', d: '.5', label: '1' } },
      { index: 1, position: 'mem:2', raw: '', fields: { a: 'abc', b: '1e400', c: '', d: '0x10', label: 'NaN' } },
      { index: 2, position: 'mem:3', raw: 'x,y', error: { reason: 'column_count', detail: 'expected 5 columns, got 2' } },
      { index: 3, position: 'mem:4', raw: '', fields: { label: '0', d: '1', c: ' 2', b: 'Infinity', a: 'a,"b"' } },
    ];
    const columns = ['a', 'b', 'c', 'd', 'label'];
    const json = await replay({ records: toAsync(records), columns, brokers: [brokers], topic, format: 'json' });
    expect(json).toMatchObject({ sent: 4, partitions: 1 });
    const csvTopic = newTopic('poison-csv');
    await replay({ records: toAsync(records), columns, brokers: [brokers], topic: csvTopic, format: 'csv' });

    const values = (await consume(topic, 4)).sort((x, y) => x.offset - y.offset).map((m) => m.value);
    expect(values).toEqual([
      JSON.stringify({ a: 1.5, b: -2, c: 6.02e23, d: 0.5, label: 1 }),
      JSON.stringify({ a: 'abc', b: '1e400', c: '', d: '0x10', label: 'NaN' }),
      'x,y',
      JSON.stringify({ a: 'a,"b"', b: 'Infinity', c: ' 2', d: 1, label: 0 }), // in column order, not the record's
    ]);
    const lines = (await consume(csvTopic, 4)).sort((x, y) => x.offset - y.offset).map((m) => m.value);
    expect(lines).toEqual(['1.5,-2,6.02e23,.5,1', 'abc,1e400,,0x10,NaN', 'x,y', '"a,""b""",Infinity, 2,1,0']);
  });

  it('paces to rate: 500 records at 1,000/s take at least 0.4 s, sent in small prompt batches', async () => {
    const topic = newTopic('rate');
    const sends: number[] = [];
    const started = performance.now();
    const result = await replay({
      records: parseSyntheticUri('synth:sea?n=500').records,
      brokers: [brokers],
      topic,
      format: 'csv',
      rate: 1_000,
      onProgress: (sent) => sends.push(sent),
    });
    const wall = (performance.now() - started) / 1000;
    expect(result.sent).toBe(500);
    // Record k waits for start + k / rate: the last one for 499 / 1,000 s = 0.499 s (a lower bound only).
    expect(result.seconds).toBeGreaterThanOrEqual(0.4);
    expect(wall).toBeGreaterThanOrEqual(0.4);
    // Not one batch of 500 at the end: what is ready goes out before each wait.
    expect(sends.length).toBeGreaterThan(10);
    expect(sum(await partitionCounts(topic))).toBe(500);
  });

  it('stops after maxRecords: exactly the first rows of the file', async () => {
    const topic = newTopic('max');
    const progress: Array<[number, number | undefined]> = [];
    const result = await replay({
      records: readCsv(elec2),
      brokers: [brokers],
      topic,
      format: 'json',
      maxRecords: 1_234,
      batchSize: 100,
      onProgress: (sent, total) => progress.push([sent, total]),
    });
    expect(result.sent).toBe(1_234);
    expect(sum(await partitionCounts(topic))).toBe(1_234);
    expect(progress.every(([, total]) => total === 1_234)).toBe(true);
    expect(progress.slice(0, 3)).toEqual([[100, 1_234], [200, 1_234], [300, 1_234]]);
    const messages = await consume(topic, 1_234);
    expect(messages.sort((x, y) => x.offset - y.offset).map((m) => m.value)).toEqual(reference.rows.slice(0, 1_234).map((r) => r.json));
  });

  it('uses an existing topic with another partition count as it is, and warns', async () => {
    const topic = newTopic('existing');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }).finally(() => admin.disconnect());

    const warnings: string[] = [];
    const result = await replay({
      records: readCsv(elec2), brokers: [brokers], topic, partitions: 4, format: 'csv', maxRecords: 600, onWarning: (w) => warnings.push(w),
    });
    expect(result).toMatchObject({ sent: 600, partitions: 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(topic);
    expect(warnings[0]).toMatch(/2 partition.*not 4/);
    const counts = await partitionCounts(topic);
    expect(counts).toHaveLength(2);
    expect(sum(counts)).toBe(600);
    expect(counts.every((c) => c > 0)).toBe(true);

    // Appending without asking for a partition count is not worth a warning.
    const again = await replay({ records: readCsv(elec2), brokers: [brokers], topic, format: 'csv', maxRecords: 10, onWarning: (w) => warnings.push(w) });
    expect(again.partitions).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(sum(await partitionCounts(topic))).toBe(610);
  });

  it('an abort stops an endless stream; the topic holds exactly what was reported sent', async () => {
    const topic = newTopic('abort');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const last: number[] = [];
    const result = await replay({
      records: parseSyntheticUri('synth:sea?n=inf').records,
      brokers: [brokers],
      topic,
      format: 'csv',
      rate: 2_000,
      signal: controller.signal,
      onProgress: (sent, total) => last.splice(0, 2, sent, total ?? -1),
    });
    expect(result.sent).toBeGreaterThan(0);
    expect(result.sent).toBeLessThan(2_000 * 5); // stopped long before a few seconds' worth
    expect(last).toEqual([result.sent, -1]); // no total for an endless, aborted stream
    expect(sum(await partitionCounts(topic))).toBe(result.sent);
  });

  it('streamtune replay --labels-topic --label-delay 500: features without the label, {"label"} keyed the same, each label after exactly 500 later feature records', { timeout: 180_000 }, async () => {
    const features = newTopic('split-features');
    const labels = newTopic('split-labels');
    const n = 2_000;
    const delay = 500;
    const run = await runCli([
      'replay', elec2, '--brokers', brokers, '--topic', features, '--labels-topic', labels, '--label-delay', String(delay),
      '--max-records', String(n), '--no-progress',
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`replayed 2,000 records`);
    expect(run.stdout).toContain(`sent their 2,000 labels to topic ${labels}`);
    expect(sum(await partitionCounts(features))).toBe(n);
    expect(sum(await partitionCounts(labels))).toBe(n);

    const f = (await consume(features, n)).sort((a, b) => a.offset - b.offset);
    const l = (await consume(labels, n)).sort((a, b) => a.offset - b.offset);
    const classColumn = reference.header.indexOf('class');
    expect(classColumn).toBe(reference.header.length - 1); // the default label: the last column
    // Features: the rows of the file in order, without the label column, keyed by the record index.
    f.forEach((m, i) => {
      const row = reference.rows[i]!;
      expect(m.key).toBe(String(i));
      const object = JSON.parse(m.value) as Record<string, number>;
      expect(Object.keys(object)).toEqual(reference.header.filter((h) => h !== 'class'));
      expect(Object.values(object)).toEqual(row.texts.filter((_, k) => k !== classColumn).map(Number));
    });
    // Labels: one per record, the same keys one to one, {"label": the class as in the file}.
    expect(new Set(l.map((m) => m.key)).size).toBe(n);
    expect(sorted(l.map((m) => m.key!))).toEqual(sorted(f.map((m) => m.key!)));
    for (const m of l) {
      expect(JSON.parse(m.value)).toEqual({ label: Number(reference.rows[Number(m.key)]!.texts[classColumn]) });
    }
    // A fixed delay keeps the labels in record order.
    expect(l.map((m) => m.key)).toEqual(f.map((m) => m.key));
    // Order of sending (the streamtune-seq header): before the label of record i, exactly
    // min(i + 500 + 1, n) feature records; the broker timestamps agree (never a label stamped
    // before the features it follows).
    const merged = [...f.map((m) => ({ ...m, kind: 'F' })), ...l.map((m) => ({ ...m, kind: 'L' }))].sort((a, b) => a.seq! - b.seq!);
    expect(merged.map((m) => m.seq)).toEqual(Array.from({ length: 2 * n }, (_, k) => k));
    let featuresBefore = 0;
    for (const m of merged) {
      if (m.kind === 'F') {
        featuresBefore++;
      } else {
        const i = Number(m.key);
        expect(featuresBefore, `label of record ${i}`).toBe(Math.min(i + delay + 1, n));
        expect(m.timestamp).toBeGreaterThanOrEqual(f[Math.min(i + delay, n - 1)]!.timestamp);
        expect(m.timestamp).toBeGreaterThanOrEqual(f[i]!.timestamp);
      }
    }
  });

  it('a random --label-delay (uniform, seeded) over 3 partitions: each label after its own features, on the partition of its key, the same split for the same seed', { timeout: 180_000 }, async () => {
    const runSplit = async (seed: number) => {
      const features = newTopic('random-features');
      const labels = newTopic('random-labels');
      const run = await runCli([
        'replay', elec2, '--brokers', brokers, '--topic', features, '--labels-topic', labels, '--partitions', '3',
        '--label-delay', 'uniform:0:300', '--seed', String(seed), '--max-records', '1000', '--format', 'csv', '--no-progress',
      ]).done;
      expect(run.code, run.stderr).toBe(0);
      return { f: await consume(features, 1000), l: await consume(labels, 1000) };
    };
    const { f, l } = await runSplit(7);
    expect(f).toHaveLength(1000);
    expect(l).toHaveLength(1000);
    const featuresByKey = new Map(f.map((m) => [m.key!, m]));
    expect(featuresByKey.size).toBe(1000);
    const lags: number[] = [];
    for (const label of l) {
      const own = featuresByKey.get(label.key!)!;
      expect(own.value.split(',')).toHaveLength(reference.header.length - 1); // CSV features without the class
      expect(label.seq!).toBeGreaterThan(own.seq!);
      expect(label.partition).toBe(own.partition); // same key, same partition count: same partition
      lags.push(f.filter((m) => m.seq! > own.seq! && m.seq! < label.seq!).length);
    }
    // Lags spread over [0, 300] (fewer near the end of the file, where the rest is flushed).
    expect(Math.min(...lags)).toBeLessThanOrEqual(5);
    expect(Math.max(...lags)).toBeGreaterThanOrEqual(290);
    expect(Math.max(...lags)).toBeLessThanOrEqual(300);
    const again = await runSplit(7);
    const order = (xs: Consumed[]) => [...xs].sort((a, b) => a.seq! - b.seq!).map((m) => m.key);
    expect(order(again.l)).toEqual(order(l));
  });

  it('streamtune replay: label flags without --labels-topic, a bad --label-delay or an unknown --label are usage errors (exit 2) naming the flag', async () => {
    const topic = `streamtune-it-replay-bad-split-${randomUUID()}`; // never created: every run below fails before producing
    const base = ['replay', elec2, '--brokers', brokers, '--topic', topic, '--no-progress'];
    const stray = await runCli([...base, '--label-delay', '5']).done;
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/--label-delay needs --labels-topic/);
    const bad = await runCli([...base, '--labels-topic', `${topic}-l`, '--label-delay', 'gauss:5']).done;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--label-delay .*uniform:MIN:MAX.*exp:MEAN/);
    const unknown = await runCli([...base, '--labels-topic', `${topic}-l`, '--label', 'klass']).done;
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/label column "klass" is not one of the columns.*class/);
    const admin = kafka.admin();
    await admin.connect();
    const existing = await admin.listTopics().finally(() => admin.disconnect());
    expect(existing.filter((t) => t.startsWith(topic))).toEqual([]);
  });

  it('fails early on a key column the source does not have, before producing anything', async () => {
    const topic = newTopic('bad-key');
    const run = replay({ records: readCsv(elec2), brokers: [brokers], topic, format: 'json', keyColumn: 'dayy' });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/"dayy".*date, day, period/);
    expect(sum(await partitionCounts(topic))).toBe(0);
  });

  it('rejects bad options with a ConfigError naming the option', async () => {
    const base = { records: toAsync([]), brokers: [brokers], topic: 't', format: 'json' as const };
    await expect(replay({ ...base, rate: 0 })).rejects.toThrow(/"rate"/);
    await expect(replay({ ...base, partitions: 1.5 })).rejects.toThrow(/"partitions"/);
    await expect(replay({ ...base, batchSize: 0 })).rejects.toThrow(/"batchSize"/);
    await expect(replay({ ...base, brokers: [] })).rejects.toThrow(ConfigError);
    await expect(replay({ ...base, keyColumn: 'k', columns: ['a'] })).rejects.toThrow(/key column "k"/);
  });

  it('turns an unreachable broker into a retriable-aware SourceError naming topic and brokers', async () => {
    const port = await closedPort();
    const run = replay({
      records: toAsync([]),
      brokers: [`127.0.0.1:${port}`],
      kafka: { retry: { retries: 0 }, connectionTimeout: 1_000 },
      topic: 'nowhere',
      format: 'json',
    });
    await expect(run).rejects.toThrow(SourceError);
    await expect(run).rejects.toThrow(new RegExp(`topic "nowhere" on 127\\.0\\.0\\.1:${port}`));
  });
});

async function* toAsync(records: readonly RawRecord[]): AsyncGenerator<RawRecord> {
  yield* records;
}

/** A loopback port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
