import { CompressionTypes, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { SourceError } from '../errors.js';
import { ensureTopic } from '../sources/kafka/ensureTopic.js';
import { createKafka, kafkaConnectError, kafkaErrorLine, type KafkaSettings } from '../sources/kafka/kafkaClient.js';
import type { Logger } from '../telemetry/logger.js';
import type { ModelExchange } from './ModelExchange.js';
import { syncCodec } from './syncCodec.js';
import type { SyncMessage } from './SyncMessage.js';

/** Kafka's default `message.max.bytes` (1 MiB) less room for the batch and record headers. */
export const SYNC_MAX_BYTES = 1_000_000;

export interface KafkaExchangeOptions {
  readonly settings: KafkaSettings;
  readonly topic: string;
  readonly member: string;
  /** Every other member's message as it is read (own ones too: the PeerBook skips them). */
  readonly onMessage: (message: SyncMessage) => void;
  readonly log?: Logger;
}

/**
 * The sync topic on Kafka: a compacted topic (created when missing, one partition,
 * `cleanup.policy=compact`) keyed by member id, so the broker keeps at least the latest message
 * of every member. A consumer of its own (a group used by this process only, nothing committed)
 * reads it from the beginning and then follows it; {@link caughtUp} resolves once it has read
 * up to the end offsets seen at start. Messages are gzip-compressed on the wire.
 *
 * @example
 * const exchange = await KafkaExchange.open({ settings, topic: 'streamtune-sync', member: 'trainer-1', onMessage: (m) => book.receive(m) });
 * await exchange.caughtUp(10_000);
 * await exchange.publish(message); // bytes before compression
 */
export class KafkaExchange implements ModelExchange {
  readonly #options: KafkaExchangeOptions;
  readonly #producer: Producer;
  readonly #consumer: Consumer;
  /** Offset to reach per partition (exclusive), from the end offsets at start. */
  readonly #ends: Map<number, number>;
  readonly #read = new Map<number, number>();
  #caughtUp: () => void = () => {};
  readonly #caught: Promise<void>;
  #busy = false;
  #oversizeLogged = false;

  private constructor(options: KafkaExchangeOptions, producer: Producer, consumer: Consumer, ends: Map<number, number>) {
    this.#options = options;
    this.#producer = producer;
    this.#consumer = consumer;
    this.#ends = ends;
    this.#caught = new Promise((resolve) => (this.#caughtUp = resolve));
    this.#check();
  }

  /** Creates the topic when missing, connects a producer and starts following the topic from its beginning. */
  static async open(options: KafkaExchangeOptions): Promise<KafkaExchange> {
    const { settings, topic, member, log } = options;
    const kafka = createKafka(settings, log);
    const admin = kafka.admin();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `streamtune-sync.${member}.${process.pid}.${Date.now()}`, allowAutoTopicCreation: false });
    let ends: Map<number, number>;
    try {
      await admin.connect().catch((error: unknown) => {
        throw kafkaConnectError(settings, error);
      });
      await createCompacted(admin, topic).catch((error: unknown) => {
        throw new SourceError(
          `cannot create the sync topic "${topic}" on ${settings.brokers.join(',')}: ${kafkaErrorLine(error, settings)}; create it (cleanup.policy=compact) or check the permissions`,
          { cause: error, retriable: false },
        );
      });
      const offsets = await admin.fetchTopicOffsets(topic);
      ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
    } catch (error) {
      await Promise.all([producer.disconnect().catch(() => {}), consumer.disconnect().catch(() => {})]);
      throw error instanceof SourceError ? error : kafkaConnectError(settings, error);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    const exchange = new KafkaExchange(options, producer, consumer, ends);
    await consumer.run({ autoCommit: false, eachMessage: async ({ partition, message }) => exchange.#receive(partition, message.offset, message.value) });
    return exchange;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Resolves once the messages present at start have been read, or after `timeoutMs` (false then). */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.#caught.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async publish(message: SyncMessage): Promise<number> {
    const value = syncCodec.encode(message);
    if (value.length > SYNC_MAX_BYTES) {
      if (!this.#oversizeLogged) {
        this.#oversizeLogged = true;
        this.#options.log?.error(
          { event: 'sync.oversize', bytes: value.length, max: SYNC_MAX_BYTES },
          `sync: the model is ${value.length} bytes, more than Kafka's default message limit ${SYNC_MAX_BYTES}; not published. Use a smaller model or population, or raise max.message.bytes on the topic`,
        );
      }
      return value.length;
    }
    this.#busy = true;
    try {
      await this.#producer.send({
        topic: this.#options.topic,
        acks: -1,
        compression: CompressionTypes.GZIP,
        messages: [{ key: this.#options.member, value, timestamp: String(message.time) }],
      });
      return value.length;
    } finally {
      this.#busy = false;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#consumer.disconnect().catch(() => {}), this.#producer.disconnect().catch(() => {})]);
  }

  #receive(partition: number, offset: string, value: Buffer | null): void {
    this.#read.set(partition, Number(offset) + 1);
    try {
      if (value !== null) this.#options.onMessage(syncCodec.decode(value));
    } catch (error) {
      this.#options.log?.warn({ event: 'sync.bad_message', partition, offset, err: error }, `sync: skipped message ${this.#options.topic}/${partition}@${offset}: ${(error as Error).message}`);
    }
    this.#check();
  }

  #check(): void {
    for (const [partition, end] of this.#ends) if ((this.#read.get(partition) ?? 0) < end) return;
    this.#caughtUp();
  }
}

/**
 * Creates the topic compacted when it is missing (several members may try at once: a failed
 * create is fine when the topic shows up within 10 s), then waits for its leader as
 * {@link ensureTopic} does.
 */
async function createCompacted(admin: Admin, topic: string): Promise<void> {
  if (!(await admin.listTopics()).includes(topic)) {
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }], waitForLeaders: true });
    } catch (error) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        if ((await admin.listTopics()).includes(topic)) break;
        if (Date.now() > deadline) throw error;
      }
    }
  }
  await ensureTopic(admin, topic);
}
