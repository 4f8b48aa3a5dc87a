import type { KafkaPositions, SourcePositions } from '../../checkpoint/Checkpoint.js';
import type { Config } from '../../config.js';
import { CheckpointError, SourceError } from '../../errors.js';
import type { Logger } from '../../telemetry/logger.js';
import type { OpenedSource } from '../OpenedSource.js';
import { KafkaSource, type KafkaPartitionStatus, type KafkaStatus } from './KafkaSource.js';
import { parseKafkaUri, type KafkaSettings } from './kafkaClient.js';
import type { RebalanceListener } from './Rebalance.js';

/** Where a Kafka source reports: its logger, up/down changes and per-partition progress. */
export interface KafkaHooks {
  readonly logger?: Logger;
  readonly onStatus?: (status: KafkaStatus) => void;
  readonly onPartition?: (partition: KafkaPartitionStatus) => void;
  /** Hand partitions over between trainers at every group join (the checkpoint's offsets are then the listener's business). */
  readonly onRebalance?: RebalanceListener;
}

/**
 * The client settings (brokers, TLS, SASL with the password from env or file) of a config.
 *
 * @example
 * const settings = kafkaSettings(config, parseKafkaUri(config.source).brokers);
 */
export function kafkaSettings(config: Pick<Config, 'kafka'>, brokers: readonly string[]): KafkaSettings {
  const { sasl, ssl, clientId } = config.kafka;
  return {
    brokers,
    clientId,
    ...(ssl === undefined ? {} : { ssl }),
    ...(sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: sasl.mechanism,
            username: sasl.username,
            ...(sasl.passwordFile
              ? { passwordFile: sasl.passwordFile }
              : { passwordEnv: sasl.passwordEnv ?? 'STREAMTUNE_KAFKA_PASSWORD' }),
          },
        }),
  };
}

/**
 * Opens `kafka://host:port[,host:port]/topic[,topic]` as a source: a consumer group that resumes
 * at a checkpoint's offsets when given, whose column names come from the config (features and
 * label), the first message, or the checkpoint, and whose offsets are committed only when allowed.
 * With stop-at-end and nothing left to read, the columns are empty: the run has nothing to do.
 *
 * @example
 * const { records, columns, positionsThrough } = await openKafka('kafka://127.0.0.1:9092/elec2', config, undefined, { logger });
 */
export async function openKafka(
  uri: string,
  config: {
    readonly kafka: Config['kafka'];
    readonly keyField?: string;
    readonly features?: readonly string[];
    readonly label?: string;
  },
  resume: SourcePositions | undefined,
  hooks: KafkaHooks = {},
  /** Names to use when the topic gives none (a resumed run: the checkpoint's features and label). */
  fallbackColumns?: readonly string[],
): Promise<OpenedSource> {
  const { brokers, topics } = parseKafkaUri(uri);
  const k = config.kafka;
  if (resume && (resume.kind !== 'kafka' || resume.group !== k.group)) {
    const stored = resume.kind === 'kafka' ? `Kafka group "${resume.group}"` : resume.kind === 'file' ? resume.path : resume.uri;
    throw new CheckpointError(
      `the checkpoint was taken reading ${stored}, but the source is now ${uri} with group "${k.group}"; use the same source and group, or another --checkpoint-dir`,
    );
  }
  const source = await KafkaSource.open({
    kafka: kafkaSettings(config, brokers),
    topics,
    groupId: k.group,
    fromBeginning: k.fromBeginning,
    format: k.format,
    ...(k.csvColumns ? { csvColumns: k.csvColumns } : {}),
    ...(config.keyField === undefined ? {} : { keyField: config.keyField }),
    stopAtEnd: k.stopAtEnd,
    queueSize: k.queueSize,
    commitIntervalMs: k.commitIntervalMs,
    ...(k.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: k.sessionTimeoutMs }),
    ...(resume ? { startOffsets: (resume as KafkaPositions).offsets } : {}),
    ...hooks,
  });
  let columns: readonly string[] | undefined =
    config.features && config.label ? [...config.features, config.label] : ((await source.columns(topics.length > 1 ? topics[0] : undefined)) ?? fallbackColumns);
  // Nothing left to read (stop-at-end on a topic the group has read already): no names needed.
  if (!columns && source.exhausted) columns = [];
  if (!columns) {
    await source.close();
    throw new SourceError(
      `cannot tell the field names of ${uri}: the topic has no JSON object to read them from; set "features" and "label" (and kafka.csvColumns for CSV lines)`,
    );
  }
  columns = [...columns];
  return {
    name: uri,
    columns,
    records: source,
    positionsThrough: (index) => {
      source.markDone(index);
      return { kind: 'kafka', group: k.group, offsets: source.positions() };
    },
    allowCommit: (positions) => {
      if (positions.kind === 'kafka') source.allowCommit(positions.offsets);
    },
    close: (options) => source.close(options),
  };
}
