import type { MetricsLine } from '../../src/report/RunData.js';

/**
 * Metrics lines like a binary run writes: every `every` records, windowed metrics, baselines,
 * hyperparameters and the seconds since the log was opened at `rate` records per second.
 */
export function binaryLines(count: number, options: { every?: number; rate?: number } = {}): MetricsLine[] {
  const { every = 1000, rate = 10_000 } = options;
  return Array.from({ length: count }, (_, i) => {
    const records = (i + 1) * every;
    const split = (loss: number, accuracy: number) => ({ mse: loss / 3, crossEntropy: loss, accuracy });
    return {
      records,
      trained: records * 0.8,
      holdout: records * 0.2,
      rejected: i,
      seconds: records / rate,
      window: { train: split(0.7 - i * 0.01, 0.6 + i * 0.01), holdout: split(0.72 - i * 0.01, 0.58 + i * 0.01) },
      baselines: { majority: { window: { accuracy: 0.55 } }, noChange: { window: { accuracy: 0.85 } } },
      learningRate: i < count / 2 ? 0.001 : 0.003,
      l2: 0.001,
      rejectedByReason: { non_numeric: i },
    };
  });
}
