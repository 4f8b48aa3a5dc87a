import { HandoverDirectory } from '../checkpoint/HandoverDirectory.js';
import type { Config } from '../config.js';
import { syncMemberId } from '../sync/memberId.js';
import type { Logger } from '../telemetry/logger.js';
import { Handover } from './Handover.js';

/**
 * The partition handover of a syncing trainer reading Kafka with checkpoints: its member directory
 * is `checkpoint.dir/<memberId>` and the group's members share `checkpoint.dir`. Undefined (with a
 * warning when it matters) otherwise: without checkpoints a rebalance starts partitions at the
 * group's committed offsets.
 *
 * @example
 * const handover = openHandover(config, log); // with --sync and --checkpoint-dir on a kafka:// source
 */
export function openHandover(config: Config, log: Pick<Logger, 'info' | 'warn' | 'error'>): Handover | undefined {
  const member = syncMemberId(config);
  if (member === undefined || !config.source.startsWith('kafka://')) return undefined;
  if (!config.checkpoint.dir) {
    log.warn('--sync without --checkpoint-dir: partitions moved by a rebalance start at the committed offsets, and records learned since may be learned twice');
    return undefined;
  }
  return new Handover(new HandoverDirectory(config.checkpoint.dir, member), config.kafka.group, log);
}
