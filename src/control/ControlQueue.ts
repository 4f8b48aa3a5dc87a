import { ControlError } from '../errors.js';

interface Pending<T, R> {
  readonly item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Control actions waiting for the pipeline's turn. The HTTP handlers only {@link submit}; the
 * pipeline {@link drain}s the queue between two blocks and carries each action out there, so no
 * action ever runs concurrently with a train step. Bounded: a full queue refuses more.
 *
 * @example
 * const queue = new ControlQueue<ControlRequest, ControlOutcome>(100);
 * const outcome = queue.submit(request);          // HTTP handler: resolves once applied
 * queue.drain((request) => apply(request));       // the pipeline, between blocks
 */
export class ControlQueue<T, R> {
  #pending: Pending<T, R>[] = [];

  constructor(private readonly capacity = 100) {}

  /** Actions waiting. */
  get size(): number {
    return this.#pending.length;
  }

  /** Queues `item`; resolves with what {@link drain}'s `apply` returned for it (or rejects with what it threw). */
  submit(item: T): Promise<R> {
    if (this.#pending.length >= this.capacity) {
      return Promise.reject(new ControlError(`${this.capacity} control actions are already waiting for the pipeline; try again later`, { retriable: true }));
    }
    return new Promise<R>((resolve, reject) => this.#pending.push({ item, resolve, reject }));
  }

  /** Carries out every waiting item in arrival order with `apply`; one that throws is rejected, the rest go on. */
  drain(apply: (item: T) => R): number {
    const pending = this.#pending;
    if (pending.length === 0) return 0;
    this.#pending = [];
    for (const p of pending) {
      try {
        p.resolve(apply(p.item));
      } catch (error) {
        p.reject(error);
      }
    }
    return pending.length;
  }

  /** Rejects everything still waiting (the run is ending). */
  close(reason: string): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.reject(new ControlError(reason));
  }
}
