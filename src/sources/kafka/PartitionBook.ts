/** One topic-partition. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * What a consumer knows of one topic-partition, kept by {@link OffsetLedger}. Offsets are numbers
 * (exact below 2^53); -1 means "none yet".
 *
 * @example
 * const book = new PartitionBook('t', 0);
 * book.admit(5); // true: new
 * book.admit(5); // false: already admitted
 */
export class PartitionBook implements TopicPartition {
  /** Highest offset admitted to the queue (handed out or about to be). */
  private admitted = -1;
  /** Next offset past the fetched batches, counting control records and aborted messages that never reach the queue. */
  private scannedNext = -1;
  /** Highest offset marked done. */
  private done = -1;
  /** End offset at the first join that saw this partition: what `stopAtEnd` reads up to. */
  private stopAt: number | undefined;
  /** Next offset after the last one handed to the reader. */
  handedNext = -1;
  /** Where reading starts for the group (resume offset, committed offset, or earliest/latest); -1 until known. */
  start = -1;
  /** Committed offset (the next to read). */
  committed = -1;
  /** Highest next-offset allowed to commit. */
  allowed = -1;
  /** Where a checkpoint said to resume. */
  resumeAt = -1;
  /** Latest high watermark. */
  high = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** The next offset to read: after the last one done, or the resume offset when nothing was done since. */
  get next(): number {
    return Math.max(this.done + 1, this.resumeAt);
  }

  /** Start at `offset` (a checkpoint's): nothing before it is admitted, nothing from it on counts as fetched. */
  resumeFrom(offset: number): void {
    this.resumeAt = offset;
    this.admitted = offset - 1;
    this.scannedNext = offset;
  }

  /**
   * The partition went to another consumer: what was fetched and not handed out was dropped, so
   * it counts as neither admitted nor fetched (if it comes back, it is read again from there).
   */
  revoked(): void {
    this.admitted = Math.min(this.admitted, this.handedNext - 1);
    this.scannedNext = Math.min(this.scannedNext, this.handedNext);
  }

  admit(offset: number): boolean {
    if (offset <= this.admitted) return false;
    this.admitted = offset;
    return true;
  }

  scanned(next: number, high?: number): void {
    this.scannedNext = Math.max(this.scannedNext, next);
    if (high !== undefined) this.watermark(high);
  }

  watermark(high: number): void {
    this.high = Math.max(this.high, high);
  }

  handedOut(offset: number): void {
    this.handedNext = Math.max(this.handedNext, offset + 1);
  }

  markDone(offset: number): void {
    this.done = Math.max(this.done, offset);
  }

  /** Allows committing up to `offset`, capped at {@link next}; nothing while no position is known. */
  allow(offset: number): void {
    const capped = Math.min(offset, this.next);
    if (capped > 0) this.allowed = Math.max(this.allowed, capped);
  }

  confirm(offset: number): void {
    this.committed = Math.max(this.committed, offset);
  }

  /** Offsets learned at a group join: the end to stop at (first join only), the watermark, the group's offset and the start. */
  joined(low: number, high: number, groupOffset: number, fromBeginning: boolean): void {
    this.stopAt ??= high;
    this.watermark(high);
    this.confirm(groupOffset);
    this.start = this.resumeAt >= 0 ? this.resumeAt : groupOffset >= 0 ? Math.max(groupOffset, low) : fromBeginning ? low : high;
  }

  /** Fetched up to the end offset of the first join. */
  reachedEnd(): boolean {
    return Math.max(this.start, this.admitted + 1, this.scannedNext) >= (this.stopAt ?? Infinity);
  }
}
