import type { Admin } from 'kafkajs';
import type { JoinOffsets } from './OffsetLedger.js';

/**
 * After a group join: the low and high offsets of every partition of `topics` and the group's
 * committed offsets (`-1` where none), in one round of admin requests. Kafka errors are thrown as they are.
 *
 * @example
 * ledger.joined(generation, await fetchJoinOffsets(admin, 'trainer', ledger.assignedTopics()), true);
 */
export async function fetchJoinOffsets(admin: Admin, groupId: string, topics: readonly string[]): Promise<JoinOffsets[]> {
  const [committed, ...ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [...topics] }),
    ...topics.map((topic) => admin.fetchTopicOffsets(topic)),
  ]);
  return topics.flatMap((topic, t) => {
    const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
    return (ends[t] ?? []).map(({ partition, low, high }) => ({
      topic,
      partition,
      low,
      high,
      committed: String(group.find((p) => p.partition === partition)?.offset ?? -1),
    }));
  });
}
