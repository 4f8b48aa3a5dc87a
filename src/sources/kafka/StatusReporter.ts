import type { Logger } from '../../telemetry/logger.js';
import type { KafkaStatus } from './KafkaSourceOptions.js';
import type { KafkaPartitionStatus } from './OffsetLedger.js';

/** Callbacks of a {@link StatusReporter}: a throwing callback is logged, never thrown. */
export interface StatusHooks {
  readonly onStatus?: (status: KafkaStatus) => void;
  readonly onPartition?: (partition: KafkaPartitionStatus) => void;
  /** How often partitions are reported besides on demand. Default 5000 ms. */
  readonly reportIntervalMs?: number;
  readonly logger?: Logger;
}

const DEFAULT_REPORT_INTERVAL_MS = 5000;

/**
 * Tells the outside how the consumer is doing: `onStatus` when it goes up or down (once per
 * change), `onPartition` for each assigned partition every `reportIntervalMs` and on
 * {@link report} (after a join or a commit).
 *
 * @example
 * const reporter = new StatusReporter(() => ledger.statuses(), { onPartition: (p) => lag.set(p.lag) });
 * reporter.status({ up: true });
 * reporter.stop();
 */
export class StatusReporter {
  private up: boolean | undefined;
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly statuses: () => readonly KafkaPartitionStatus[],
    private readonly hooks: StatusHooks,
  ) {
    if (hooks.onPartition) {
      this.timer = setInterval(() => this.report(), hooks.reportIntervalMs ?? DEFAULT_REPORT_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** The consumer is up or down: reported when it changed. */
  status(status: KafkaStatus): void {
    if (this.up === status.up) return;
    this.up = status.up;
    try {
      this.hooks.onStatus?.(status);
    } catch (error) {
      this.hooks.logger?.warn({ err: error }, 'onStatus callback failed');
    }
  }

  /** Reports every assigned partition now. */
  report(): void {
    const { onPartition } = this.hooks;
    if (!onPartition) return;
    for (const partition of this.statuses()) {
      try {
        onPartition(partition);
      } catch (error) {
        this.hooks.logger?.warn({ err: error }, 'onPartition callback failed');
      }
    }
  }

  /** Stops the periodic report. */
  stop(): void {
    clearInterval(this.timer);
  }
}
