import { Partitioners, type Message, type Producer } from 'kafkajs';
import { SourceError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { ensureTopic } from '../sources/kafka/ensureTopic.js';
import { createKafka, kafkaConnectError, kafkaErrorLine, type KafkaSettings } from '../sources/kafka/kafkaClient.js';

/**
 * Produces messages to one topic in the background: writes are queued, sent in order in batches
 * with `acks: -1` (one request in flight), and {@link flush} awaits them (throwing when any could
 * not be produced after the retries). Used for the dead-letter topic and the events topic.
 *
 * @example
 * const writer = await KafkaTopicWriter.open({ brokers: ['127.0.0.1:9092'] }, 'streamtune.events');
 * writer.write({ value: '{"reason":"drift"}' });
 * await writer.close();
 */
export class KafkaTopicWriter {
  private pending: Message[] = [];
  private scheduled: ReturnType<typeof setImmediate> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failures: unknown[] = [];
  private lost = 0;
  private written = 0;
  private closed = false;

  private constructor(
    private readonly settings: KafkaSettings,
    readonly topic: string,
    private readonly producer: Producer,
    private readonly log: Logger | undefined,
  ) {}

  /**
   * Connects a producer, creating the topic (1 partition) when it is missing.
   *
   * @example
   * const writer = await KafkaTopicWriter.open(settings, 'streamtune.events', log);
   */
  static async open(settings: KafkaSettings, topic: string, logger?: Logger): Promise<KafkaTopicWriter> {
    const kafka = createKafka(settings, logger);
    const admin = kafka.admin();
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      maxInFlightRequests: 1,
    });
    try {
      await admin.connect().catch((error: unknown) => {
        throw kafkaConnectError(settings, error);
      });
      await ensureTopic(admin, topic).catch((error: unknown) => {
        throw new SourceError(
          `cannot create topic "${topic}" on ${settings.brokers.join(',')}: ${kafkaErrorLine(error, settings)}; create it yourself or check the permissions`,
          { cause: error, retriable: false },
        );
      });
      await producer.connect().catch((error: unknown) => {
        throw kafkaConnectError(settings, error);
      });
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    return new KafkaTopicWriter(settings, topic, producer, logger);
  }

  /** Records queued so far. */
  get count(): number {
    return this.written;
  }

  /**
   * Queues one message (sent in the background with the others of the same tick, in order).
   *
   * @example
   * writer.write({ value: JSON.stringify(event) });
   */
  write(message: Message): void {
    if (this.closed) throw new SourceError(`topic "${this.topic}" is closed for writing`);
    this.pending.push(message);
    this.written++;
    this.scheduled ??= setImmediate(() => this.drain());
  }

  /**
   * Sends what is queued and waits for every send so far. Throws a SourceError when any
   * message could not be produced after the retries (reported once).
   *
   * @example
   * await dlt.flush();
   */
  async flush(): Promise<void> {
    this.drain();
    await this.chain;
    if (this.failures.length === 0) return;
    const [first] = this.failures;
    const lost = this.lost;
    this.failures = [];
    this.lost = 0;
    throw new SourceError(
      `cannot write ${lost} message(s) to topic "${this.topic}" on ${this.settings.brokers.join(',')}: ${kafkaErrorLine(first, this.settings)}`,
      { cause: first, retriable: true },
    );
  }

  /**
   * Flushes, then disconnects (a failed flush still disconnects, then throws).
   *
   * @example
   * await dlt.close();
   */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.producer.disconnect().catch(() => {});
    }
  }

  private drain(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.length === 0) return;
    const messages = this.pending;
    this.pending = [];
    this.chain = this.chain.then(async () => {
      try {
        await this.producer.send({ topic: this.topic, acks: -1, messages });
      } catch (error) {
        this.failures.push(error);
        this.lost += messages.length;
        this.log?.error(
          { topic: this.topic, count: messages.length },
          `cannot write to topic "${this.topic}": ${kafkaErrorLine(error, this.settings)}`,
        );
      }
    });
  }
}
