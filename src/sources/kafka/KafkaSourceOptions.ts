import { ConfigError } from '../../errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { KafkaSettings } from './kafkaClient.js';
import type { KafkaFormat } from './kafkaMessage.js';
import type { KafkaOffset, KafkaPartitionStatus } from './OffsetLedger.js';
import type { RebalanceListener } from './Rebalance.js';

/** Whether the consumer is connected and in its group; `reason` says why not. */
export interface KafkaStatus {
  readonly up: boolean;
  readonly reason?: string;
}

/**
 * The smallest group session timeout: the broker's default `group.min.session.timeout.ms`. The
 * config (`kafka.sessionTimeoutMs`) and {@link KafkaSourceOptions} hold the same rule.
 */
export const MIN_SESSION_TIMEOUT_MS = 6000;

/** Settings of `KafkaSource.open`. */
export interface KafkaSourceOptions {
  readonly kafka: KafkaSettings;
  readonly topics: readonly string[];
  readonly groupId: string;
  /** Where a group with no committed offset starts. Default true (the earliest offset). */
  readonly fromBeginning?: boolean;
  /** How message values are read. Default `auto`. */
  readonly format?: KafkaFormat;
  /** Names of the values of CSV-line messages. */
  readonly csvColumns?: readonly string[];
  /** Field whose value is the routing key (default: the message key). */
  readonly keyField?: string;
  /** Complete once every assigned partition is read up to its end offset at start. Default false (run forever). */
  readonly stopAtEnd?: boolean;
  /** Messages buffered ahead of the reader at most. Default 10 000. */
  readonly queueSize?: number;
  /** Commit at most this often from `commitThrough`/`allowCommit`. Default 1000 ms. */
  readonly commitIntervalMs?: number;
  /**
   * Group session timeout, an integer >= 6000 ms (kafkajs default 30 000 ms; 6000 is the broker's
   * default minimum). After a broker outage the restarted consumer joins as a new member, and the
   * group waits up to this long for the old one before it rebalances.
   */
  readonly sessionTimeoutMs?: number;
  /** How often partitions are reported to `onPartition` besides after each commit. Default 5000 ms. */
  readonly reportIntervalMs?: number;
  /**
   * Resume here (from a checkpoint), whatever the group has committed: the first join seeks each
   * listed partition to its offset, and nothing before it is handed out.
   */
  readonly startOffsets?: readonly KafkaOffset[];
  /**
   * Partitions are handed over between trainers (docs/scale-out.md): at each join the added
   * partitions wait, paused, for this listener, then start at the higher of the offsets it
   * resolves to and the group's. `startOffsets` is ignored: the listener decides.
   */
  readonly onRebalance?: RebalanceListener;
  readonly logger?: Logger;
  readonly onStatus?: (status: KafkaStatus) => void;
  readonly onPartition?: (partition: KafkaPartitionStatus) => void;
}

/**
 * Throws a ConfigError naming the first setting that is out of range.
 *
 * @example
 * validateKafkaSourceOptions({ kafka, topics: ['t'], groupId: 'g', sessionTimeoutMs: 3000 }); // throws: "sessionTimeoutMs" ... >= 6000
 */
export function validateKafkaSourceOptions(options: KafkaSourceOptions): void {
  if (options.topics.length === 0) throw new ConfigError('kafka source: name at least one topic');
  if (options.groupId === '') throw new ConfigError('kafka source: "groupId" must not be empty');
  const { queueSize, commitIntervalMs, reportIntervalMs, sessionTimeoutMs } = options;
  if (queueSize !== undefined && !(Number.isInteger(queueSize) && queueSize >= 1)) {
    throw new ConfigError(`kafka source: "queueSize" must be an integer >= 1, got ${queueSize}`);
  }
  if (commitIntervalMs !== undefined && !(commitIntervalMs >= 0)) {
    throw new ConfigError(`kafka source: "commitIntervalMs" must be >= 0, got ${commitIntervalMs}`);
  }
  if (sessionTimeoutMs !== undefined && !(Number.isInteger(sessionTimeoutMs) && sessionTimeoutMs >= MIN_SESSION_TIMEOUT_MS)) {
    throw new ConfigError(
      `kafka source: "sessionTimeoutMs" must be an integer number of milliseconds >= ${MIN_SESSION_TIMEOUT_MS} (the broker's default minimum), got ${sessionTimeoutMs}`,
    );
  }
  if (reportIntervalMs !== undefined && !(reportIntervalMs > 0)) {
    throw new ConfigError(`kafka source: "reportIntervalMs" must be > 0, got ${reportIntervalMs}`);
  }
  if (options.csvColumns && options.csvColumns.length === 0) {
    throw new ConfigError('kafka source: "csvColumns" must name at least one column');
  }
}
