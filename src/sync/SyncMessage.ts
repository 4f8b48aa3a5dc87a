import type { EngineSnapshot } from '../model/Engine.js';
import type { StandardizerDelta, StandardizerSnapshot } from '../stats/Standardizer.js';

/**
 * What a trainer publishes on the sync topic (key: its member id; compaction keeps the latest):
 * its population's models, the records behind them and its scaler, as of one sync round.
 *
 * @example
 * const message: SyncMessage = { member: 'trainer-1', generation: 1767000000000, seq: 3, time: Date.now(), records: 6000, fresh: 2000, members, scaler, delta };
 */
export interface SyncMessage {
  /** The publishing trainer's member id (also the Kafka key). */
  readonly member: string;
  /** When the publishing process started (ms since the epoch): a restarted member's messages supersede the old ones. */
  readonly generation: number;
  /** 1, 2, ... within a generation. */
  readonly seq: number;
  /** When it was published (ms since the epoch, the publisher's clock). */
  readonly time: number;
  /** Records the trainer has learned in all (its own, not merged ones). */
  readonly records: number;
  /** Records it learned since its previous message: the weight of these models in the next merge. */
  readonly fresh: number;
  /** Each population member's weights and Adam state (member k merges with member k). */
  readonly members: readonly EngineSnapshot[];
  /** Its whole scaler (what a joining member starts from). */
  readonly scaler: StandardizerSnapshot;
  /** The moments of its records since its previous message (what the others merge, once). */
  readonly delta: StandardizerDelta;
}
