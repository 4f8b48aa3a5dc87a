import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/runCli.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-ckfail-'));
const brokers = inject('kafkaBrokers');
const kafka = new Kafka({ brokers: [brokers], clientId: 'ckfail-test', logLevel: logLevel.NOTHING });
const admin = kafka.admin();

afterAll(async () => {
  await admin.disconnect();
});

async function committed(group: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('checkpoints that cannot be written', () => {
  it('say so loudly, commit no offset past the last durable checkpoint, and lose nothing', async () => {
    await admin.connect();
    const topic = `ckfail-${Date.now()}`;
    const group = `${topic}-g`;
    const total = 12_000;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    for (let start = 0; start < total; start += 1000) {
      const messages = Array.from({ length: 1000 }, (_, k) => {
        const i = start + k;
        const x1 = (i * 7919) % 1000 / 100;
        const x2 = (i * 104729) % 1000 / 100;
        return { key: `k${i}`, value: JSON.stringify({ x1, x2, y: x1 + x2 <= 10 ? 1 : 0 }) };
      });
      await producer.send({ topic, messages });
    }
    await producer.disconnect();

    const dir = join(tmp, 'ckpt');
    const args = ['train', '--source', `kafka://${brokers}/${topic}`, '--group', group, '--checkpoint-dir', dir, '--checkpoint-every', '1000', '--metrics-port', '0', '--progress', 'off', '--dead-letter', join(tmp, 'dead.jsonl')];
    const run = runCli([...args, '--rate', '3000']);
    const url = await run.metricsUrl;
    await until('two durable checkpoints', async () => (await metric(url, 'streamtune_checkpoints_total')) >= 2);

    // The disk goes away: the directory is replaced by a file, so every later write fails.
    renameSync(dir, `${dir}.saved`);
    writeFileSync(dir, 'not a directory');
    await until('a failed checkpoint', async () => (await metric(url, 'streamtune_checkpoint_failures_total')) >= 1);
    const newest = readdirSync(`${dir}.saved`).filter((f) => f.endsWith('.json')).sort().at(-1) as string;
    const lastDurable = JSON.parse(readFileSync(join(`${dir}.saved`, newest), 'utf8')) as { body: { records: { total: number }; positions: { offsets: Array<{ offset: string }> } } };
    const durableOffsets = lastDurable.body.positions.offsets.reduce((sum, o) => sum + Number(o.offset), 0);
    // Training goes on, but the group's commits stay at (or below) what the last durable checkpoint holds.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await metric(url, 'streamtune_records_total{split="train"}')).toBeGreaterThan(lastDurable.body.records.total * 0.7);
    expect(await committed(group, topic)).toBeLessThanOrEqual(durableOffsets);
    run.child.kill('SIGTERM');
    const stopped = await run.done;
    expect(stopped.stderr).toContain('CHECKPOINT FAILED');
    expect(stopped.code).toBe(1); // the final checkpoint could not be written either
    expect(stopped.stderr).toMatch(/streamtune: the final checkpoint could not be written/);
    expect(await committed(group, topic)).toBeLessThanOrEqual(durableOffsets);

    // The disk comes back: the restart resumes from the last durable checkpoint and finishes exactly once.
    rmSync(dir);
    renameSync(`${dir}.saved`, dir);
    mkdirSync(dir, { recursive: true });
    const summaryPath = join(tmp, 'summary.json');
    const resumed = await runCli([...args, '--stop-at-end', '--summary-json', summaryPath]).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { records: { total: number; rejected: number } };
    expect(summary.records.total).toBe(total);
    expect(summary.records.rejected).toBe(0);
    expect(await committed(group, topic)).toBe(total);
  }, 120_000);
});
