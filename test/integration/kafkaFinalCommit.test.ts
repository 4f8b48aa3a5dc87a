import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitWithin } from '../support/exitWithin.js';
import { startBroker, type KafkaBroker } from '../support/kafkaBroker.js';
import { readSummary } from '../support/readSummary.js';
import { runCli, type CliRun } from '../support/runCli.js';
import { recordsWhen } from '../support/recordsWhen.js';
import { committedOffsets, endOffsets, uniqueName } from '../support/topics.js';

// The broker goes down as the last records are learned: the final offset commit is retried until
// the broker is back (then every offset is committed), or until the run is stopped (then it exits cleanly).
const tmp = mkdtempSync(join(tmpdir(), 'streamtune-final-commit-'));
const dataDir = mkdtempSync(join(tmpdir(), 'streamtune-kafka-final-'));
const count = 12_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values: Iterable<number>): number => [...values].reduce((a, b) => a + b, 0);
let broker: KafkaBroker | undefined;

beforeAll(async () => {
  broker = await startBroker({ dataDir });
}, 180_000);

afterAll(async () => {
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/** Writes a topic of SEA records and starts a slow trainer on it that fetches everything at once. */
async function slowTrainer(name: string): Promise<{ cli: CliRun; url: string; topic: string; group: string; summaryPath: string }> {
  const bootstrap = broker!.brokers;
  const topic = uniqueName(name);
  const group = uniqueName(`${name}-group`);
  const synth = await exitWithin(runCli(['synth', '--brokers', bootstrap, '--topic', topic, '--partitions', '3', '--stream', `synth:sea?n=${count}&seed=4`, '--no-progress']), 120_000);
  expect(synth.code, synth.stderr).toBe(0);
  const config = join(tmp, `${name}.yaml`);
  writeFileSync(config, 'kafka:\n  sessionTimeoutMs: 6000\n  queueSize: 20000\n'); // every record fetched long before it is learned
  const summaryPath = join(tmp, `${name}.summary.json`);
  const cli = runCli([
    'train', '--metrics-port', '0', '--progress', 'off', '--config', config,
    '--source', `kafka://${bootstrap}/${topic}`, '--group', group, '--stop-at-end', '--rate', '800',
    '--dead-letter', join(tmp, `${name}.dead.jsonl`), '--summary-json', summaryPath,
  ]);
  const url = await Promise.race([cli.metricsUrl, cli.done.then((d) => Promise.reject(new Error(`exited early: ${d.stderr}`)))]);
  // Every message is fetched within a second (the queue holds them all); about a second of learning is
  // left when the broker dies: the run ends before kafkajs gives up on the broker and restarts the consumer.
  await recordsWhen(url, (n) => n >= count - 800, 120_000);
  return { cli, url, topic, group, summaryPath };
}

async function waitFor(cli: CliRun, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cli.stderrSoFar().includes(text)) {
    if (Date.now() > deadline) throw new Error(`"${text}" never appeared; stderr:\n${cli.stderrSoFar().slice(-3000)}`);
    await sleep(200);
  }
}

describe('the final offset commit when the broker is down at the end of a run (private broker)', () => {
  it('is retried until the broker is back, then every offset is committed and the run exits 0', { timeout: 300_000 }, async () => {
    const { cli, topic, group, summaryPath } = await slowTrainer('final-retry');
    const ends = await endOffsets(broker!.brokers, topic);
    broker!.crash();
    await waitFor(cli, 'final Kafka offset commit failed', 90_000);
    await sleep(3_000);
    expect(cli.child.exitCode).toBeNull(); // still trying, not gone
    await broker!.up();
    const done = await exitWithin(cli, 120_000);
    expect(done.code, done.stderr).toBe(0);
    expect(readSummary(summaryPath).records.total).toBe(count);
    expect(sum(ends.values())).toBe(count);
    expect(await committedOffsets(broker!.brokers, group, topic)).toEqual(ends);
  });

  it('stops retrying at a stop signal and exits cleanly, leaving the records to be read again', { timeout: 300_000 }, async () => {
    const { cli, topic, group, summaryPath } = await slowTrainer('final-stop');
    const ends = await endOffsets(broker!.brokers, topic);
    broker!.crash();
    await waitFor(cli, 'final Kafka offset commit failed', 90_000);
    cli.child.kill('SIGTERM');
    const done = await exitWithin(cli, 30_000);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain('stopping: no more retries of the final commit');
    expect(done.stderr).toContain('the group reads the uncommitted records again');
    expect(readSummary(summaryPath).records.total).toBe(count);
    await broker!.up();
    // Whatever was committed before the outage, never past the end; the rest is read again by the group.
    const committed = await committedOffsets(broker!.brokers, group, topic);
    for (const [partition, offset] of committed) expect(offset).toBeLessThanOrEqual(ends.get(partition)!);
  });
});
