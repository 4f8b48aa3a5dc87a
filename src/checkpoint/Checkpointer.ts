import type { Checkpoint } from './Checkpoint.js';
import type { CheckpointStore } from './CheckpointStore.js';

export interface CheckpointerSettings {
  /** Take a checkpoint after this many records since the last one. */
  readonly everyRecords?: number;
  /** Take a checkpoint after this many seconds since the last one. */
  readonly everySeconds?: number;
}

export interface CheckpointerHooks {
  /** Builds the checkpoint of the state right now, which covers every record up to `doneThrough`. */
  readonly take: (doneThrough: number) => Checkpoint;
  /** The checkpoint is durable: its source positions may now be committed. */
  readonly onDurable: (checkpoint: Checkpoint, path: string) => void;
  readonly onFailure: (error: unknown) => void;
  readonly now?: () => number;
}

/**
 * Decides when to checkpoint (every N records and/or T seconds, and at the end), takes the
 * snapshot synchronously between batches so it is consistent, writes it in the background (one
 * write at a time; a trigger during a write waits for the next batch) and reports when it is
 * durable, which is the only moment source positions may be committed.
 *
 * @example
 * const cp = new Checkpointer(store, { everyRecords: 10_000 }, { take, onDurable: (c) => source.allowCommit(c.positions), onFailure });
 * cp.maybe(counts.total, report.doneThrough); // after each batch
 * await cp.final(counts.total, lastIndex);    // at shutdown
 */
export class Checkpointer {
  private inFlight: Promise<boolean> | undefined;
  private lastRecords: number;
  private lastTime: number;
  private durableAt: number | undefined;
  private failureCount = 0;

  constructor(
    private readonly store: CheckpointStore,
    private readonly settings: CheckpointerSettings,
    private readonly hooks: CheckpointerHooks,
    startRecords = 0,
  ) {
    this.lastRecords = startRecords;
    this.lastTime = this.now();
  }

  /** Seconds since the last durable checkpoint (undefined before the first). */
  get ageSeconds(): number | undefined {
    return this.durableAt === undefined ? undefined : (this.now() - this.durableAt) / 1000;
  }

  get failures(): number {
    return this.failureCount;
  }

  /** Takes a checkpoint when one is due and none is being written. */
  maybe(records: number, doneThrough: number): void {
    if (this.inFlight) return;
    const { everyRecords, everySeconds } = this.settings;
    const due =
      (everyRecords !== undefined && records - this.lastRecords >= everyRecords) ||
      (everySeconds !== undefined && this.now() - this.lastTime >= everySeconds * 1000);
    if (due) this.start(records, doneThrough);
  }

  /** Waits for a write in progress, then takes a last checkpoint. Resolves true when it is durable. */
  async final(records: number, doneThrough: number): Promise<boolean> {
    await this.inFlight;
    return this.start(records, doneThrough);
  }

  /**
   * Takes a checkpoint of the state right now (call it between batches, like {@link maybe}); it is
   * written after any write in progress. Resolves true when it is durable.
   */
  takeNow(records: number, doneThrough: number): Promise<boolean> {
    return this.start(records, doneThrough);
  }

  private start(records: number, doneThrough: number): Promise<boolean> {
    this.lastRecords = records;
    this.lastTime = this.now();
    let checkpoint: Checkpoint;
    try {
      checkpoint = this.hooks.take(doneThrough);
    } catch (error) {
      this.failureCount++;
      this.hooks.onFailure(error);
      return Promise.resolve(false);
    }
    const write = this.store.save(checkpoint).then(
      (path) => {
        this.durableAt = this.now();
        this.hooks.onDurable(checkpoint, path);
        return true;
      },
      (error: unknown) => {
        this.failureCount++;
        this.hooks.onFailure(error);
        return false;
      },
    );
    const flight: Promise<boolean> = write.finally(() => {
      if (this.inFlight === flight) this.inFlight = undefined;
    });
    this.inFlight = flight;
    return flight;
  }

  private now(): number {
    return this.hooks.now ? this.hooks.now() : Date.now();
  }
}
