import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The model exchange between the trainers of a group (`sync:`, docs/scale-out.md): rounds, live
 * members, how long since this member's models last reached the topic, and their size. Zero on a
 * trainer that does not sync.
 *
 * @example
 * const metrics = new SyncMetrics(telemetry.registry);
 * metrics.round(2); // a round with 2 live members, this one included
 * metrics.published(48_000, Date.now());
 */
export class SyncMetrics {
  readonly #rounds: Counter;
  readonly #members: Gauge;
  readonly #lag: Gauge;
  readonly #bytes: Gauge;
  #lastPublished: number | undefined;

  constructor(registry: Registry, now: () => number = Date.now) {
    const registers = [registry];
    this.#rounds = new Counter({
      name: 'streamtune_sync_rounds_total',
      help: "Sync rounds: this member published its models and merged the other live members' latest (every sync.everyRecords records or sync.everySeconds).",
      registers,
    });
    this.#members = new Gauge({
      name: 'streamtune_sync_members',
      help: 'Live members of the syncing group in the last round, this one included (a member silent for sync.timeoutSeconds is left out).',
      registers,
    });
    this.#lag = new Gauge({
      name: 'streamtune_sync_lag_seconds',
      help: "Seconds since this member's models last reached the sync topic (its last successful round); 0 before the first. Grows when it stops syncing.",
      registers,
      collect: () => {
        if (this.#lastPublished !== undefined) this.#lag.set(Math.max(0, (now() - this.#lastPublished) / 1000));
      },
    });
    this.#bytes = new Gauge({
      name: 'streamtune_sync_message_bytes',
      help: "Size of this member's last sync message before compression (the broker's limit is message.max.bytes, 1 MiB by default).",
      registers,
    });
  }

  /** A round with `members` live members (this one included). */
  round(members: number): void {
    this.#rounds.inc();
    this.#members.set(members);
  }

  /** This member's message of `bytes` was written at `at` (ms since the epoch). */
  published(bytes: number, at: number): void {
    this.#lastPublished = at;
    this.#bytes.set(bytes);
  }
}
