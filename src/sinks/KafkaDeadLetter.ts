import type { IHeaders } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';
import type { Rejected } from '../types.js';
import type { KafkaSettings } from '../sources/kafka/kafkaClient.js';
import { KafkaTopicWriter } from './KafkaTopicWriter.js';

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
  private constructor(private readonly writer: KafkaTopicWriter) {}

  /**
   * Connects a producer, creating the topic (1 partition) when it is missing.
   *
   * @example
   * const dlt = await KafkaDeadLetter.open(settings, 'events.dlt', log);
   */
  static async open(settings: KafkaSettings, topic: string, logger?: Logger): Promise<KafkaDeadLetter> {
    return new KafkaDeadLetter(await KafkaTopicWriter.open(settings, topic, logger));
  }

  get topic(): string {
    return this.writer.topic;
  }

  /** Records queued so far. */
  get count(): number {
    return this.writer.count;
  }

  /**
   * Queues one rejected record (sent in the background with the others of the same tick).
   *
   * @example
   * dlt.write({ index: 3, position: 't/0@3', raw: 'oops', reason: 'malformed', detail: '...', origin });
   */
  write(rejected: Rejected): void {
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
    this.writer.write(
      origin ? { key: origin.key, value: origin.value, headers } : { key: rejected.key ?? null, value: rejected.raw, headers },
    );
  }

  /** Sends what is queued and waits for every send so far (throws a SourceError when any failed). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flushes, then disconnects. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
