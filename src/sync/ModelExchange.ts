import type { SyncMessage } from './SyncMessage.js';

/**
 * Where a {@link Synchronizer} publishes its messages; what the others publish arrives in its
 * PeerBook through whoever reads the topic. The Kafka one is KafkaExchange; tests use memory.
 *
 * @example
 * const bytes = await exchange.publish(message);
 */
export interface ModelExchange {
  /** Publishes a message; resolves with its encoded size in bytes once it is written. */
  publish(message: SyncMessage): Promise<number>;
  /** True while a publish is in flight (a round waits for it rather than queueing a second). */
  readonly busy: boolean;
}
