import { Partitioners, type Admin, type IHeaders, type Message, type Producer } from 'kafkajs';
import { SourceError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Rejected } from '../types.js';
import { createKafka, kafkaConnectError, kafkaErrorLine, type KafkaSettings } from './kafkaClient.js';

/** Header names written on each dead-lettered message. */
export const DEAD_LETTER_HEADERS = {
  reason: 'streamtune-reason',
  detail: 'streamtune-detail',
  sourceTopic: 'streamtune-source-topic',
  sourcePartition: 'streamtune-source-partition',
  sourceOffset: 'streamtune-source-offset',
  position: 'streamtune-position',
} as const;

/**
 * A dead-letter topic: each rejected record is produced with its ORIGINAL bytes (the Kafka
 * message's key and value; the raw text for records from files) and headers saying why
 * (`streamtune-reason`, `streamtune-detail`) and where it came from (`streamtune-source-topic`,
 * `-partition`, `-offset`, `streamtune-position`). Writes are batched and sent in order with
 * `acks: -1`; {@link flush} awaits them.
 *
 * @example
 * const dlt = await KafkaDeadLetter.open({ brokers: ['127.0.0.1:9092'] }, 'elec2.dlt');
 * dlt.write(rejected);
 * await dlt.flush(); // before committing the source offsets past `rejected`
 * await dlt.close();
 */
export class KafkaDeadLetter {
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
   * const dlt = await KafkaDeadLetter.open(settings, 'events.dlt', log);
   */
  static async open(settings: KafkaSettings, topic: string, logger?: Logger): Promise<KafkaDeadLetter> {
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
      await ensureTopic(admin, settings, topic);
      await producer.connect().catch((error: unknown) => {
        throw kafkaConnectError(settings, error);
      });
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw error;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    return new KafkaDeadLetter(settings, topic, producer, logger);
  }

  /** Records queued so far. */
  get count(): number {
    return this.written;
  }

  /**
   * Queues one rejected record (sent in the background with the others of the same tick).
   *
   * @example
   * dlt.write({ index: 3, position: 't/0@3', raw: 'oops', reason: 'malformed', detail: '...', origin });
   */
  write(rejected: Rejected): void {
    if (this.closed) throw new SourceError(`dead-letter topic "${this.topic}" is closed; cannot write ${rejected.position}`);
    const { origin } = rejected;
    const headers: IHeaders = {
      [DEAD_LETTER_HEADERS.reason]: rejected.reason,
      [DEAD_LETTER_HEADERS.detail]: rejected.detail,
      [DEAD_LETTER_HEADERS.position]: rejected.position,
    };
    if (origin) {
      headers[DEAD_LETTER_HEADERS.sourceTopic] = origin.topic;
      headers[DEAD_LETTER_HEADERS.sourcePartition] = String(origin.partition);
      headers[DEAD_LETTER_HEADERS.sourceOffset] = origin.offset;
    }
    this.pending.push(
      origin
        ? { key: origin.key, value: origin.value, headers }
        : { key: rejected.key ?? null, value: rejected.raw, headers },
    );
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
      `cannot write ${lost} record(s) to dead-letter topic "${this.topic}" on ${this.settings.brokers.join(',')}: ${kafkaErrorLine(first, this.settings)}`,
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
          `cannot write to dead-letter topic "${this.topic}": ${kafkaErrorLine(error, this.settings)}`,
        );
      }
    });
  }
}

async function ensureTopic(admin: Admin, settings: KafkaSettings, topic: string): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } catch (error) {
    const already = (error as { errors?: Array<{ type?: string }> }).errors?.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
    if (already) return;
    throw new SourceError(
      `cannot create dead-letter topic "${topic}" on ${settings.brokers.join(',')}: ${kafkaErrorLine(error, settings)}; create it yourself or check the permissions`,
      { cause: error, retriable: false },
    );
  }
}
