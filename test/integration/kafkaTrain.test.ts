import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exitWithin } from '../support/exitWithin.js';
import { kcatProduce } from '../support/kcatProduce.js';
import { readSummary } from '../support/readSummary.js';
import { recordsWhen } from '../support/recordsWhen.js';
import { runCli } from '../support/runCli.js';
import { scrapeMetrics, type MetricSample } from '../support/scrapeMetrics.js';
import { seededRandom } from '../support/seededRandom.js';
import { sharedData } from '../support/sharedData.js';
import {
  committedOffsets,
  consumeAll,
  createTopic,
  deleteTopics,
  endOffsets,
  produceMessages,
  uniqueName,
} from '../support/topics.js';

// End-to-end: the real CLI (separate processes) against the real broker of the test run.
const brokers = inject('kafkaBrokers');
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-kafka-train-'));
const common = ['--metrics-port', '0', '--progress', 'off'];
const ELEC2_RECORDS = 45_312;
const created: string[] = [];

/** A fresh topic name, deleted after the file's tests. */
function newTopic(kind: string): string {
  const topic = uniqueName(kind);
  created.push(topic);
  return topic;
}

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `streamtune train` to the end of the topic; returns the summary JSON and what it printed. */
async function trainToEnd(name: string, args: readonly string[]) {
  const summaryPath = join(tmp, `${name}.summary.json`);
  const result = await exitWithin(
    runCli(['train', ...common, '--summary-json', summaryPath, '--dead-letter', join(tmp, `${name}.dead.jsonl`), ...args]),
    120_000,
  );
  expect(result.code, result.stderr).toBe(0);
  return { ...result, summary: readSummary(summaryPath), deadLetterFile: join(tmp, `${name}.dead.jsonl`) };
}

/** SEA concepts (Street & Kim 2001): y = 1 when x1 + x2 <= 8, 10% of labels flipped; features in [0, 10). */
function seaRecords(count: number, seed: number): Array<{ x1: number; x2: number; x3: number; y: number }> {
  const rand = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const [x1, x2, x3] = [rand() * 10, rand() * 10, rand() * 10].map((v) => Math.round(v * 1e4) / 1e4) as [number, number, number];
    const y = (x1 + x2 <= 8 ? 1 : 0) ^ (rand() < 0.1 ? 1 : 0);
    return { x1, x2, x3, y };
  });
}

const samplesOf = (samples: readonly MetricSample[], name: string): MetricSample[] => samples.filter((s) => s.name === name);

afterAll(async () => {
  await deleteTopics(brokers, created);
  rmSync(tmp, { recursive: true, force: true });
});

describe('streamtune train on a real Kafka broker (CLI, real processes)', () => {
  const elec2Topic = newTopic('elec2');
  const elec2Group = uniqueName('elec2-group');
  const elec2Features = ['date', 'day', 'period', 'nswprice', 'nswdemand', 'vicprice', 'vicdemand', 'transfer'];

  it(
    'replays Elec2 into 3 partitions and learns it exactly once: counts, committed = end offsets, accuracy as on the file',
    { timeout: 240_000 },
    async () => {
      const replayed = await exitWithin(
        runCli(['replay', sharedData('elec2.csv'), '--brokers', brokers, '--topic', elec2Topic, '--partitions', '3', '--no-progress']),
        120_000,
      );
      expect(replayed.code, replayed.stderr).toBe(0);
      expect(replayed.stdout).toContain('replayed 45,312 records');
      const ends = await endOffsets(brokers, elec2Topic);
      expect([...ends.keys()].sort()).toEqual([0, 1, 2]);
      expect(sum(ends.values())).toBe(ELEC2_RECORDS);
      for (const end of ends.values()) expect(end).toBeGreaterThan(0);

      const kafka = await trainToEnd('elec2-kafka', ['--source', `kafka://${brokers}/${elec2Topic}`, '--group', elec2Group, '--stop-at-end']);
      const { records } = kafka.summary;
      expect(records.total).toBe(ELEC2_RECORDS);
      expect(records.rejected).toBe(0);
      expect(records.trained + records.holdout + records.rejected).toBe(ELEC2_RECORDS);
      expect(kafka.summary.interrupted).toBe(false);
      expect(kafka.stdout).toMatch(/records\s+45,312 total = /);
      expect(existsSync(kafka.deadLetterFile)).toBe(false);
      // Every partition read to its end and committed there, as an independent admin client sees it.
      expect(await committedOffsets(brokers, elec2Group, elec2Topic)).toEqual(ends);

      // The same job on the file: the same split (records are routed by index) and a close accuracy. Not the
      // same: 3 partitions interleave stretches of Elec2's timeline, and a model learning record by record
      // follows the order it is given (measured: 0.86 from the topic, 0.91 from the file).
      const file = await trainToEnd('elec2-file', ['--source', sharedData('elec2.csv')]);
      expect(file.summary.records).toEqual(records);
      expect(kafka.summary.prequential.accuracy).toBeGreaterThan(0.8);
      expect(Math.abs(kafka.summary.prequential.accuracy! - file.summary.prequential.accuracy!)).toBeLessThan(0.08);
      expect(Math.abs(kafka.summary.holdout.accuracy! - file.summary.holdout.accuracy!)).toBeLessThan(0.08);
    },
  );

  it('a second run of the group once everything is committed reads nothing and exits 0 (features named)', { timeout: 120_000 }, async () => {
    const before = await committedOffsets(brokers, elec2Group, elec2Topic);
    expect(sum(before.values())).toBe(ELEC2_RECORDS); // the previous test committed the end
    const again = await trainToEnd('elec2-again-named', [
      '--source', `kafka://${brokers}/${elec2Topic}`, '--group', elec2Group, '--stop-at-end',
      '--features', elec2Features.join(','), '--label', 'class',
    ]);
    expect(again.summary.records).toEqual({ total: 0, trained: 0, holdout: 0, rejected: 0 });
    expect(again.stdout).toMatch(/records\s+0 total = /);
    expect(await committedOffsets(brokers, elec2Group, elec2Topic)).toEqual(before);
  });

  it('a second identical run of the group reads 0 records and exits 0', { timeout: 120_000 }, async () => {
    const before = await committedOffsets(brokers, elec2Group, elec2Topic);
    const again = await trainToEnd('elec2-again', ['--source', `kafka://${brokers}/${elec2Topic}`, '--group', elec2Group, '--stop-at-end']);
    expect(again.summary.records).toEqual({ total: 0, trained: 0, holdout: 0, rejected: 0 });
    expect(again.stdout).toMatch(/records\s+0 total = /);
    expect(await committedOffsets(brokers, elec2Group, elec2Topic)).toEqual(before);
  });

  it('learns JSON lines produced by an independent client (kcat): every message counted once', { timeout: 120_000 }, async () => {
    const topic = newTopic('sea-kcat');
    const group = uniqueName('sea-kcat-group');
    await createTopic(brokers, topic, 3);
    const count = 4000;
    const rows = seaRecords(count, 3);
    await kcatProduce(brokers, topic, rows.map((row, i) => ({ key: `sensor-${i % 97}`, value: JSON.stringify(row) })));
    const ends = await endOffsets(brokers, topic);
    expect(sum(ends.values())).toBe(count);

    const { summary } = await trainToEnd('sea-kcat', ['--source', `kafka://${brokers}/${topic}`, '--group', group, '--stop-at-end']);
    expect(summary.records.total).toBe(count);
    expect(summary.records.rejected).toBe(0);
    expect(summary.records.trained + summary.records.holdout).toBe(count);
    // Routed by the message key: 97 sensors, each wholly on one side.
    expect(summary.records.holdout).toBeGreaterThan(0);
    expect(summary.records.trained).toBeGreaterThan(summary.records.holdout);
    // It learned the concept: better than always answering the majority class.
    expect(summary.prequential.accuracy).toBeGreaterThan(summary.baselines.majority!.accuracy! + 0.05);
    expect(await committedOffsets(brokers, group, topic)).toEqual(ends);
  });

  it(
    'sends every poison message to the dead-letter topic once, with its original bytes and reason, and commits past it',
    { timeout: 120_000 },
    async () => {
      const topic = newTopic('poison');
      const deadTopic = newTopic('poison-dlt');
      const group = uniqueName('poison-group');
      await createTopic(brokers, topic, 3);
      const valid = seaRecords(600, 5);
      const poison: Array<{ value: Buffer | null; reason: string }> = [
        { value: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), reason: 'malformed' }, // {"\xff\xfe":1}: not UTF-8
        { value: Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), reason: 'malformed' }, // not UTF-8, not JSON either
        { value: Buffer.from('{"x1": 0.5, "x2": oops}'), reason: 'malformed' }, // not JSON
        { value: Buffer.from('this is not json'), reason: 'column_count' }, // plain text reads as a one-value CSV line
        { value: Buffer.from('{"x1": "NaN", "x2": 1, "x3": 2, "y": 0}'), reason: 'non_finite' },
        { value: Buffer.from('{"x1": 1e400, "x2": 1, "x3": 2, "y": 1}'), reason: 'non_finite' },
        { value: Buffer.from('{"x1": 1, "x2": 2, "x3": 3}'), reason: 'missing_label' },
        { value: Buffer.from('{"x1": 1, "x2": true, "x3": 3, "y": 0}'), reason: 'non_numeric' },
        { value: Buffer.from('{"x1": 1, "x2": "2", "x3": [3], "y": 1}'), reason: 'non_numeric' },
        { value: Buffer.from('{"x1": 1, "x3": 3, "y": 1}'), reason: 'missing_feature' },
        { value: Buffer.from('{"x1": 1, "x2": 2, "x3": 3, "y": 2}'), reason: 'label_domain' },
        { value: null, reason: 'malformed' }, // a tombstone
        { value: Buffer.from(''), reason: 'malformed' },
      ];
      // Mix them in: poison i goes to partition i % 3, between valid records; every message has a key.
      type Planned = { message: Message & { partition: number }; reason?: string; offset: number };
      const planned: Planned[] = [];
      const nextOffset = [0, 0, 0];
      const push = (message: Message & { partition: number }, reason?: string): void => {
        planned.push({ message, ...(reason ? { reason } : {}), offset: nextOffset[message.partition]!++ });
      };
      let p = 0;
      valid.forEach((row, i) => {
        push({ partition: i % 3, key: `k${i}`, value: JSON.stringify(row) });
        if (i % 40 === 20 && p < poison.length) {
          const bad = poison[p]!;
          push({ partition: p % 3, key: `poison-${p}`, value: bad.value }, bad.reason);
          p++;
        }
      });
      expect(p).toBe(poison.length);
      await produceMessages(brokers, topic, planned.map((x) => x.message));
      const ends = await endOffsets(brokers, topic);
      expect(ends).toEqual(new Map(nextOffset.map((n, i) => [i, n])));

      const { summary, deadLetterFile } = await trainToEnd('poison', [
        '--source', `kafka://${brokers}/${topic}`, '--group', group, '--stop-at-end',
        '--dead-letter-topic', deadTopic, '--features', 'x1,x2,x3', '--label', 'y',
      ]);
      const expectedReasons: Record<string, number> = {};
      for (const bad of poison) expectedReasons[bad.reason] = (expectedReasons[bad.reason] ?? 0) + 1;
      expect(summary.records.total).toBe(valid.length + poison.length);
      expect(summary.records.rejected).toBe(poison.length);
      expect(summary.records.trained + summary.records.holdout).toBe(valid.length);
      expect(Object.fromEntries(Object.entries(summary.rejectedByReason).filter(([, n]) => (n ?? 0) > 0))).toEqual(expectedReasons);
      expect(existsSync(deadLetterFile)).toBe(false); // the topic, not the file

      const dead = await consumeAll(brokers, deadTopic);
      expect(dead).toHaveLength(poison.length);
      const bySource = new Map(dead.map((m) => [`${m.headers['streamtune-source-partition']}@${m.headers['streamtune-source-offset']}`, m]));
      expect(bySource.size).toBe(poison.length); // each poison message once
      for (const x of planned.filter((m) => m.reason !== undefined)) {
        const where = `${x.message.partition}@${x.offset}`;
        const m = bySource.get(where);
        expect(m, `dead letter of ${where}`).toBeDefined();
        expect(m!.headers['streamtune-reason'], where).toBe(x.reason);
        expect(m!.headers['streamtune-source-topic']).toBe(topic);
        expect(m!.headers['streamtune-position']).toBe(`${topic}/${where}`);
        expect(m!.headers['streamtune-detail']?.length).toBeGreaterThan(0);
        expect(m!.key?.toString()).toBe(x.message.key);
        const original = x.message.value as Buffer | null;
        if (original === null) expect(m!.value, `${where}: a tombstone stays a tombstone`).toBeNull();
        else expect(m!.value?.toString('hex'), where).toBe(original.toString('hex'));
      }
      // Poison offsets are committed too: the group is at the end of every partition.
      expect(await committedOffsets(brokers, group, topic)).toEqual(ends);
    },
  );

  describe('a live run on a 20,000-record backlog', () => {
    const topic = newTopic('sea-synth');
    const count = 20_000;
    let ends: Map<number, number>;

    beforeAll(async () => {
      const synth = await exitWithin(
        runCli(['synth', '--brokers', brokers, '--topic', topic, '--partitions', '3', '--stream', `synth:sea?n=${count}&seed=7`, '--no-progress']),
        120_000,
      );
      expect(synth.code, synth.stderr).toBe(0);
      ends = await endOffsets(brokers, topic);
      expect(sum(ends.values())).toBe(count);
    });

    it('SIGTERM mid-run exits 0 with a summary and commits exactly what it counted; a rerun reads the rest', { timeout: 180_000 }, async () => {
      const group = uniqueName('sigterm-group');
      const firstSummary = join(tmp, 'sigterm-1.summary.json');
      const first = runCli([
        'train', ...common, '--source', `kafka://${brokers}/${topic}`, '--group', group, '--rate', '2000',
        '--summary-json', firstSummary, '--dead-letter', join(tmp, 'sigterm.dead.jsonl'),
      ]);
      // SIGTERM once it is well into the backlog (at 2,000 records/s it is nowhere near the end).
      expect(await recordsWhen(await first.metricsUrl, (n) => n >= 1500, 60_000)).toBeGreaterThanOrEqual(1500);
      expect(first.child.kill('SIGTERM')).toBe(true);
      const stopped = await exitWithin(first, 60_000);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toMatch(/records\s+[\d,]+ total = /);
      const partial = readSummary(firstSummary);
      expect(partial.interrupted).toBe(true);
      expect(partial.records.total).toBeGreaterThan(0);
      expect(partial.records.total).toBeLessThan(count);
      // What the group committed is exactly what the summary counted (the group started at offset 0).
      const committed = await committedOffsets(brokers, group, topic);
      expect(sum([...committed.values()].map((o) => Math.max(o, 0)))).toBe(partial.records.total);

      const rest = await trainToEnd('sigterm-2', ['--source', `kafka://${brokers}/${topic}`, '--group', group, '--stop-at-end']);
      expect(partial.records.total + rest.summary.records.total).toBe(count); // no loss, no duplicate
      expect(rest.summary.records.rejected).toBe(0);
      expect(await committedOffsets(brokers, group, topic)).toEqual(ends);
    });

    it('exports the source and per-partition Kafka metrics while it runs', { timeout: 120_000 }, async () => {
      const group = uniqueName('metrics-group');
      const run = runCli([
        'train', ...common, '--source', `kafka://${brokers}/${topic}`, '--group', group, '--rate', '2000',
        '--dead-letter', join(tmp, 'metrics.dead.jsonl'),
      ]);
      try {
        const url = await run.metricsUrl;
        let samples: MetricSample[] = [];
        // Lag and position are exported for every assigned partition from the group join on; a
        // committed offset once the group committed one there (reading goes partition by partition).
        const complete = (): boolean =>
          samplesOf(samples, 'streamtune_kafka_lag').length === ends.size &&
          samplesOf(samples, 'streamtune_kafka_committed_offset').length > 0 &&
          samplesOf(samples, 'streamtune_records_total').some((s) => s.value > 0);
        for (let attempt = 0; attempt < 120 && !complete(); attempt++) {
          await sleep(250);
          samples = await scrapeMetrics(url);
        }
        expect(samplesOf(samples, 'streamtune_source_up')).toEqual([{ name: 'streamtune_source_up', labels: {}, value: 1 }]);
        const partitionLabels = [...ends.keys()].sort().map((partition) => ({ topic, partition: String(partition) }));
        const labelsOf = (name: string) => samplesOf(samples, name).map((s) => s.labels);
        expect(labelsOf('streamtune_kafka_lag')).toEqual(expect.arrayContaining(partitionLabels));
        expect(labelsOf('streamtune_kafka_lag')).toHaveLength(ends.size);
        expect(labelsOf('streamtune_kafka_position')).toEqual(expect.arrayContaining(partitionLabels));
        expect(partitionLabels).toEqual(expect.arrayContaining(labelsOf('streamtune_kafka_committed_offset')));
        const of = (name: string, partition: number) => samplesOf(samples, name).find((s) => s.labels.partition === String(partition))?.value;
        for (const [partition, end] of ends) {
          // Lag and position describe the same partition: position + lag = end offset.
          expect(of('streamtune_kafka_position', partition)! + of('streamtune_kafka_lag', partition)!).toBe(end);
          const committed = of('streamtune_kafka_committed_offset', partition);
          if (committed !== undefined) {
            expect(committed).toBeGreaterThanOrEqual(0);
            expect(committed).toBeLessThanOrEqual(of('streamtune_kafka_position', partition)!);
          }
        }
      } finally {
        run.child.kill('SIGTERM');
        const { code } = await exitWithin(run, 60_000);
        expect(code).toBe(0);
      }
    });
  });
});
