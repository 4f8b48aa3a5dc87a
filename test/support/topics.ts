import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type IHeaders, type Message } from 'kafkajs';

/** One message as an independent consumer read it: coordinates, original bytes and headers as text. */
export interface ConsumedMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/**
 * A name no other test uses, for topics and consumer groups.
 *
 * @example
 * const topic = uniqueName('elec2'); // 'streamtune-it-elec2-6f1c…'
 */
export function uniqueName(kind: string): string {
  return `streamtune-it-${kind}-${randomUUID()}`;
}

const client = (brokers: string): Kafka =>
  new Kafka({ clientId: 'streamtune-it-support', brokers: [brokers], logLevel: logLevel.NOTHING });

async function withAdmin<T>(brokers: string, use: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates a topic with kafkajs' admin client and waits for its partition leaders.
 *
 * @example
 * await createTopic('127.0.0.1:9092', 'elec2', 3);
 */
export async function createTopic(brokers: string, topic: string, partitions: number): Promise<void> {
  await withAdmin(brokers, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }));
}

/**
 * Deletes topics (best effort: a missing topic is not an error).
 *
 * @example
 * await deleteTopics('127.0.0.1:9092', ['elec2', 'elec2.dlt']);
 */
export async function deleteTopics(brokers: string, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  await withAdmin(brokers, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  });
}

/**
 * Produces messages with kafkajs (acks from every replica), in order, 1000 per request.
 *
 * @example
 * await produceMessages('127.0.0.1:9092', 'poison', [{ partition: 0, value: '{"x":1}' }, { partition: 1, value: null }]);
 */
export async function produceMessages(brokers: string, topic: string, messages: readonly Message[]): Promise<void> {
  const producer = client(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1000) });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * End offsets (high watermarks) by partition.
 *
 * @example
 * const ends = await endOffsets('127.0.0.1:9092', 'elec2'); // Map { 0 => 15104, 1 => 15104, 2 => 15104 }
 */
export async function endOffsets(brokers: string, topic: string): Promise<Map<number, number>> {
  return withAdmin(brokers, async (admin) => {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  });
}

/**
 * Offsets a consumer group committed, by partition (`-1` where it committed none).
 *
 * @example
 * const committed = await committedOffsets('127.0.0.1:9092', 'trainer', 'elec2');
 */
export async function committedOffsets(brokers: string, groupId: string, topic: string): Promise<Map<number, number>> {
  return withAdmin(brokers, async (admin) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  });
}

/**
 * Reads every message of a topic up to its end offsets at call time with a fresh consumer group
 * (fails after `timeoutMs`), sorted by partition and offset.
 *
 * @example
 * const dead = await consumeAll('127.0.0.1:9092', 'elec2.dlt');
 * dead[0].headers['streamtune-reason']; // 'malformed'
 */
export async function consumeAll(brokers: string, topic: string, timeoutMs = 60_000): Promise<ConsumedMessage[]> {
  const ends = await withAdmin(brokers, (admin) => admin.fetchTopicOffsets(topic));
  const remaining = new Map(ends.map((o) => [o.partition, Number(o.high) - Number(o.low)]));
  const received: ConsumedMessage[] = [];
  const seen = new Set<string>();
  const left = (): number => [...remaining.values()].reduce((a, b) => a + b, 0);
  if (left() === 0) return received;
  const consumer = client(brokers).consumer({ groupId: uniqueName('consume-all'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumeAll(${topic}): ${left()} messages still unread after ${timeoutMs} ms`)), timeoutMs);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const at = `${batch.partition}@${m.offset}`;
              if (seen.has(at)) continue; // a refetch after a rebalance: already read
              seen.add(at);
              received.push({
                partition: batch.partition,
                offset: Number(m.offset),
                key: m.key,
                value: m.value,
                headers: headerText(m.headers),
              });
              remaining.set(batch.partition, (remaining.get(batch.partition) ?? 0) - 1);
            }
            if (left() <= 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}
