
/**
 * What a run opened and must release: released in reverse order of acquisition, each once, a
 * failure logged without stopping the others (shutdown must close everything it can).
 *
 * @example
 * const resources = new Resources(log);
 * const server = resources.add(await serveMetrics(...), (s) => s.close());
 * try { ... } finally { await resources.release(); }
 */
export class Resources {
  #releases: Array<() => unknown> = [];

  constructor(private readonly log: { warn(obj: object, message: string): void }) {}

  /** Registers `release(thing)` and returns `thing`. */
  add<T>(thing: T, release: (thing: T) => unknown): T {
    this.#releases.push(() => release(thing));
    return thing;
  }

  /** Releases everything registered, newest first. */
  async release(): Promise<void> {
    const releases = this.#releases.reverse();
    this.#releases = [];
    for (const release of releases) {
      try {
        await release();
      } catch (error) {
        this.log.warn({ err: error }, `while shutting down: ${(error as Error).message}`);
      }
    }
  }
}
