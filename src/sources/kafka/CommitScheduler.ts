/**
 * When offsets are committed: one commit at a time (a commit asked for while one runs starts
 * after it, whether it failed or not), and background commits at most every `intervalMs`
 * (counted from the start of the last commit).
 *
 * @example
 * const commits = new CommitScheduler(() => consumer.commitOffsets(ledger.pending()), 1000);
 * commits.maybe(ledger.pending().length > 0)?.catch(logIt); // from the reader, often
 * await commits.commit(); // flush: after the one in flight
 */
export class CommitScheduler {
  private running: Promise<void> | undefined;
  private lastAt = -Infinity;

  constructor(
    private readonly commitNow: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A commit is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Commits after the commit in flight (commits never overlap); rejects with this commit's failure. */
  commit(): Promise<void> {
    const run = (this.running ?? Promise.resolve())
      .catch(() => {})
      .then(() => {
        this.lastAt = this.now();
        return this.commitNow();
      });
    this.running = run;
    const clear = (): void => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  /** Starts a commit when there is something to commit, none is in flight and the interval has passed; else undefined. */
  maybe(hasWork: boolean): Promise<void> | undefined {
    if (!hasWork || this.running !== undefined || this.now() - this.lastAt < this.intervalMs) return undefined;
    return this.commit();
  }
}
