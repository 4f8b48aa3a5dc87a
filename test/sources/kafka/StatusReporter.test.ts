import { describe, expect, it } from 'vitest';
import type { KafkaStatus } from '../../../src/sources/kafka/KafkaSourceOptions.js';
import type { KafkaPartitionStatus } from '../../../src/sources/kafka/OffsetLedger.js';
import { StatusReporter } from '../../../src/sources/kafka/StatusReporter.js';
import type { Logger } from '../../../src/telemetry/logger.js';

const partition = (p: number, lag: number): KafkaPartitionStatus => ({ topic: 't', partition: p, position: '0', committed: '-1', end: String(lag), lag });

function fakeLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger = { warn: (_fields: unknown, message: string) => warnings.push(message) } as unknown as Logger;
  return { logger, warnings };
}

describe('StatusReporter', () => {
  it('reports up and down once per change', () => {
    const seen: KafkaStatus[] = [];
    const reporter = new StatusReporter(() => [], { onStatus: (s) => seen.push(s) });
    reporter.status({ up: true });
    reporter.status({ up: true });
    reporter.status({ up: false, reason: 'gone' });
    reporter.status({ up: false, reason: 'still gone' });
    reporter.status({ up: true });
    expect(seen).toEqual([{ up: true }, { up: false, reason: 'gone' }, { up: true }]);
  });

  it('reports every partition on demand and on its interval, until stopped', async () => {
    let lags = [3, 4];
    const seen: KafkaPartitionStatus[] = [];
    const reporter = new StatusReporter(() => lags.map((lag, p) => partition(p, lag)), { onPartition: (p) => seen.push(p), reportIntervalMs: 20 });
    reporter.report();
    expect(seen.map((p) => p.lag)).toEqual([3, 4]);
    lags = [0, 1];
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(seen.slice(2, 4).map((p) => p.lag)).toEqual([0, 1]);
    reporter.stop();
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.length).toBe(count);
  });

  it('logs a throwing callback instead of throwing, and reports the other partitions', () => {
    const { logger, warnings } = fakeLogger();
    const seen: number[] = [];
    const reporter = new StatusReporter(() => [partition(0, 1), partition(1, 2)], {
      logger,
      onStatus: () => {
        throw new Error('boom');
      },
      onPartition: (p) => {
        seen.push(p.partition);
        if (p.partition === 0) throw new Error('boom');
      },
    });
    reporter.status({ up: true });
    reporter.report();
    reporter.stop();
    expect(seen).toEqual([0, 1]);
    expect(warnings).toEqual(['onStatus callback failed', 'onPartition callback failed']);
  });
});
