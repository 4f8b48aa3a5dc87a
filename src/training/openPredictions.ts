import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { BatchReport } from '../pipeline.js';
import { KafkaTopicWriter } from '../sinks/KafkaTopicWriter.js';
import { PredictionsFile } from '../sinks/PredictionsFile.js';
import { kafkaSettings } from '../sources/kafka/openKafka.js';
import type { Logger } from '../telemetry/logger.js';
import type { Schema } from '../types.js';
import { ModelVersions } from './ModelVersions.js';
import { predictionLines } from './predictionLines.js';
import type { TrainingParts } from './TrainingParts.js';

/** Where the prequential predictions go: a JSONL file, a Kafka topic, or both. */
export interface PredictionsSink {
  /** Predictions written (file) or queued (topic) by this run. */
  readonly count: number;
  /** Where they went, for people. */
  readonly where: string;
  /** The file, whose length a checkpoint stores and a resume cuts back to (absent without one). */
  readonly file?: PredictionsFile;
  /** Reads the model version the first block starts from: call once the parts are restored, before the pipeline runs. */
  begin(): void;
  /** Writes the predictions of a scored block (call before the checkpointer sees the block). */
  write(report: Pick<BatchReport, 'batch'>): void;
  /** Makes everything written so far durable (the topic's sends acknowledged): the commit gate waits for it. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the predictions sinks a config asks for (`predictions.file`, `predictions.topic`), or
 * returns undefined when neither is set. Each scored record gives one JSON line {position, key?,
 * prediction, probabilities?, version, split}; on the topic it is keyed by the record's key, sent
 * in order (one request in flight), so the predictions of one key stay in order.
 *
 * @example
 * const predictions = await openPredictions(config, schema, parts, ['127.0.0.1:9092'], log);
 * predictions?.begin();       // after the checkpoint is restored
 * predictions?.write(report); // in onBatch, before checkpointer.maybe
 */
export async function openPredictions(
  config: Config,
  schema: Pick<Schema, 'task'>,
  parts: Pick<TrainingParts, 'engine' | 'population'>,
  sourceBrokers: readonly string[],
  log: Logger,
): Promise<PredictionsSink | undefined> {
  const { file: path, topic: topicName, brokers: configured } = config.predictions;
  if (path === undefined && topicName === undefined) return undefined;
  let topic: KafkaTopicWriter | undefined;
  if (topicName !== undefined) {
    const brokers = configured ?? sourceBrokers;
    if (brokers.length === 0) {
      throw new ConfigError('predictions.topic needs brokers: the source is not a Kafka topic, so set predictions.brokers (or write a file with --predictions)');
    }
    topic = await KafkaTopicWriter.open(kafkaSettings(config, brokers), topicName, log);
  }
  const file = path === undefined ? undefined : new PredictionsFile(path);
  // Versions are read once the parts are restored (begin).
  let versions: ModelVersions | undefined;
  const where = [file?.path, topic ? `topic ${topic.topic}` : undefined].filter(Boolean).join(' and ');
  log.info({ event: 'predictions.on', where }, `predictions to ${where}`);
  return {
    get count() {
      return file?.count ?? topic?.count ?? 0;
    },
    where,
    ...(file ? { file } : {}),
    begin() {
      versions = new ModelVersions(parts);
    },
    write(report) {
      const { batch } = report;
      versions ??= new ModelVersions(parts);
      if (batch.samples.length > 0) {
        const lines = predictionLines(schema.task, batch, versions.of(batch));
        file?.write(lines);
        if (topic) batch.samples.forEach((s, i) => topic.write({ key: s.key ?? null, value: lines[i]! }));
      }
      versions.mark();
    },
    flush: () => topic?.flush() ?? Promise.resolve(),
    async close() {
      file?.close();
      await topic?.close();
    },
  };
}
