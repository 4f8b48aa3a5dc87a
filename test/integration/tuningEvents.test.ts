import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { REPO, runCli } from '../support/runCli.js';

const tmp = mkdtempSync(join(tmpdir(), 'streamtune-events-'));
const brokers = inject('kafkaBrokers');

interface TuningEvent {
  type: string;
  reason: string;
  param: string;
  records: number;
  old: number | null;
  new: number | null;
}

describe('tuning events everywhere a person looks', () => {
  it('publishes drift detections and tuning events to the events topic, the metrics log and the summary', async () => {
    const topic = `sea-drift-${Date.now()}`;
    const eventsTopic = `${topic}.events`;
    const replay = await runCli([
      'synth',
      '--brokers', brokers,
      '--topic', topic,
      '--stream', 'synth:sea?n=30000&drifts=10000,20000&thresholds=7,10,7&seed=5',
      '--no-progress',
    ]).done;
    expect(replay.code, replay.stderr).toBe(0);

    const summaryPath = join(tmp, 'summary.json');
    const metricsLog = join(tmp, 'metrics.jsonl');
    const run = await runCli([
      'train',
      '--source', `kafka://${brokers}/${topic}`,
      '--group', `${topic}-trainer`,
      '--stop-at-end',
      '--events-topic', eventsTopic,
      // The classic single model as a population of 3: drift boosts and population rounds both flow.
      '--config', join(REPO, 'examples/classic.yaml'),
      '--population', '3',
      '--metrics-log', metricsLog,
      '--summary-json', summaryPath,
      '--metrics-port', '0',
      '--progress', 'off',
    ]).done;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as { records: { total: number }; tuningEvents: TuningEvent[] };
    expect(summary.records.total).toBe(30_000);
    const boosts = summary.tuningEvents.filter((e) => e.reason === 'drift' && e.param === 'learningRate');
    expect(boosts.length).toBeGreaterThanOrEqual(2);

    // The events topic holds every tuning event of the summary, in order, and the detections.
    const kafka = new Kafka({ brokers: [brokers], clientId: 'events-test', logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${eventsTopic}-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: eventsTopic, fromBeginning: true });
    const published: Array<TuningEvent> = [];
    const expected = summary.tuningEvents.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${published.length} events arrived`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          published.push(JSON.parse(message.value!.toString()) as TuningEvent);
          if (published.filter((e) => e.type === 'tuning').length === expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    const tuning = published.filter((e) => e.type === 'tuning');
    expect(tuning.map(({ reason, param, records }) => ({ reason, param, records }))).toEqual(
      summary.tuningEvents.map(({ reason, param, records }) => ({ reason, param, records })),
    );
    expect(published.filter((e) => e.type === 'drift').length).toBeGreaterThanOrEqual(2);

    // The metrics log carries the same events between its periodic lines.
    const logged = readFileSync(metricsLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type?: string; reason?: string });
    expect(logged.filter((l) => l.type === 'tuning')).toHaveLength(expected);
  }, 120_000);
});
