import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';
import type { KafkaPositions } from '../../src/checkpoint/Checkpoint.js';
import { parseConfig } from '../../src/config.js';
import { runPipeline } from '../../src/pipeline.js';
import { createTrainingParts } from '../../src/training/TrainingParts.js';
import type { RawRecord } from '../../src/types.js';
import { exitWithin } from '../support/exitWithin.js';
import { readSummary } from '../support/readSummary.js';
import { recordsWhen } from '../support/recordsWhen.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { scrapeMetrics } from '../support/scrapeMetrics.js';
import { sharedData } from '../support/sharedData.js';
import { committedOffsets, createTopic, deleteTopics, endOffsets, produceMessages, uniqueName } from '../support/topics.js';

// Issue 13 part 4: Elec2 as a features topic and a labels topic (label i sent after the features
// of record i + 500), learned with --labels through three kill -9. Its accuracy is compared with
// the same two streams joined in this process (no broker, no kill): labels inline score higher on
// Elec2 (a model that has learned every earlier record), as docs/delayed-labels.md explains.
const brokers = inject('kafkaBrokers');
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-delayed-labels-'));
const created: string[] = [];
const common = ['--metrics-port', '0', '--progress', 'off'];
const DELAY = 500;
const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

afterAll(async () => {
  await deleteTopics(brokers, created);
  rmSync(tmp, { recursive: true, force: true });
});

/** Elec2 rows as numbers by column name. */
function elec2(): { names: string[]; rows: Record<string, number>[] } {
  const [header, ...lines] = readFileSync(sharedData('elec2.csv'), 'utf8').trim().split(/\r?\n/);
  const names = header!.split(',');
  const rows = lines.map((line) => {
    const values = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, Number(values[i])]));
  });
  return { names, rows };
}

/** The metrics URL once the run serves it; fails with its stderr if it exits first. */
async function started(cli: CliRun): Promise<string> {
  return Promise.race([
    cli.metricsUrl,
    cli.done.then(({ code, signal, stderr }) => {
      throw new Error(`the trainer exited (${code ?? signal}) before serving metrics:\n${stderr}`);
    }),
  ]);
}

describe('labels that arrive later (Elec2, features and labels topics, real broker)', () => {
  it('learns every record once with its label through 3 kill -9, within 0.03 of the same streams joined in process; expired, orphan and duplicate labels dead-lettered once', { timeout: 240_000 }, async () => {
    const { names, rows } = elec2();
    const label = names.at(-1)!;
    const features = names.slice(0, -1);
    const [featuresTopic, labelsTopic, inlineTopic] = [uniqueName('elec2-features'), uniqueName('elec2-labels'), uniqueName('elec2-inline')];
    created.push(featuresTopic, labelsTopic, inlineTopic);
    await createTopic(brokers, featuresTopic, 2);
    await createTopic(brokers, labelsTopic, 1);
    await createTopic(brokers, inlineTopic, 1);

    // Records whose label never comes, labels whose record never comes, labels sent twice.
    const missing = new Set(rows.map((_, i) => i).filter((i) => i % 4000 === 1234 && i < rows.length - 5000));
    const duplicated = new Set([2000, 17_000, 30_000]);
    const ghosts: string[] = [];
    // In production order: features of i, then (every 3,000 records) a label for a key no record has, then the label of i - DELAY.
    const t0 = Date.now() - 3_600_000;
    const batches: { features: Message[]; labels: Message[] }[] = [];
    let current = { features: [] as Message[], labels: [] as Message[] };
    const labelOf = (j: number, at: number): void => {
      if (missing.has(j)) return;
      const message = { key: String(j), value: JSON.stringify({ label: rows[j]![label] }), timestamp: String(at) };
      current.labels.push(message);
      if (duplicated.has(j)) current.labels.push({ ...message });
    };
    rows.forEach((row, i) => {
      const { [label]: _label, ...x } = row;
      current.features.push({ key: String(i), value: JSON.stringify(x), timestamp: String(t0 + i * 10) });
      if (i % 3000 === 1500) {
        ghosts.push(`ghost-${i}`);
        current.labels.push({ key: `ghost-${i}`, value: '{"label": 1}', timestamp: String(t0 + i * 10 + 1) });
      }
      if (i >= DELAY) labelOf(i - DELAY, t0 + i * 10 + 2);
      if (current.features.length === 250) {
        batches.push(current);
        current = { features: [], labels: [] };
      }
    });
    for (let j = rows.length - DELAY; j < rows.length; j++) labelOf(j, t0 + (rows.length + j) * 10);
    batches.push(current);

    // The inline run's topic: the same records with their labels, keyed the same (so the same holdout).
    await produceMessages(brokers, inlineTopic, rows.map((row, i) => ({ key: String(i), value: JSON.stringify(row) })));

    // Produce the two topics while the trainer reads them (about 25 s), so it reads them about in production order.
    const producer = new Kafka({ clientId: 'delayed-labels-it', brokers: [brokers], logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // Production pauses while the trainer is down (a restart then reads a short backlog, as a live one would).
    let gate: Promise<void> = Promise.resolve();
    let open: () => void = () => {};
    const pause = (): void => void (gate = new Promise((resolve) => (open = resolve)));
    pause(); // until the trainer is up
    const producing = (async () => {
      try {
        for (const batch of batches) {
          await gate;
          await producer.send({ topic: featuresTopic, acks: -1, messages: batch.features });
          if (batch.labels.length > 0) await producer.send({ topic: labelsTopic, acks: -1, messages: batch.labels });
          await new Promise((resolve) => setTimeout(resolve, 130));
        }
      } finally {
        await producer.disconnect();
      }
    })();

    const dir = join(tmp, 'checkpoints');
    const deadLetter = join(tmp, 'dead.jsonl');
    const predictions = join(tmp, 'predictions.jsonl');
    const summaryPath = join(tmp, 'summary.json');
    const config = join(tmp, 'kafka.yaml');
    writeFileSync(config, 'kafka:\n  sessionTimeoutMs: 6000\n');
    const group = uniqueName('delayed-group');
    const args = [
      'train', ...common, '--config', config, '--task', 'binary',
      '--source', `kafka://${brokers}/${featuresTopic}`, '--labels', `kafka://${brokers}/${labelsTopic}`, '--label-ttl', '2000',
      '--group', group, '--label', label,
      '--checkpoint-dir', dir, '--checkpoint-every', '2000',
      '--dead-letter', deadLetter, '--predictions', predictions, '--summary-json', summaryPath,
    ];
    const store = new CheckpointStore({ dir });
    const pendingSeen: number[] = [];
    // Each run's own count (records learned and rejected in this process): kills land before, in and after catching up a backlog.
    for (const target of [6000, 8000, 8000]) {
      const cli = runCli(args);
      const url = await started(cli);
      open();
      await recordsWhen(url, (n) => n >= target, 90_000);
      const metrics = await scrapeMetrics(url);
      pendingSeen.push(metrics.find((s) => s.name === 'streamtune_labels_pending')?.value ?? NaN);
      pause();
      cli.child.kill('SIGKILL');
      const { signal, stderr } = await exitWithin(cli, 30_000);
      expect(signal, stderr).toBe('SIGKILL');
      // Never committed past the durable checkpoint, on either topic.
      const latest = await store.loadLatest();
      const positions = (latest!.checkpoint.positions as KafkaPositions).offsets;
      for (const topic of [featuresTopic, labelsTopic]) {
        const committed = await committedOffsets(brokers, group, topic);
        for (const o of positions.filter((p) => p.topic === topic)) expect(committed.get(o.partition) ?? -1).toBeLessThanOrEqual(Number(o.offset));
      }
    }
    // Records were waiting for their labels when each kill landed.
    expect(pendingSeen.every((n) => n > 0)).toBe(true);
    open();
    await producing;

    const last = await exitWithin(runCli([...args, '--stop-at-end']), 120_000);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toContain('resuming from');
    const summary = readSummary(summaryPath);
    const learnedCount = rows.length - missing.size;
    expect(summary.records.trained + summary.records.holdout).toBe(learnedCount);
    expect(summary.rejectedByReason).toEqual({ label_expired: missing.size, orphan_label: ghosts.length, duplicate_label: duplicated.size });
    expect(summary.records.total).toBe(rows.length + ghosts.length + duplicated.size);

    // Every record scored (and learned) exactly once: one prediction line per record, none twice, none lost.
    const scored = readFileSync(predictions, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { position: string; key: string });
    expect(scored.length).toBe(learnedCount);
    expect(new Set(scored.map((s) => s.key)).size).toBe(learnedCount);
    expect(scored.every((s) => !missing.has(Number(s.key)))).toBe(true);

    // The dead letter holds each expired record, orphan and duplicate label once.
    const dead = readFileSync(deadLetter, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string; reason: string });
    const keysOf = (reason: string): string[] => dead.filter((d) => d.reason === reason).map((d) => d.key).sort();
    expect(keysOf('label_expired')).toEqual([...missing].map(String).sort());
    expect(keysOf('orphan_label')).toEqual([...ghosts].sort());
    expect(keysOf('duplicate_label')).toEqual([...duplicated].map(String).sort());
    expect(dead.length).toBe(missing.size + ghosts.length + duplicated.size);

    // Both topics' offsets committed to their ends; nothing waits in the final checkpoint.
    for (const topic of [featuresTopic, labelsTopic]) expect(await committedOffsets(brokers, group, topic)).toEqual(await endOffsets(brokers, topic));
    const final = await store.loadLatest();
    const waiting = (final!.checkpoint.state as unknown as { labels: { records: unknown[]; labels: unknown[] } }).labels;
    expect(waiting.records).toEqual([]);
    expect(waiting.labels).toEqual([]);

    // The same two streams in production order, joined in this process (no broker, no kill): the
    // delayed-label evaluation the Kafka run must match.
    const sequence: RawRecord[] = [];
    const raw = (topic: string, m: Message): void => {
      const value = String(m.value);
      const key = String(m.key);
      const origin = { topic, partition: 0, offset: String(sequence.length), key: Buffer.from(key), value: Buffer.from(value) };
      const fields = JSON.parse(value) as Record<string, unknown>;
      sequence.push({ index: sequence.length, position: `${topic}/0@${sequence.length}`, key, raw: value, time: Number(m.timestamp), fields, origin });
    };
    for (const batch of batches) {
      for (const m of batch.features) raw('features', m);
      for (const m of batch.labels) raw('labels', m);
    }
    const referenceConfig = parseConfig({ source: 'kafka://127.0.0.1:1/features', task: 'binary', label, labels: { source: 'kafka://127.0.0.1:1/labels', ttlRecords: 2000 } });
    const schema = { task: 'binary' as const, features, label, classes: 2 };
    const joined = await runPipeline({
      config: referenceConfig,
      schema,
      parts: createTrainingParts(referenceConfig, schema),
      records: (async function* () {
        yield* sequence;
      })(),
      onRejected: () => {},
    });
    const inProcess = joined.evaluation.cumulative.train.accuracy ?? NaN;
    expect(joined.counts.trained + joined.counts.holdout).toBe(learnedCount);

    // The same stream with its labels inline (for comparison: a model that has learned every earlier record).
    const inlineSummary = join(tmp, 'inline.summary.json');
    const inline = await exitWithin(
      runCli([
        'train', ...common, '--task', 'binary', '--source', `kafka://${brokers}/${inlineTopic}`, '--group', uniqueName('inline-group'),
        '--features', features.join(','), '--label', label, '--stop-at-end', '--summary-json', inlineSummary, '--dead-letter', join(tmp, 'inline.dead.jsonl'),
      ]),
      120_000,
    );
    expect(inline.code, inline.stderr).toBe(0);
    const reference = readSummary(inlineSummary);
    const delayed = summary.prequential.accuracy ?? NaN;
    const inlineAccuracy = reference.prequential.accuracy ?? NaN;
    expect(sum([reference.records.trained, reference.records.holdout])).toBe(rows.length);
    // The join, the broker and the kills cost nothing: not worse than the same streams joined in one
    // process. It may be better: how far the consumer reads features ahead of labels varies from run
    // to run (0.737 to 0.768 measured), and a label taken in sooner shortens the effective delay.
    expect(delayed).toBeGreaterThan(inProcess - 0.03);
    // Predicting 500 records ahead costs accuracy on Elec2 (it rewards recency): below inline, well above the majority class.
    expect(delayed).toBeLessThan(inlineAccuracy);
    expect(delayed).toBeGreaterThan((summary.baselines.majority?.accuracy ?? 1) + 0.1);
    console.info(
      `delayed labels (Elec2, delay ${DELAY}, 3 kill -9): prequential accuracy ${delayed.toFixed(4)}, the same streams joined in process ${inProcess.toFixed(4)}, inline ${inlineAccuracy.toFixed(4)}; ` +
        `pending at the kills ${pendingSeen.join(', ')}; expired ${missing.size}, orphan ${ghosts.length}, duplicate ${duplicated.size}`,
    );
  });
});
