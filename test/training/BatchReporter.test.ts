import { describe, expect, it } from 'vitest';
import { Evaluator } from '../../src/eval/Evaluator.js';
import type { BatchReport } from '../../src/pipeline.js';
import { emptyCounts } from '../../src/records/RecordCounts.js';
import { Telemetry } from '../../src/telemetry/registry.js';
import { BatchReporter } from '../../src/training/BatchReporter.js';
import type { TuningEvent } from '../../src/tune/TuningEvent.js';
import { scoredBatch } from '../support/scoredBatch.js';

const event: TuningEvent = {
  time: '2026-11-30T00:00:00.000Z',
  records: 640,
  batches: 20,
  reason: 'drift',
  param: 'learningRate',
  old: 0.001,
  new: 0.003,
  signals: { detector: 'pageHinkley' },
};

function report(total: number, extra: Partial<BatchReport> = {}): BatchReport {
  const batch = scoredBatch([{ y: 1, split: 'train', p: [0.9] }]);
  const evaluator = new Evaluator({ task: 'binary', classes: 2, window: 10 });
  evaluator.update(batch);
  return {
    batch,
    evaluation: evaluator.get(),
    counts: { ...emptyCounts(), total, trained: total },
    doneThrough: total - 1,
    drift: null,
    decision: { hp: { learningRate: 0.001, l2: 0.001 }, events: [], actions: [] },
    ...extra,
  };
}

describe('BatchReporter', () => {
  it('sends drifts and tuning events to the log, metrics, metrics log and events topic, and keeps the events', async () => {
    const telemetry = new Telemetry();
    const logged: string[] = [];
    const metricsLog: object[] = [];
    const events: string[] = [];
    const progress: number[] = [];
    const reporter = new BatchReporter(
      {
        telemetry,
        log: { info: (_o: object, message: string) => void logged.push(message) } as never,
        progress: { update: (s) => void progress.push(s.records) },
        metricsLog: { write: (e) => void metricsLog.push(e) },
        events: { write: (m) => void events.push(m.value) },
      },
      { hyperParams: () => ({ learningRate: 0.003, l2: 0.001 }), detectorStats: () => ({}), tensors: () => 7 },
      { logEvery: 1000 },
    );
    reporter.report(
      report(640, {
        drift: { detector: 'pageHinkley', signal: 'prequential_error', index: 600 },
        decision: { hp: { learningRate: 0.003, l2: 0.001 }, events: [event], actions: [] },
      }),
    );
    expect(logged).toEqual(['drift detected by pageHinkley at record 600', 'tuner: drift learningRate 0.001 -> 0.003']);
    expect(events.map((v) => JSON.parse(v).type)).toEqual(['drift', 'tuning']);
    expect(metricsLog).toEqual([{ type: 'tuning', ...event }]);
    expect(reporter.tuningEvents).toEqual([event]);
    expect(progress).toEqual([640]);
    const metrics = await telemetry.registry.metrics();
    expect(metrics).toMatch(/streamtune_drift_detected_total\{detector="pageHinkley"\} 1/);
    expect(metrics).toMatch(/streamtune_tensors 7/);
  });

  it('writes a metrics-log line each time the record count passes a multiple of logEvery', () => {
    const lines: Array<{ records?: number; learningRate?: number }> = [];
    const reporter = new BatchReporter(
      { telemetry: new Telemetry(), log: { info: () => {} } as never, progress: { update: () => {} }, metricsLog: { write: (e) => void lines.push(e) } },
      { hyperParams: () => ({ learningRate: 0.002, l2: 0 }), detectorStats: () => ({}), tensors: () => 0 },
      { logEvery: 100 },
    );
    for (const total of [32, 96, 128, 160, 256, 320]) reporter.report(report(total));
    expect(lines.map((l) => l.records)).toEqual([128, 256, 320]);
    expect(lines[0]?.learningRate).toBe(0.002);
  });

  it("exports each population member's loss and hyperparameters and the champion, logs its rounds at debug, and writes them in the metrics log", async () => {
    const telemetry = new Telemetry();
    const lines: Array<Record<string, unknown>> = [];
    const info: string[] = [];
    const debug: string[] = [];
    const members = [
      { id: 0, learningRate: 0.002, l2: 0, batchSize: 1, loss: 0.41 },
      { id: 1, learningRate: 0.004, l2: 0.0001, batchSize: 4, loss: NaN },
    ];
    const reporter = new BatchReporter(
      {
        telemetry,
        log: { info: (_o: object, m: string) => void info.push(m), debug: (_o: object, m: string) => void debug.push(m) } as never,
        progress: { update: () => {} },
        metricsLog: { write: (e) => void lines.push(e as Record<string, unknown>) },
      },
      { hyperParams: () => ({ learningRate: 0.002, l2: 0 }), detectorStats: () => ({}), tensors: () => 0, population: () => ({ members, champion: 0 }) },
      { logEvery: 100 },
    );
    const round: TuningEvent = { ...event, reason: 'population', param: 'learningRate', old: 0.008, new: 0.004, signals: { member: 1, from: 0 } };
    reporter.report(report(128, { decision: { hp: { learningRate: 0.002, l2: 0 }, events: [round], actions: [] } }));
    expect(info).toEqual([]);
    expect(debug).toEqual(['tuner: population member 1 learningRate 0.008 -> 0.004']);
    const metrics = await telemetry.registry.metrics();
    expect(metrics).toMatch(/streamtune_member_window_loss\{member="0"\} 0.41/);
    expect(metrics).not.toMatch(/streamtune_member_window_loss\{member="1"\}/); // not scored yet: absent, not NaN
    expect(metrics).toMatch(/streamtune_member_learning_rate\{member="1"\} 0.004/);
    expect(metrics).toMatch(/streamtune_member_batch_size\{member="1"\} 4/);
    expect(metrics).toMatch(/streamtune_population_champion 0/);
    expect(metrics).toMatch(/streamtune_tuning_adjustments_total\{param="learningRate",reason="population"\} 1/);
    const line = lines.find((l) => l.type === undefined);
    expect(line?.champion).toBe(0);
    expect(line?.members).toEqual([
      { id: 0, loss: 0.41, learningRate: 0.002, l2: 0, batchSize: 1 },
      { id: 1, loss: null, learningRate: 0.004, l2: 0.0001, batchSize: 4 },
    ]);
  });
});
