import { PartitionBook, type TopicPartition } from './PartitionBook.js';

/** The next offset to read in one topic-partition (what a group commits and a checkpoint stores). */
export interface KafkaOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Progress of one assigned partition. Offsets are decimal strings. */
export interface KafkaPartitionStatus {
  readonly topic: string;
  readonly partition: number;
  /** Next offset to hand out (everything before it was handed to the reader). */
  readonly position: string;
  /** Offset committed for the group (the next one to read after a restart), `-1` when none. */
  readonly committed: string;
  /** Latest known high watermark (the offset the next produced message will get). */
  readonly end: string;
  /** `end - position`, never below 0. */
  readonly lag: number;
}

/** Offsets of one assigned partition learned after a group join (decimal strings, `-1` for no group offset). */
export interface JoinOffsets extends TopicPartition {
  readonly low: string;
  readonly high: string;
  /** The group's committed offset, `-1` when none. */
  readonly committed: string;
}

/** What a group join asks of the consumer: where to seek (only at the first join, from the resume offsets). */
export interface Assignment {
  readonly generation: number;
  readonly seeks: readonly KafkaOffset[];
  /** Assigned now, and not assigned and settled before (see {@link OffsetLedger.hold}). */
  readonly added: readonly TopicPartition[];
  /** Assigned before, not now. */
  readonly revoked: readonly TopicPartition[];
}

/**
 * The exactly-once bookkeeping of a consumer, as plain data: which offsets were fetched, handed
 * out and marked done, what may be committed, and where to resume. Rules (see its unit tests):
 * - each (partition, offset) is admitted once: a refetch after a restart or a re-assignment skips
 *   what was already admitted, and nothing before a resume offset is admitted;
 * - {@link markDone} covers handed-out records by index, in order; marks never go back;
 * - a commit never passes a record not yet done: allowances are capped at {@link positions};
 * - only partitions of the current assignment are committed (a revoked one is its new owner's).
 *
 * @example
 * const ledger = new OffsetLedger([{ topic: 't', partition: 0, offset: '10' }]);
 * ledger.assign([{ topic: 't', partition: 0 }]); // { generation: 1, seeks: [{ ..., offset: '10' }] }
 * if (ledger.admit('t', 0, 10)) ledger.handOut(0, 't', 0, 10);
 * ledger.markDone(0); ledger.allow(ledger.positions()); ledger.pending(); // [{ topic: 't', partition: 0, offset: '11' }]
 */
export class OffsetLedger {
  private readonly books = new Map<string, PartitionBook>();
  /** Runs of handed-out records not yet done, oldest first (from `runsHead`). */
  private readonly runs: Run[] = [];
  private runsHead = 0;
  private assigned: PartitionBook[] | undefined;
  private ready = false;
  private joins = 0;
  private seeked = false;
  /** Assigned partitions held until a handover settles where they start. */
  private readonly unsettled = new Set<PartitionBook>();
  private lastHanded = -1;

  constructor(resumeAt: readonly KafkaOffset[] = []) {
    for (const { topic, partition, offset } of resumeAt) this.book(topic, partition).resumeFrom(Number(offset));
  }

  /** A group join: the member's new partitions. Seeks to the resume offsets at the first join only. */
  assign(partitions: readonly TopicPartition[]): Assignment {
    const before = this.assigned ?? [];
    this.assigned = partitions.map(({ topic, partition }) => this.book(topic, partition));
    const now = new Set(this.assigned);
    const settled = new Set(before.filter((b) => !this.unsettled.has(b)));
    const revoked = before.filter((b) => !now.has(b)).map(topicPartition);
    const added = this.assigned.filter((b) => !settled.has(b)).map(topicPartition);
    for (const b of [...this.unsettled]) if (!now.has(b)) this.unsettled.delete(b);
    this.ready = false;
    const seeks: KafkaOffset[] = [];
    if (!this.seeked) {
      this.seeked = true;
      for (const b of this.assigned) if (b.resumeAt >= 0) seeks.push(offsetOf(b, b.resumeAt));
    }
    return { generation: ++this.joins, seeks, added, revoked };
  }

  /** Holds these assigned partitions: nothing is admitted from them, and the end is not reached, until {@link settle}. */
  hold(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.unsettled.add(this.book(topic, partition));
  }

  /** The queued records of these revoked partitions were dropped: they count as neither admitted nor fetched. */
  dropped(partitions: readonly TopicPartition[]): void {
    for (const { topic, partition } of partitions) this.book(topic, partition).revoked();
  }

  /** A held partition starts at `offset` (nothing before it is admitted), or where the group starts it when undefined. */
  settle(topic: string, partition: number, offset: number | undefined): void {
    const book = this.book(topic, partition);
    if (offset !== undefined) book.resumeFrom(offset);
    this.unsettled.delete(book);
  }

  /** The next offset of a partition after the records this consumer marked done (-1: none). */
  doneNext(topic: string, partition: number): number {
    return this.books.get(key(topic, partition))?.next ?? -1;
  }

  /** Whether a partition belongs to the current assignment and is not held (before the first join: every partition). */
  owns(topic: string, partition: number): boolean {
    if (!this.assigned) return true;
    const book = this.books.get(key(topic, partition));
    return book !== undefined && this.assigned.includes(book) && !this.unsettled.has(book);
  }

  /** Index of the last record handed to the reader (-1: none yet). */
  get handedThrough(): number {
    return this.lastHanded;
  }

  /** Topics of the current assignment (whose offsets a join loads). */
  assignedTopics(): string[] {
    return [...new Set((this.assigned ?? []).map((b) => b.topic))];
  }

  /** Number of the last group join (0 before the first). */
  get generation(): number {
    return this.joins;
  }

  /** Whether offsets were loaded for the current assignment (a join since then makes them stale). */
  get joinReady(): boolean {
    return this.ready;
  }

  /**
   * The offsets loaded after join `generation`: where reading starts and stops. Ignored (false)
   * when another join happened since; partitions not assigned to this member are skipped.
   */
  joined(generation: number, offsets: readonly JoinOffsets[], fromBeginning: boolean): boolean {
    if (generation !== this.joins) return false;
    const current = new Set(this.assigned);
    for (const o of offsets) {
      const b = this.books.get(key(o.topic, o.partition));
      if (b && current.has(b)) b.joined(Number(o.low), Number(o.high), Number(o.committed), fromBeginning);
    }
    this.ready = true;
    return true;
  }

  /** Whether a fetched message is new: false for one already admitted (refetched) or before the resume offset. */
  admit(topic: string, partition: number, offset: number): boolean {
    return this.book(topic, partition).admit(offset);
  }

  /** Fetching reached `next` (past control records and aborted messages too); `high` is the batch's watermark. */
  scanned(topic: string, partition: number, next: number, high?: number): void {
    this.book(topic, partition).scanned(next, high);
  }

  /** The latest high watermark of a partition. */
  watermark(topic: string, partition: number, high: number): void {
    this.book(topic, partition).watermark(high);
  }

  /** Record `index` (of `topic/partition@offset`) was handed to the reader: it is in flight until marked done. */
  handOut(index: number, topic: string, partition: number, offset: number): void {
    const book = this.book(topic, partition);
    book.handedOut(offset);
    this.lastHanded = Math.max(this.lastHanded, index);
    const last = this.runs.at(-1);
    if (last && this.runs.length > this.runsHead && last.book === book && last.lastIndex + 1 === index && last.firstOffset + (index - last.firstIndex) === offset) {
      last.lastIndex = index;
    } else {
      this.runs.push({ book, firstIndex: index, firstOffset: offset, lastIndex: index });
    }
  }

  /** Every handed-out record with `index <= index` is done (records handed out later are not). */
  markDone(index: number): void {
    while (this.runsHead < this.runs.length) {
      const run = this.runs[this.runsHead]!;
      if (run.firstIndex > index) break;
      const through = Math.min(index, run.lastIndex);
      run.book.markDone(run.firstOffset + (through - run.firstIndex));
      if (through < run.lastIndex) break;
      this.runsHead++;
    }
    if (this.runsHead > 1024 && this.runsHead * 2 > this.runs.length) {
      this.runs.splice(0, this.runsHead);
      this.runsHead = 0;
    }
  }

  /** The next offset to read of every partition known: after the last record done, or the resume offset. What a checkpoint stores. */
  positions(): KafkaOffset[] {
    const out: KafkaOffset[] = [];
    for (const b of this.books.values()) if (b.next > 0) out.push(offsetOf(b, b.next));
    return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** Allows committing up to these offsets, each capped at the partition's position (never past a record not done). */
  allow(offsets: readonly KafkaOffset[]): void {
    for (const { topic, partition, offset } of offsets) this.book(topic, partition).allow(Number(offset));
  }

  /** What to commit now: assigned partitions allowed past their committed offset. */
  pending(): KafkaOffset[] {
    return (this.assigned ?? []).filter((b) => b.allowed > b.committed).map((b) => offsetOf(b, b.allowed));
  }

  /** The group committed `offset` (a commit confirmed by the consumer, or learned at a join). */
  committed(topic: string, partition: number, offset: number): void {
    this.book(topic, partition).confirm(offset);
  }

  /** The offsets of a commit that were not confirmed (the consumer skipped them while restarting). */
  unconfirmed(offsets: readonly KafkaOffset[]): KafkaOffset[] {
    return offsets.filter((o) => this.book(o.topic, o.partition).committed < Number(o.offset));
  }

  /** Every assigned partition was fetched up to its end offset at the first join (undefined before the offsets are loaded). */
  reachedEnd(): boolean {
    if (!this.assigned || !this.ready || this.unsettled.size > 0) return false;
    return this.assigned.every((b) => b.reachedEnd());
  }

  /** Position, committed offset, end and lag of each assigned partition (none before the first join). */
  statuses(): KafkaPartitionStatus[] {
    return (this.assigned ?? []).map((b) => {
      const position = Math.max(b.start, b.handedNext, 0);
      const end = Math.max(b.high, position);
      return { topic: b.topic, partition: b.partition, position: String(position), committed: String(b.committed), end: String(end), lag: end - position };
    });
  }

  private book(topic: string, partition: number): PartitionBook {
    const k = key(topic, partition);
    let book = this.books.get(k);
    if (!book) this.books.set(k, (book = new PartitionBook(topic, partition)));
    return book;
  }
}

/** Consecutive handed-out records of one partition with consecutive offsets (a fetch batch, usually). */
interface Run {
  readonly book: PartitionBook;
  firstIndex: number;
  readonly firstOffset: number;
  lastIndex: number;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

const topicPartition = (b: TopicPartition): TopicPartition => ({ topic: b.topic, partition: b.partition });
const offsetOf = (b: TopicPartition, offset: number): KafkaOffset => ({ topic: b.topic, partition: b.partition, offset: String(offset) });
