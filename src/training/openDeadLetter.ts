import type { Config } from '../config.js';
import { DeadLetterFile } from '../sinks/DeadLetterFile.js';
import { KafkaDeadLetter } from '../sinks/KafkaDeadLetter.js';
import { kafkaSettings } from '../sources/kafka/openKafka.js';
import type { Logger } from '../telemetry/logger.js';
import type { Rejected } from '../types.js';

/** Where rejected records go: a JSONL file, or a Kafka topic. */
export interface DeadLetterSink {
  readonly count: number;
  /** Where the records went, for people: the file path or `topic NAME`. */
  readonly where: string;
  /** The file sink, whose contents a checkpoint cuts back to (absent for a topic). */
  readonly file?: DeadLetterFile;
  write(record: Rejected): void;
  flush(): Promise<void>;
  close(): void | Promise<void>;
}

/**
 * Opens the dead letter a config asks for: `kafka.deadLetterTopic` on the source's brokers, or
 * the `deadLetter` file (created on the first rejection).
 *
 * @example
 * const deadLetter = await openDeadLetter(config, ['127.0.0.1:9092'], log);
 * deadLetter.write(rejected); await deadLetter.flush();
 */
export async function openDeadLetter(config: Config, brokers: readonly string[], log: Logger): Promise<DeadLetterSink> {
  const topic = config.kafka.deadLetterTopic;
  if (topic === undefined) {
    const file = new DeadLetterFile(config.deadLetter);
    return Object.assign(file, { where: file.path, file, flush: async () => {} });
  }
  const sink = await KafkaDeadLetter.open(kafkaSettings(config, [...brokers]), topic, log);
  return Object.assign(sink, { where: `topic ${topic}` });
}
