import type { SourcePositions } from '../checkpoint/Checkpoint.js';

/**
 * Guards the exactly-once rule at the edge: source positions are committed only after the dead
 * letters written before them are flushed, and only positions the caller allows (with
 * checkpoints: those of a durable checkpoint). Commits run one after another, in the order
 * allowed; a failed commit is reported and the next one still runs (a later commit covers it).
 *
 * @example
 * const gate = new CommitGate({ commit: source.allowCommit, flush: () => deadLetter.flush(), onError });
 * gate.allow(checkpoint.positions); // when the checkpoint is durable
 * await gate.settled();             // before exit
 */
export class CommitGate {
  #chain: Promise<void> = Promise.resolve();
  #committed = 0;

  constructor(
    private readonly hooks: {
      /** Commits positions at the source; absent for sources with nothing to commit (files). */
      readonly commit: ((positions: SourcePositions) => void | Promise<void>) | undefined;
      /** Makes the dead letters written so far durable. */
      readonly flush: () => Promise<void>;
      readonly onError: (error: unknown) => void;
    },
  ) {}

  /** True when the source takes commits. */
  get enabled(): boolean {
    return this.hooks.commit !== undefined;
  }

  /** Number of commits carried out. */
  get committed(): number {
    return this.#committed;
  }

  /** Queues a commit of `positions`, after the dead letters and any earlier commit. */
  allow(positions: SourcePositions): void {
    const commit = this.hooks.commit;
    if (!commit) return;
    this.#chain = this.#chain
      .then(() => this.hooks.flush())
      .then(() => commit(positions))
      .then(() => void this.#committed++)
      .catch((error: unknown) => this.hooks.onError(error));
  }

  /** Resolves when every queued commit has run. */
  settled(): Promise<void> {
    return this.#chain;
  }
}
