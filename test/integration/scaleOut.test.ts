import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoint/CheckpointStore.js';
import { exitWithin } from '../support/exitWithin.js';
import { readSummary } from '../support/readSummary.js';
import { recordsWhen } from '../support/recordsWhen.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { sharedData } from '../support/sharedData.js';
import { committedOffsets, createTopic, deleteTopics, endOffsets, produceMessages, uniqueName } from '../support/topics.js';

// Trainers of one group on one topic (real processes, real broker): partitions handed over at every
// rebalance with nothing lost and nothing learned twice (docs/scale-out.md).
const brokers = inject('kafkaBrokers');
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-scale-out-'));
const created: string[] = [];
const PARTITIONS = 6;

const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);

/** Elec2 as JSON objects, round-robin over the partitions (each partition keeps the time order). */
async function elec2Topic(): Promise<{ topic: string; features: string[]; label: string; count: number }> {
  const [header, ...lines] = readFileSync(sharedData('elec2.csv'), 'utf8').trim().split(/\r?\n/);
  const names = header!.split(',');
  const messages: Message[] = lines.map((line, i) => {
    const values = line.split(',');
    return { partition: i % PARTITIONS, value: JSON.stringify(Object.fromEntries(names.map((name, j) => [name, Number(values[j])]))) };
  });
  const topic = uniqueName('elec2-scale');
  created.push(topic);
  await createTopic(brokers, topic, PARTITIONS);
  await produceMessages(brokers, topic, messages);
  return { topic, features: names.slice(0, -1), label: names.at(-1)!, count: messages.length };
}

interface Member {
  readonly id: string;
  readonly cli: CliRun;
  readonly summary: string;
  readonly predictions: string;
}

/** One member's run: its own --member-id, the group's shared checkpoint root, its predictions file (one line per record scored). */
function startMember(id: string, group: { topic: string; name: string; root: string; features: string[]; label: string; extra?: string[] }): Member {
  const config = join(tmp, `${group.name}-${id}.yaml`);
  // A killed member stays in the group until its session times out (6 s, the broker's minimum).
  writeFileSync(config, `kafka:\n  sessionTimeoutMs: 6000\nsync:\n  topic: kafka://${brokers}/${group.name}-sync\n  memberId: ${id}\n`);
  const summary = join(tmp, `${group.name}-${id}.summary.json`);
  const predictions = join(tmp, `${group.name}-${id}.predictions.jsonl`);
  const cli = runCli([
    'train', '--metrics-port', '0', '--progress', 'off', '--config', config,
    '--source', `kafka://${brokers}/${group.topic}`, '--group', group.name, '--stop-at-end',
    '--features', group.features.join(','), '--label', group.label,
    '--checkpoint-dir', group.root, '--checkpoint-every', '2000',
    '--predictions', predictions, '--summary-json', summary, '--dead-letter', join(tmp, `${group.name}-${id}.dead.jsonl`),
    ...(group.extra ?? []),
  ]);
  // SCALE_TEST_LOGS=DIR keeps every member's log there (the test's own directory is deleted).
  const keep = process.env.SCALE_TEST_LOGS;
  if (keep) void cli.done.then(({ stderr }) => writeFileSync(join(keep, `${group.name}-${id}.log`), stderr));
  return { id, cli, summary, predictions };
}

/** The positions of every prediction line of these files. */
function predictedPositions(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => (JSON.parse(line) as { position: string }).position)
      : [],
  );
}

/** Every record of the topic scored once across the members: no position missing, none twice. */
function expectEachRecordOnce(files: readonly string[], topic: string, count: number): void {
  const positions = predictedPositions(files);
  const unique = new Set(positions);
  expect(positions.length - unique.size, 'records scored twice').toBe(0);
  expect(unique.size).toBe(count);
  for (let p = 0; p < PARTITIONS; p++) expect(unique.has(`${topic}/${p}@0`)).toBe(true);
}

afterAll(async () => {
  await deleteTopics(brokers, created);
  rmSync(tmp, { recursive: true, force: true });
});

describe('trainers in one group hand partitions over exactly once (CLI, real broker)', () => {
  it('three members on a 6-partition Elec2 topic learn every record exactly once', { timeout: 240_000 }, async () => {
    const { topic, features, label, count } = await elec2Topic();
    const group = { topic, name: uniqueName('three'), root: join(tmp, 'three'), features, label };
    created.push(`${group.name}-sync`);
    // Started one after the other: the first takes all six partitions, then hands some over at each join.
    const members: Member[] = [];
    for (const id of ['m1', 'm2', 'm3']) {
      members.push(startMember(id, { ...group, extra: ['--rate', '3000'] }));
      await members.at(-1)!.cli.metricsUrl;
    }
    const runs = await Promise.all(members.map((m) => exitWithin(m.cli, 200_000)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const summaries = members.map((m) => readSummary(m.summary));
    expect(sum(summaries.map((s) => s.records.total))).toBe(count);
    for (const s of summaries) expect(s.records.total).toBeGreaterThan(0); // each member learned its share
    expectEachRecordOnce(members.map((m) => m.predictions), topic, count);
    expect(await committedOffsets(brokers, group.name, topic)).toEqual(await endOffsets(brokers, topic));
    expect(runs.some((r) => r.stderr.includes('took over'))).toBe(true);
    expect(runs.filter((r) => /sync round \d+: [23] members/.test(r.stderr)).length).toBeGreaterThanOrEqual(2); // they merged each other's models
    // The merged model learns as well as one trainer reading the whole topic: record-weighted
    // prequential accuracy of the members against a single trainer (its own group, no sync).
    const single = join(tmp, 'single.summary.json');
    const alone = await exitWithin(
      runCli([
        'train', '--metrics-port', '0', '--progress', 'off', '--source', `kafka://${brokers}/${topic}`, '--group', uniqueName('single'),
        '--stop-at-end', '--features', features.join(','), '--label', label, '--summary-json', single, '--dead-letter', join(tmp, 'single.dead.jsonl'),
      ]),
      200_000,
    );
    expect(alone.code, alone.stderr).toBe(0);
    const trained = sum(summaries.map((s) => s.records.trained));
    const merged = sum(summaries.map((s) => s.prequential.accuracy! * s.records.trained)) / trained;
    const one = readSummary(single).prequential.accuracy!;
    console.info(`scale-out: 3 syncing members' prequential accuracy ${merged.toFixed(4)} (${summaries.map((s) => s.prequential.accuracy!.toFixed(4)).join(', ')}), one trainer ${one.toFixed(4)}`);
    expect(Math.abs(merged - one)).toBeLessThanOrEqual(0.02);
  });

  it('a member killed with kill -9 mid-run: the other two finish the topic, nothing lost or learned twice', { timeout: 240_000 }, async () => {
    const { topic, features, label, count } = await elec2Topic();
    const group = { topic, name: uniqueName('killed'), root: join(tmp, 'killed'), features, label, extra: ['--rate', '1000'] };
    created.push(`${group.name}-sync`);
    const members = ['m1', 'm2', 'm3'].map((id) => startMember(id, group));
    const [victim, ...survivors] = members as [Member, Member, Member];
    const url = await victim.cli.metricsUrl;
    await recordsWhen(url, (n) => n >= 3000, 60_000); // past its first periodic checkpoints
    // ... and one of them durable (fsync can lag on a loaded machine): the kill lands mid-run, after learning.
    const victimStore = new CheckpointStore({ dir: join(group.root, victim.id) });
    for (let waited = 0; waited < 30_000 && !((await victimStore.loadLatest())?.checkpoint.records.total ?? 0); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    victim.cli.child.kill('SIGKILL');
    expect((await exitWithin(victim.cli, 30_000)).signal).toBe('SIGKILL');
    const runs = await Promise.all(survivors.map((m) => exitWithin(m.cli, 200_000)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    // What the victim learned is what its newest durable checkpoint holds; its predictions file is
    // cut back to that checkpoint, as its own restart would do.
    const latest = await victimStore.loadLatest();
    expect(latest).toBeDefined();
    const durable = latest!.checkpoint.records.total;
    expect(durable).toBeGreaterThan(0);
    const kept = (latest!.checkpoint.state as { predictions?: { bytes: number } }).predictions?.bytes ?? 0;
    truncateSync(victim.predictions, kept);
    const survived = survivors.map((m) => readSummary(m.summary).records.total);
    expect(durable + sum(survived)).toBe(count);
    expectEachRecordOnce(members.map((m) => m.predictions), topic, count);
    expect(await committedOffsets(brokers, group.name, topic)).toEqual(await endOffsets(brokers, topic));
  });

  it('a fourth member joining mid-run takes over partitions; the sum still adds up', { timeout: 240_000 }, async () => {
    const { topic, features, label, count } = await elec2Topic();
    // Slow enough (about 25 s for the three) that the fourth, started after 1,500 records, joins
    // well before the end even when its start-up is slow on a loaded machine.
    const group = { topic, name: uniqueName('joined'), root: join(tmp, 'joined'), features, label, extra: ['--rate', '600'] };
    created.push(`${group.name}-sync`);
    const members = ['m1', 'm2', 'm3'].map((id) => startMember(id, group));
    await recordsWhen(await members[0]!.cli.metricsUrl, (n) => n >= 1500, 60_000);
    const late = startMember('m4', group);
    members.push(late);
    const runs = await Promise.all(members.map((m) => exitWithin(m.cli, 200_000)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const summaries = members.map((m) => readSummary(m.summary));
    expect(summaries[3]!.records.total).toBeGreaterThan(0); // it took over partitions and learned from them
    expect(runs[3]!.stderr).toContain('took over');
    expect(runs[3]!.stderr).toMatch(/sync: m4 starts from the merged models of m\d/);
    expect(sum(summaries.map((s) => s.records.total))).toBe(count);
    expectEachRecordOnce(members.map((m) => m.predictions), topic, count);
  });
});
