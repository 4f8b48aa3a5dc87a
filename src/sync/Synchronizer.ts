import { ConfigError } from '../errors.js';
import type { EngineSnapshot } from '../model/Engine.js';
import type { Standardizer } from '../stats/Standardizer.js';
import { mergeMembers } from '../tune/mergeMembers.js';
import type { Population, PopulationSnapshot } from '../tune/Population.js';
import type { ModelExchange } from './ModelExchange.js';
import type { Peer, PeerBook } from './PeerBook.js';
import type { SyncMessage } from './SyncMessage.js';

/** When to sync and whom to count (the `sync:` section's numbers). */
export interface SyncTiming {
  readonly everyRecords: number;
  readonly everySeconds: number;
  readonly timeoutSeconds: number;
}

/** What one round did. */
export interface SyncRound {
  readonly round: number;
  /** Live members in the round, this one included. */
  readonly members: number;
  /** The other members whose new models were merged (their records since the last merge > 0). */
  readonly merged: readonly string[];
  /** Records this trainer learned since its previous round. */
  readonly fresh: number;
  /** Age in seconds of the oldest model merged (0 when none). */
  readonly oldestSeconds: number;
  /** Time spent snapshotting, merging and encoding, on the pipeline's turn. */
  readonly ms: number;
}

export interface SynchronizerOptions {
  readonly member: string;
  readonly timing: SyncTiming;
  readonly parts: { readonly population: Pick<Population, 'snapshot' | 'restore'>; readonly scaler: Standardizer };
  readonly exchange: ModelExchange;
  readonly book: PeerBook;
  readonly now?: () => number;
  /** Called after each round with its figures (metrics, log); `bytes` once the message is written. */
  readonly onRound?: (round: SyncRound) => void;
  readonly onPublished?: (bytes: number, round: number) => void;
  readonly onError?: (error: unknown) => void;
  /** Records learned in all when syncing starts (a restored checkpoint's count); default 0. */
  readonly records?: number;
}

/**
 * Data-parallel training by periodic model averaging (local SGD / federated averaging): every
 * `everyRecords` records or `everySeconds`, between blocks, this trainer publishes its models
 * and scaler delta and merges the latest of the other live members, member by member, each
 * weighted by the records it learned since this trainer last merged it (see mergeMembers and
 * Standardizer.mergeDelta). A member silent for `timeoutSeconds` is left out. docs/scale-out.md.
 *
 * @example
 * const sync = new Synchronizer({ member: 'trainer-1', timing, parts, exchange, book });
 * sync.join(); // a member without a checkpoint: start from the others' merged models
 * onBatch: sync.maybe(report.counts.trained);
 * await sync.finish(result.counts.trained);
 */
export class Synchronizer {
  readonly #options: SynchronizerOptions;
  readonly #now: () => number;
  readonly #generation: number;
  #seq = 0;
  #lastRecords: number;
  #lastRoundAt: number;
  #pending: Promise<unknown> = Promise.resolve();
  /** Members already reported as not fitting (reported once each). */
  readonly #misfits = new Set<string>();

  constructor(options: SynchronizerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#generation = this.#now();
    this.#lastRoundAt = this.#generation;
    this.#lastRecords = options.records ?? 0;
    options.parts.scaler.trackDeltas();
  }

  /** Rounds so far. */
  get rounds(): number {
    return this.#seq;
  }

  /**
   * A joining member (no checkpoint of its own) starts from the others' models: each member k is
   * the average of their member k weighted by their records in all, and the scaler is that of the
   * member with the most records. Uses the live members, else every member ever heard from (the
   * group stopped: its last models are still better than none). Returns the members used.
   */
  join(): string[] {
    const { book, parts, timing } = this.#options;
    const live = book.live(this.#now(), timing.timeoutSeconds * 1000);
    const own = parts.population.snapshot();
    const peers = (live.length > 0 ? live : book.all()).filter((p) => p.latest.records > 0 && this.#fits(p.latest, own.members));
    book.clearPending();
    if (peers.length === 0) return [];
    const merged = mergeMembers(
      { members: own.members.map((m) => m.engine), weight: 0 },
      peers.map((p) => ({ members: p.latest.members, weight: p.latest.records })),
    );
    parts.population.restore(withEngines(own, merged));
    const richest = peers.reduce((a, b) => (b.latest.records > a.latest.records ? b : a));
    parts.scaler.restore(richest.latest.scaler);
    return peers.map((p) => p.latest.member);
  }

  /** A round when `everyRecords` records or `everySeconds` have passed since the last one (`records`: learned in all). */
  maybe(records: number): SyncRound | undefined {
    const { everyRecords, everySeconds } = this.#options.timing;
    const fresh = records - this.#lastRecords;
    const due = fresh >= everyRecords || (fresh > 0 && this.#now() - this.#lastRoundAt >= everySeconds * 1000);
    return due && !this.#options.exchange.busy ? this.round(records) : undefined;
  }

  /** Publishes this trainer's models and merges the others' now (between blocks). */
  round(records: number): SyncRound {
    const started = performance.now();
    const { member, parts, book, exchange, timing } = this.#options;
    const now = this.#now();
    const fresh = Math.max(0, records - this.#lastRecords);
    const own = parts.population.snapshot();
    const message: SyncMessage = {
      member,
      generation: this.#generation,
      seq: ++this.#seq,
      time: now,
      records,
      fresh,
      members: own.members.map((m) => m.engine),
      scaler: parts.scaler.snapshot(),
      delta: parts.scaler.takeDelta(),
    };
    const live = book.live(now, timing.timeoutSeconds * 1000);
    const taken = live.map((p) => book.take(p.latest.member) as Peer).filter((p) => p.pendingRecords > 0 && this.#fits(p.latest, own.members));
    if (taken.length > 0) {
      const merged = mergeMembers(
        { members: message.members, weight: fresh },
        taken.map((p) => ({ members: p.latest.members, weight: p.pendingRecords })),
      );
      parts.population.restore(withEngines(own, merged));
      for (const peer of taken) for (const delta of peer.pendingDeltas) parts.scaler.mergeDelta(delta);
    }
    this.#lastRecords = records;
    this.#lastRoundAt = now;
    const round = this.#seq;
    this.#pending = exchange
      .publish(message)
      .then((bytes) => this.#options.onPublished?.(bytes, round))
      .catch((error: unknown) => this.#options.onError?.(error));
    const result: SyncRound = {
      round,
      members: live.length + 1,
      merged: taken.map((p) => p.latest.member),
      fresh,
      oldestSeconds: taken.length > 0 ? Math.max(0, ...taken.map((p) => (now - p.latest.time) / 1000)) : 0,
      ms: performance.now() - started,
    };
    this.#options.onRound?.(result);
    return result;
  }

  /**
   * Whether a member's message can be merged here: the same weight shapes for every population
   * member both have, and the same scaler (features, target or not). A misfit is reported once
   * (onError) and left out: one misconfigured member must not stop the group.
   */
  #fits(message: SyncMessage, own: readonly { engine: EngineSnapshot }[]): boolean {
    const shapes = (e: EngineSnapshot): string => e.weights.map((w) => `[${w.shape.join(',')}]`).join(' ');
    const scaler = this.#options.parts.scaler;
    const sameModels = message.members.every((m, k) => own[k] === undefined || shapes(m) === shapes((own[k] as { engine: EngineSnapshot }).engine));
    const sameScaler = message.delta.features.mean.length === scaler.dim && (message.delta.target === null) === !scaler.settings.standardizeTarget;
    if (sameModels && sameScaler) return true;
    if (!this.#misfits.has(message.member)) {
      this.#misfits.add(message.member);
      const theirs = message.members[0] ? shapes(message.members[0]) : 'none';
      const ours = own[0] ? shapes(own[0].engine) : 'none';
      this.#options.onError?.(
        new ConfigError(
          `sync: member "${message.member}" learns another model (weights ${theirs}, ${message.delta.features.mean.length} features) than this one (${ours}, ${scaler.dim} features); ` +
            'it is left out of the merge: give every member of the group the same features, lags and model',
        ),
      );
    }
    return false;
  }

  /** The last round (what was learned since the previous one reaches the others), once the previous publish is done. */
  async finish(records: number): Promise<SyncRound | undefined> {
    await this.#pending;
    const round = records > this.#lastRecords || this.#seq === 0 ? this.round(records) : undefined;
    await this.#pending;
    return round;
  }
}

/** The population snapshot with its members' engines replaced (hyperparameters, losses and counts kept). */
function withEngines(snapshot: PopulationSnapshot, engines: PopulationSnapshot['members'][number]['engine'][]): PopulationSnapshot {
  return { ...snapshot, members: snapshot.members.map((m, k) => ({ ...m, engine: engines[k] ?? m.engine })) };
}
