/**
 * A bounded async queue with backpressure between one producer and one reader. The producer
 * waits for space ({@link put}, or {@link waitForSpace} in slices when it must do something while
 * waiting) and is woken once a quarter of the queue is free, not after every item; the reader
 * waits for data ({@link take}). {@link close} ends the reading at once (queued items are dropped)
 * and {@link fail} once the queue is drained; both wake everyone. {@link wake} makes the waiters
 * check again (e.g. the reader's `ended` condition).
 *
 * @example
 * const queue = new BoundedQueue<number>(100);
 * void (async () => { for (let i = 0; i < 1000; i++) await queue.put(i); queue.close(); })();
 * for (let r = await queue.take(); !r.done; r = await queue.take()) use(r.value);
 */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[] = [];
  private head = 0;
  private dataWaiters: Array<() => void> = [];
  private spaceWaiters: Array<() => void> = [];
  private isClosed = false;
  private error: { readonly cause: unknown } | undefined;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`BoundedQueue: capacity must be an integer >= 1, got ${capacity}`);
  }

  /** Items queued and not yet taken. */
  get size(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** What {@link fail} was given, undefined while none. */
  get failure(): unknown {
    return this.error?.cause;
  }

  /** The queued items, oldest first, without taking them. */
  *peek(): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }

  /** Adds an item now (the producer waited for space first) and wakes the reader. Dropped (false) once closed. */
  push(item: T): boolean {
    if (this.isClosed) return false;
    this.items.push(item);
    this.release('data');
    return true;
  }

  /** Takes the oldest item now, undefined when empty; wakes the producer once a quarter of the queue is free. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    if (this.spaceWaiters.length > 0 && this.size <= this.capacity - Math.ceil(this.capacity / 4)) this.release('space');
    return item;
  }

  /** Waits for space, then adds the item: false when the queue closed (or failed) meanwhile. */
  async put(item: T): Promise<boolean> {
    while (this.full) {
      if (this.isClosed || this.error) return false;
      await this.waitForSpace();
    }
    if (this.error) return false;
    return this.push(item);
  }

  /**
   * The next item, waiting for one: done once closed, or when empty and `ended()` says no more
   * will come; throws the failure once drained.
   */
  async take(ended: () => boolean = () => false): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      if (this.isClosed) return { done: true, value: undefined };
      if (this.size > 0) return { done: false, value: this.shift()! };
      if (this.error) throw this.error.cause;
      if (ended()) return { done: true, value: undefined };
      await this.waitForData();
    }
  }

  /** Resolves after the next push, wake, close or failure. */
  waitForData(): Promise<void> {
    return new Promise((resolve) => this.dataWaiters.push(resolve));
  }

  /**
   * Resolves once a quarter of the queue is free (at once when it is, or the queue is closed), on
   * a wake or failure, or after `sliceMs` (for a producer that must heartbeat while it waits).
   */
  waitForSpace(sliceMs?: number): Promise<void> {
    if (this.isClosed || this.size <= this.capacity - Math.ceil(this.capacity / 4)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = sliceMs === undefined ? undefined : setTimeout(done, sliceMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.spaceWaiters.push(done);
    });
  }

  /** Drops the queued items `drop` selects (e.g. those of partitions given to another consumer); returns how many. */
  removeWhere(drop: (item: T) => boolean): number {
    const kept = this.items.slice(this.head).filter((item) => !drop(item!));
    const removed = this.size - kept.length;
    this.items.length = 0;
    this.items.push(...kept);
    this.head = 0;
    if (removed > 0) this.release('space');
    return removed;
  }

  /** Wakes every waiter to check its condition again. */
  wake(): void {
    this.release('data');
    this.release('space');
  }

  /** Ends the reading now (queued items are dropped) and wakes everyone. Safe to call more than once. */
  close(): void {
    this.isClosed = true;
    this.wake();
  }

  /** The reader gets `error` once the queue is drained; the producer stops. The first failure wins. */
  fail(error: unknown): void {
    this.error ??= { cause: error };
    this.wake();
  }

  private release(which: 'data' | 'space'): void {
    const waiters = which === 'data' ? this.dataWaiters : this.spaceWaiters;
    if (waiters.length === 0) return;
    if (which === 'data') this.dataWaiters = [];
    else this.spaceWaiters = [];
    for (const wake of waiters) wake();
  }
}
