import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { parseKafkaUri } from '../sources/kafka/kafkaClient.js';
import { kafkaSettings } from '../sources/kafka/openKafka.js';
import type { Logger } from '../telemetry/logger.js';
import type { SyncMetrics } from '../telemetry/SyncMetrics.js';
import type { Standardizer } from '../stats/Standardizer.js';
import type { Population } from '../tune/Population.js';
import { KafkaExchange } from './KafkaExchange.js';
import { syncMemberId } from './memberId.js';
import { PeerBook } from './PeerBook.js';
import { Synchronizer } from './Synchronizer.js';

/** A running sync: rounds between blocks, the last one and the exchange closed at the end. */
export interface OpenedSync {
  readonly synchronizer: Synchronizer;
  /** A round when one is due (call between blocks with the records learned in all). */
  maybe(records: number): void;
  /** The last round (once), then closes the exchange. */
  close(records?: number): Promise<void>;
}

/** How long a start waits to read what the group published before (then starts with what it has). */
const CATCH_UP_MS = 15_000;
/** How long the end of a run waits for its last round to be written (a broker down must not hold the exit). */
const FINAL_ROUND_MS = 10_000;

/**
 * Opens the model exchange when `sync.topic` is set (else undefined): connects to the sync
 * topic, reads the latest models of the group, and, when this member has no checkpoint of its
 * own (`restoredRecords` undefined), starts it from their merged models. Rounds are logged
 * (`sync.round`) and counted in `metrics`.
 *
 * @example
 * const sync = await openSync(config, parts, { log, metrics: telemetry.sync, restoredRecords: loaded?.checkpoint.records.trained });
 * onBatch: sync?.maybe(report.counts.trained);
 * await sync?.close(result.counts.trained);
 */
export async function openSync(
  config: Config,
  parts: { readonly population: Population; readonly scaler: Standardizer },
  options: { log: Logger; metrics?: SyncMetrics; restoredRecords?: number | undefined },
): Promise<OpenedSync | undefined> {
  const { topic: uri, everyRecords, everySeconds, timeoutSeconds } = config.sync;
  const member = syncMemberId(config);
  if (!uri || !member) return undefined;
  const { log, metrics } = options;
  const { brokers, topics } = parseKafkaUri(uri);
  const topic = topics[0] as string;
  const book = new PeerBook(member);
  const exchange = await KafkaExchange.open({ settings: kafkaSettings(config, brokers), topic, member, log, onMessage: (m) => book.receive(m) });
  if (!(await exchange.caughtUp(CATCH_UP_MS))) log.warn({ event: 'sync.catch_up_timeout', topic }, `sync: ${topic} not read to its end in ${CATCH_UP_MS / 1000} s; starting with what was read`);
  const synchronizer = new Synchronizer({
    member,
    timing: { everyRecords, everySeconds, timeoutSeconds },
    parts,
    exchange,
    book,
    records: options.restoredRecords ?? 0,
    onRound: (r) => {
      metrics?.round(r.members);
      log.info({ event: 'sync.round', member, ...r, ms: Math.round(r.ms * 100) / 100 }, `sync round ${r.round}: ${r.members} members, merged ${r.merged.join(',') || 'none'}`);
    },
    onPublished: (bytes, round) => {
      metrics?.published(bytes, Date.now());
      log.debug({ event: 'sync.published', round, bytes }, `sync: round ${round} published (${bytes} bytes)`);
    },
    onError: (error) =>
      error instanceof ConfigError
        ? log.error({ event: 'sync.misfit', err: error }, error.message)
        : log.warn({ event: 'sync.publish_failed', err: error }, `sync: publish failed, the next round retries: ${(error as Error).message}`),
  });
  if (options.restoredRecords === undefined) {
    const joined = synchronizer.join();
    log.info({ event: 'sync.join', member, topic, from: joined }, joined.length > 0 ? `sync: ${member} starts from the merged models of ${joined.join(', ')}` : `sync: ${member} is the first member of ${topic}`);
  } else {
    book.clearPending();
    log.info({ event: 'sync.resume', member, topic }, `sync: ${member} resumes from its own checkpoint, syncing through ${topic}`);
  }
  let closed = false;
  return {
    synchronizer,
    maybe: (records) => void synchronizer.maybe(records),
    close: async (records) => {
      if (closed) return;
      closed = true;
      if (records !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), FINAL_ROUND_MS)));
        const last = await Promise.race([synchronizer.finish(records), late]);
        clearTimeout(timer);
        if (last === 'late') log.warn({ event: 'sync.final_late', member }, `sync: the last round was not written within ${FINAL_ROUND_MS / 1000} s (broker down?); the others go on without it`);
      }
      await exchange.close();
    },
  };
}
