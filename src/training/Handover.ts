import type { HandoverDirectory } from '../checkpoint/HandoverDirectory.js';
import type { TopicPartition } from '../sources/kafka/PartitionBook.js';
import type { Rebalance, RebalanceListener } from '../sources/kafka/Rebalance.js';
import type { Logger } from '../telemetry/logger.js';

const POLL_MS = 200;
/** Longest wait for the records of revoked partitions already handed out to be learned. */
const RELEASE_TIMEOUT_MS = 15_000;

/** Checkpoints the state as of the last finished block (between blocks); resolves true when durable. */
export type CheckpointNow = (doneThrough: number) => Promise<boolean>;

/**
 * The trainer's side of handing partitions over in a syncing group (docs/scale-out.md, "Handing
 * partitions over"). At every group join, {@link listener}:
 * 1. if partitions were revoked: waits until the records of them already handed out are learned,
 *    then makes a checkpoint durable (so everything it learned of them is covered by durable state);
 * 2. writes its marker (Kafka member id and assignment): from now on it reads only those;
 * 3. if partitions were added: waits until every other member of the stable group has written a
 *    marker for its current assignment, then resolves to the furthest durable positions of all
 *    members' checkpoints; the source starts each added partition at the higher of that and the
 *    group's committed offset.
 *
 * @example
 * const handover = new Handover(new HandoverDirectory('state', 'trainer-1'), 'trainers', log);
 * openSource(uri, { ...config, kafkaHooks: { onRebalance: handover.listener } });
 * handover.attach((through) => checkpointer.takeNow(parts.counts.total, through));
 * onBatch: handover.progress(report.doneThrough);
 */
export class Handover {
  private doneThrough = -1;
  private waiting: Array<{ readonly index: number; readonly resolve: (durable: Promise<boolean>) => void }> = [];
  private checkpoint: CheckpointNow | undefined;

  constructor(
    private readonly board: HandoverDirectory,
    private readonly group: string,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly peerTimeoutMs = 60_000,
  ) {}

  /** The pipeline runs: a handover checkpoints through `checkpoint`. */
  attach(checkpoint: CheckpointNow): void {
    this.checkpoint = checkpoint;
  }

  /** The pipeline ended and its final checkpoint is durable: handovers waiting for it go on. */
  detach(): void {
    this.checkpoint = undefined;
    for (const w of this.waiting.splice(0)) w.resolve(Promise.resolve(true));
  }

  /** After each block (from onBatch): records up to `doneThrough` are learned; a handover waiting for them checkpoints now. */
  progress(doneThrough: number): void {
    this.doneThrough = doneThrough;
    if (!this.checkpoint || !this.waiting.some((w) => w.index <= doneThrough)) return;
    const durable = this.checkpoint(doneThrough);
    this.waiting = this.waiting.filter((w) => {
      if (w.index > doneThrough) return true;
      w.resolve(durable);
      return false;
    });
  }

  /** The source's {@link RebalanceListener}. */
  readonly listener: RebalanceListener = async (rebalance) => {
    if (rebalance.revoked.length > 0) await this.release(rebalance);
    if (rebalance.stale()) return []; // a later join declares instead
    await this.board.writeMarker(rebalance.memberId, rebalance.assignment, rebalance.generation);
    if (rebalance.added.length === 0) return [];
    await this.waitForPeers(rebalance);
    return this.board.durablePositions(this.group);
  };

  /** Makes everything learned of the revoked partitions durable. */
  private async release(rebalance: Rebalance): Promise<void> {
    const checkpoint = this.checkpoint;
    if (!checkpoint || rebalance.handedThrough < 0) return; // nothing learned since the restored checkpoint
    const durable =
      rebalance.currentHandedThrough() <= this.doneThrough
        ? await checkpoint(this.doneThrough) // nothing in flight: the state is the last block's
        : await this.checkpointOnceLearned(rebalance.handedThrough, checkpoint);
    if (!durable) {
      this.log.error(
        `handover: the checkpoint of revoked partitions ${names(rebalance.revoked)} failed; their next owner starts at the last durable one and learns what came after it again`,
      );
    }
  }

  /**
   * Checkpoints at the first block that finishes record `index` (see {@link progress}), or, when
   * none has within {@link RELEASE_TIMEOUT_MS}, what is learned by then (logged).
   */
  private async checkpointOnceLearned(index: number, checkpoint: CheckpointNow): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const waiter = { index, resolve: (durable: Promise<boolean>) => (clearTimeout(timer), void durable.then(resolve)) };
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== waiter);
        this.log.warn(`handover: records handed out before the rebalance were not learned within ${RELEASE_TIMEOUT_MS / 1000} s; checkpointing what is learned`);
        void checkpoint(this.doneThrough).then(resolve);
      }, RELEASE_TIMEOUT_MS);
      this.waiting.push(waiter);
    });
  }

  /** Waits until every other member of the stable group declared its current assignment (or the timeout, logged). */
  private async waitForPeers(rebalance: Rebalance): Promise<void> {
    const deadline = Date.now() + this.peerTimeoutMs;
    for (;;) {
      if (rebalance.stale()) return;
      const [members, markers] = await Promise.all([rebalance.members(), this.board.markers()]);
      const missing = members.filter(
        (m) => m.memberId !== rebalance.memberId && !markers.some((k) => k.kafkaMemberId === m.memberId && sameSet(k.assignment, m.assignment)),
      );
      if (missing.length === 0) return;
      if (Date.now() >= deadline) {
        this.log.warn(
          { missing: missing.map((m) => m.memberId) },
          `handover: ${missing.length} member(s) did not declare their assignment within ${this.peerTimeoutMs / 1000} s; starting ${names(rebalance.added)} from the durable checkpoints (records those members learned after theirs may be learned twice)`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

function sameSet(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  const key = (p: TopicPartition): string => `${p.topic}/${p.partition}`;
  const left = new Set(a.map(key));
  return left.size === b.length && b.every((p) => left.has(key(p)));
}

function names(partitions: readonly TopicPartition[]): string {
  return partitions.map((p) => `${p.topic}/${p.partition}`).join(', ');
}
