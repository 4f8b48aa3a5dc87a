import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KafkaPositions } from '../../src/checkpoint/Checkpoint.js';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';
import { exitWithin } from '../support/exitWithin.js';
import { startBroker, type KafkaBroker } from '../support/kafkaBroker.js';
import { readSummary } from '../support/readSummary.js';
import { recordsWhen } from '../support/recordsWhen.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { scrapeMetrics } from '../support/scrapeMetrics.js';
import { seededRandom } from '../support/seededRandom.js';
import { sharedData } from '../support/sharedData.js';
import { committedOffsets, createTopic, deleteTopics, endOffsets, produceMessages, uniqueName } from '../support/topics.js';

// Exactly-once recovery with a Kafka source: real CLI processes killed with SIGKILL, and a real broker restarted.
const brokers = inject('kafkaBrokers');
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-kafka-recovery-'));
const created: string[] = [];
const common = ['--metrics-port', '0', '--progress', 'off'];

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Elec2 rows as JSON objects (numbers), as `streamtune replay` would send them. */
function elec2Json(): { features: string[]; label: string; rows: string[] } {
  const [header, ...lines] = readFileSync(sharedData('elec2.csv'), 'utf8').trim().split(/\r?\n/);
  const names = header!.split(',');
  const rows = lines.map((line) => {
    const values = line.split(',');
    return JSON.stringify(Object.fromEntries(names.map((name, i) => [name, Number(values[i])])));
  });
  return { features: names.slice(0, -1), label: names.at(-1)!, rows };
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

afterAll(async () => {
  await deleteTopics(brokers, created);
  rmSync(tmp, { recursive: true, force: true });
});

describe('exactly-once recovery from a Kafka topic (CLI, real processes)', () => {
  it('survives 10 kill -9 at seeded random moments: every record and every poison message counted exactly once', { timeout: 240_000 }, async () => {
    const topic = uniqueName('elec2-kill');
    created.push(topic);
    const group = uniqueName('kill-group');
    await createTopic(brokers, topic, 3);
    const { features, label, rows } = elec2Json();
    // Elec2 with a poison message every 1,511 rows (not the first message of a partition), round-robin over 3 partitions.
    const poisonKinds = [
      { value: '{"date": 0, "day": "Tuesday"', reason: 'malformed' },
      { value: 'not json at all', reason: 'column_count' }, // read as a one-value CSV line
      { value: '{"date": 0.5, "nswprice": "n/a"}', reason: 'missing_feature' },
    ];
    const messages: Array<Message & { partition: number }> = [];
    const poison: Array<{ position: string; reason: string }> = [];
    const nextOffset = [0, 0, 0];
    const add = (value: string, reason?: string): void => {
      const partition = messages.length % 3;
      if (reason) poison.push({ position: `${topic}/${partition}@${nextOffset[partition]}`, reason });
      nextOffset[partition]!++;
      messages.push({ partition, value });
    };
    rows.forEach((row, i) => {
      add(row);
      if (i % 1511 === 1000) {
        const kind = poisonKinds[poison.length % poisonKinds.length]!;
        add(kind.value, kind.reason);
      }
    });
    await produceMessages(brokers, topic, messages);
    const ends = await endOffsets(brokers, topic);
    expect(sum(ends.values())).toBe(rows.length + poison.length);
    expect(poison.length).toBe(30);

    const dir = join(tmp, 'kill-checkpoints');
    const deadLetter = join(tmp, 'kill.dead.jsonl');
    const summaryPath = join(tmp, 'kill.summary.json');
    // A killed member stays in the group until its session times out: the restart's join waits that long.
    const config = join(tmp, 'kill.yaml');
    writeFileSync(config, 'kafka:\n  sessionTimeoutMs: 6000\n');
    const args = [
      'train', ...common, '--config', config,
      '--source', `kafka://${brokers}/${topic}`, '--group', group,
      '--features', features.join(','), '--label', label,
      '--checkpoint-dir', dir, '--checkpoint-every', '2000', '--rate', '8000',
      '--dead-letter', deadLetter, '--summary-json', summaryPath,
    ];
    const store = new CheckpointStore({ dir });
    const rand = seededRandom(20_240_611);
    const progress: number[] = [];
    const processed: number[] = []; // records each killed run had processed
    for (let kill = 0; kill < 10; kill++) {
      const cli = runCli(args);
      const url = await started(cli);
      // Die after a seeded random number of records (not a delay: the speed varies), so the kill
      // lands before, during or between checkpoints and commits.
      const target = Math.round(1000 + rand() * 4500); // these 10 add up to 32,870: the stream (45,342) outlasts them
      processed.push(await recordsWhen(url, (n) => n >= target, 30_000));
      cli.child.kill('SIGKILL');
      const { signal, stderr } = await exitWithin(cli, 30_000);
      expect(signal, stderr).toBe('SIGKILL'); // without --stop-at-end it never ends by itself
      // What survives a kill is consistent: the checkpoint's count is exactly what its offsets cover,
      // and the group never committed past it.
      const latest = await store.loadLatest();
      expect(latest).toBeDefined();
      const positions = latest!.checkpoint.positions as KafkaPositions;
      expect(positions.kind).toBe('kafka');
      const covered = sum(positions.offsets.map((o) => Number(o.offset)));
      expect(latest!.checkpoint.records.total).toBe(covered);
      const committed = await committedOffsets(brokers, group, topic);
      for (const o of positions.offsets) expect(committed.get(o.partition) ?? -1).toBeLessThanOrEqual(Number(o.offset));
      progress.push(covered);
    }
    expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never went back
    expect(progress.at(-1)!).toBeLessThan(rows.length); // the kills landed mid-stream, not after it

    const last = await exitWithin(runCli([...args, '--stop-at-end']), 120_000);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toContain('resuming from');
    const summary = readSummary(summaryPath);
    expect(summary.records.total).toBe(rows.length + poison.length);
    expect(summary.records.rejected).toBe(poison.length);
    expect(summary.records.trained + summary.records.holdout).toBe(rows.length);
    expect(summary.prequential.accuracy).toBeGreaterThan(0.7);
    expect(await committedOffsets(brokers, group, topic)).toEqual(ends);
    const dead = readFileSync(deadLetter, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { position: string; reason: string });
    const byPosition = (a: { position: string }, b: { position: string }) => (a.position < b.position ? -1 : 1);
    // Each poison message once, none lost, none twice (the dead letter is cut back to the checkpoint on resume).
    expect(dead.map(({ position, reason }) => ({ position, reason })).sort(byPosition)).toEqual([...poison].sort(byPosition));
    console.info(
      `kafka kill -9 recovery: ${processed.length} kills after ${processed.join(', ')} records processed; checkpointed after each: ${progress.join(', ')}; ` +
        `final run read ${summary.records.total - progress.at(-1)!} of ${summary.records.total}`,
    );
  });

  describe('a broker restart mid-run (private broker)', () => {
    let broker: KafkaBroker | undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'streamtune-kafka-private-'));

    afterAll(async () => {
      await broker?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    beforeAll(async () => {
      broker = await startBroker({ dataDir });
    });

    it('the trainer rides out the outage and counts every record exactly once', { timeout: 300_000 }, async () => {
      if (!broker) throw new Error('the private broker did not start');
      const bootstrap = broker.brokers;
      const topic = uniqueName('sea-restart');
      const group = uniqueName('restart-group');
      const count = 30_000;
      const synth = await exitWithin(
        runCli(['synth', '--brokers', bootstrap, '--topic', topic, '--partitions', '3', '--stream', `synth:sea?n=${count}&seed=3`, '--no-progress']),
        120_000,
      );
      expect(synth.code, synth.stderr).toBe(0);
      const ends = await endOffsets(bootstrap, topic);
      expect(sum(ends.values())).toBe(count);

      const config = join(tmp, 'restart.yaml');
      writeFileSync(config, 'kafka:\n  sessionTimeoutMs: 6000\n');
      const summaryPath = join(tmp, 'restart.summary.json');
      const cli = runCli([
        'train', ...common, '--config', config,
        '--source', `kafka://${bootstrap}/${topic}`, '--group', group, '--stop-at-end', '--rate', '5000',
        '--dead-letter', join(tmp, 'restart.dead.jsonl'), '--summary-json', summaryPath,
      ]);
      const url = await started(cli);
      // Watch streamtune_source_up all along (the metrics server is the trainer's, not the broker's).
      const seen: number[] = [];
      let watching = true;
      const watcher = (async () => {
        for (let i = 0; i < 2000 && watching; i++) {
          try {
            const up = (await scrapeMetrics(url)).find((s) => s.name === 'streamtune_source_up');
            if (up && seen.at(-1) !== up.value) seen.push(up.value);
          } catch {
            // the trainer is exiting
          }
          await sleep(100);
        }
      })();
      await recordsWhen(url, (n) => n >= 5000, 60_000); // mid-run
      const outageStart = Date.now();
      await broker.restart();
      const outageMs = Date.now() - outageStart;
      const done = await exitWithin(cli, 180_000);
      watching = false;
      await watcher;
      expect(done.code, done.stderr).toBe(0);
      const summary = readSummary(summaryPath);
      expect(summary.records.total).toBe(count);
      expect(summary.records.rejected).toBe(0);
      expect(summary.records.trained + summary.records.holdout).toBe(count);
      expect(await committedOffsets(bootstrap, group, topic)).toEqual(ends);
      // Once up, the source went down during the outage (kafkajs retries for ~10 s before it gives
      // up and restarts the consumer, so a shorter outage may not show) and came back.
      const sinceUp = seen.slice(seen.indexOf(1));
      expect(sinceUp[0]).toBe(1);
      if (outageMs > 15_000) expect(sinceUp).toContain(0);
      if (sinceUp.includes(0)) expect(sinceUp.slice(sinceUp.indexOf(0))).toContain(1);
      console.info(`kafka broker restart: outage ${outageMs} ms, streamtune_source_up went ${seen.join(' -> ')}, ${summary.records.total} records`);
    });
  });
});
