import type { KafkaOffset } from './OffsetLedger.js';
import type { TopicPartition } from './PartitionBook.js';

/** One member of the consumer group and the partitions the group gave it. */
export interface GroupMember {
  /** Kafka's member id (a new one at every start of a consumer). */
  readonly memberId: string;
  readonly assignment: readonly TopicPartition[];
}

/** A group join as a source's {@link RebalanceListener} sees it. */
export interface Rebalance {
  /** Number of this join in this consumer (1, 2, ...): a later join has a higher one. */
  readonly generation: number;
  /** This consumer's Kafka member id. */
  readonly memberId: string;
  /** Everything assigned to this consumer now. */
  readonly assignment: readonly TopicPartition[];
  /** Assigned now and not settled before (paused until the listener resolves). */
  readonly added: readonly TopicPartition[];
  /** Assigned before and not now: their records not yet handed out were dropped. */
  readonly revoked: readonly TopicPartition[];
  /** Index of the last record handed to the reader when the join happened (-1: none yet). */
  readonly handedThrough: number;
  /** Index of the last record handed to the reader now. */
  currentHandedThrough(): number;
  /** The group's members and their assignments once the group is stable. */
  members(): Promise<GroupMember[]>;
  /** Another join happened since: this one's outcome no longer matters. */
  stale(): boolean;
}

/**
 * Called at every group join of a source that hands partitions over between trainers: it may
 * wait (the added partitions stay paused meanwhile), and resolves to the positions durable state
 * holds for the added partitions; each one starts at the higher of that and the group's committed
 * offset. Rejecting starts them at the committed offsets (logged).
 */
export type RebalanceListener = (rebalance: Rebalance) => Promise<readonly KafkaOffset[]>;
