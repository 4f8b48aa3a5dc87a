import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Engine } from '../model/Engine.js';
import { createKafka, parseKafkaUri } from '../sources/kafka/kafkaClient.js';
import { kafkaSettings } from '../sources/kafka/openKafka.js';
import type { Logger } from '../telemetry/logger.js';
import type { Standardizer } from '../stats/Standardizer.js';
import type { RawRecord, Schema } from '../types.js';
import { LabelJoin } from './LabelJoin.js';

/**
 * The source a run reads: `source`, plus the labels topic when `labels.source` is a Kafka topic
 * on the same brokers (one consumer group reads both, so one checkpoint holds both positions).
 * Refuses what the join cannot do, naming the setting: labels on other brokers, a labels topic
 * with a file source, label lags (a record's lagged labels are not known when it arrives).
 *
 * @example
 * labelsSourceUri({ ...config, source: 'kafka://b:9092/f', labels: { source: 'kafka://b:9092/l' } }); // 'kafka://b:9092/f,l'
 */
export function labelsSourceUri(config: Pick<Config, 'source' | 'labels' | 'lags'>): string {
  const labels = config.labels.source;
  if (labels === undefined) return config.source;
  if (config.lags.label.length > 0) {
    throw new ConfigError('lags.label: label lags cannot be used with labels.source (a record\'s earlier labels may not have come when it is predicted); remove --label-lags');
  }
  if (!labels.startsWith('kafka://') || !config.source.startsWith('kafka://')) {
    throw new ConfigError(
      `labels.source "${labels}": labels that arrive later are read from a Kafka topic beside a Kafka source (--source kafka://B/FEATURES --labels kafka://B/LABELS); a labels file is not supported yet`,
    );
  }
  const from = parseKafkaUri(config.source);
  const to = parseKafkaUri(labels);
  if (to.topics.length !== 1) throw new ConfigError(`labels.source "${labels}": name exactly one labels topic`);
  if (to.brokers.join(',') !== from.brokers.join(',')) {
    throw new ConfigError(`labels.source "${labels}": the labels topic must be on the source's brokers (${from.brokers.join(',')}), so one consumer group reads both`);
  }
  const topic = to.topics[0] as string;
  if (from.topics.includes(topic)) throw new ConfigError(`labels.source "${labels}": the labels topic is also a features topic of source "${config.source}"`);
  return `kafka://${from.brokers.join(',')}/${[...from.topics, topic].join(',')}`;
}

/**
 * Tells the join every partition of the features and labels topics (as `topic/partition` lanes),
 * read from the brokers' metadata, so that a partition read late at start holds expiry back.
 * A failure is logged and leaves the join to learn the partitions as they deliver.
 *
 * @example
 * await expectLabelLanes(config, join, log);
 */
export async function expectLabelLanes(config: Config, join: Pick<LabelJoin, 'expectLanes'>, log: Pick<Logger, 'warn'>): Promise<void> {
  if (!config.labels.source?.startsWith('kafka://')) return;
  const from = parseKafkaUri(config.source);
  const labelsTopic = parseKafkaUri(config.labels.source).topics[0] as string;
  const admin = createKafka(kafkaSettings(config, from.brokers)).admin();
  try {
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [...from.topics, labelsTopic] });
    const lanes = (names: readonly string[]): string[] =>
      topics.filter((t) => names.includes(t.name)).flatMap((t) => t.partitions.map((p) => `${t.name}/${p.partitionId}`));
    join.expectLanes(lanes(from.topics), lanes([labelsTopic]));
  } catch (error) {
    log.warn({ err: error }, `cannot read the partitions of the features and labels topics; expiry counts each partition once it delivers: ${(error as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** True for a raw record of the labels topic. */
export function labelsTopicTest(config: Pick<Config, 'labels'>): (raw: RawRecord) => boolean {
  const topic = config.labels.source ? parseKafkaUri(config.labels.source).topics[0] : undefined;
  return (raw) => raw.origin?.topic === topic;
}

/**
 * The label join of a run with `labels.source` (undefined without): predictions at arrival by the
 * champion of the moment, the run's scaler, the validation split of the config.
 *
 * @example
 * const labels = createLabelJoin(config, schema, scaler, () => population.champion);
 */
export function createLabelJoin(
  config: Config,
  schema: Schema,
  scaler: Standardizer,
  model: () => Pick<Engine, 'predict' | 'width' | 'task'>,
): LabelJoin | undefined {
  if (config.labels.source === undefined) return undefined;
  labelsSourceUri(config); // validates
  return new LabelJoin(
    { labels: config.labels, schema, validationSplit: config.validationSplit, splitSeed: config.splitSeed, isLabel: labelsTopicTest(config) },
    scaler,
    model,
  );
}
