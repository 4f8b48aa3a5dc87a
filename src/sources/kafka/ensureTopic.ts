import type { Admin } from 'kafkajs';

/**
 * Creates a topic when it is missing and waits until every partition has a leader; returns
 * whether it was created and its partition count. A KRaft broker may briefly answer "unknown
 * topic" right after creating one (kafkajs only waits out "leader not available"), so that answer
 * is waited out too, for at most `waitMs`. Kafka errors are thrown as they are.
 *
 * @example
 * const { partitions } = await ensureTopic(admin, 'elec2', { partitions: 3 });
 */
export async function ensureTopic(
  admin: Admin,
  topic: string,
  options: { partitions?: number; waitMs?: number } = {},
): Promise<{ created: boolean; partitions: number }> {
  let created = false;
  if (!(await admin.listTopics()).includes(topic)) {
    try {
      // false when someone else created it in between
      created = await admin.createTopics({ topics: [{ topic, numPartitions: options.partitions ?? 1 }], waitForLeaders: true });
    } catch (error) {
      if (!isAlreadyThere(error) && !isUnknownTopic(error)) throw error;
    }
  }
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return { created, partitions: partitions.length };
    } catch (error) {
      if (!isUnknownTopic(error) || Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topic "${topic}" has no leader yet`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function isAlreadyThere(error: unknown): boolean {
  const errors = (error as { errors?: Array<{ type?: string }> }).errors;
  return errors !== undefined && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
}

function isUnknownTopic(error: unknown): boolean {
  const e = error as { type?: string; message?: string; cause?: { type?: string } };
  return (
    e.type === 'UNKNOWN_TOPIC_OR_PARTITION' ||
    e.cause?.type === 'UNKNOWN_TOPIC_OR_PARTITION' ||
    /does not host this topic-partition/.test(e.message ?? '')
  );
}
