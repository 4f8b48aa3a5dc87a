import { hostname } from 'node:os';
import type { Config } from '../config.js';

/**
 * This trainer's stable name in a syncing group: `sync.memberId`, else the host name cleaned to
 * what a checkpoint directory may be called. Undefined when `sync.topic` is not set (a trainer
 * alone keeps its checkpoints directly in `checkpoint.dir`).
 *
 * @example
 * syncMemberId(config); // 'trainer-1'
 */
export function syncMemberId(config: Pick<Config, 'sync'>): string | undefined {
  if (!config.sync.topic) return undefined;
  return config.sync.memberId ?? (hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'trainer');
}
