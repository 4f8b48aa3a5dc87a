import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { KafkaOffset } from '../sources/kafka/OffsetLedger.js';
import type { TopicPartition } from '../sources/kafka/PartitionBook.js';
import { CheckpointStore } from './CheckpointStore.js';

/** What a member declares after a group join: the partitions it reads from now on, and nothing else. */
export interface HandoverMarker {
  /** The member's directory name (its `sync.memberId`). */
  readonly member: string;
  /** Its Kafka member id in the group generation the marker is for. */
  readonly kafkaMemberId: string;
  readonly assignment: readonly TopicPartition[];
}

const MARKER = 'handover.json';

/**
 * The shared checkpoint root of a syncing group: one directory per member (`<root>/<memberId>`)
 * holding its checkpoints and its handover marker. Members read each other's markers and newest
 * durable checkpoints to hand partitions over without loss or a record learned twice
 * (docs/scale-out.md, "Handing partitions over").
 *
 * @example
 * const board = new HandoverDirectory('state', 'trainer-1');
 * await board.writeMarker('streamtune-2f…', [{ topic: 'elec2', partition: 0 }], 1);
 * const starts = await board.durablePositions('trainers'); // the furthest durable offset of every partition
 */
export class HandoverDirectory {
  private writes: Promise<unknown> = Promise.resolve();
  private written = -1;

  constructor(
    readonly root: string,
    readonly member: string,
  ) {}

  /** This member's checkpoint directory. */
  get dir(): string {
    return join(this.root, this.member);
  }

  /**
   * Declares this member's assignment as of its join number `generation` (atomically: a reader
   * sees the old marker or the new one). Writes run one at a time, and one for an older join than
   * the last written is skipped, so a slow handover cannot bring back a stale assignment.
   */
  writeMarker(kafkaMemberId: string, assignment: readonly TopicPartition[], generation: number): Promise<void> {
    const write = this.writes.then(async () => {
      if (generation < this.written) return;
      await mkdir(this.dir, { recursive: true });
      const tmp = join(this.dir, `.${MARKER}.${process.pid}.tmp`);
      const file = await open(tmp, 'w', 0o644);
      try {
        await file.writeFile(JSON.stringify({ member: this.member, kafkaMemberId, assignment, generation, at: new Date().toISOString() }) + '\n');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, join(this.dir, MARKER));
      this.written = generation;
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Every member's latest marker (members without one, or with an unreadable one, are left out). */
  async markers(): Promise<HandoverMarker[]> {
    const markers = await Promise.all(
      (await this.members()).map(async (member) => {
        try {
          const parsed = JSON.parse(await readFile(join(this.root, member, MARKER), 'utf8')) as HandoverMarker;
          return [{ member, kafkaMemberId: parsed.kafkaMemberId, assignment: parsed.assignment }];
        } catch {
          return [];
        }
      }),
    );
    return markers.flat();
  }

  /**
   * For every partition of `group` any member's newest durable checkpoint holds, the furthest
   * offset: where the partition's records are covered by durable state up to.
   */
  async durablePositions(group: string): Promise<KafkaOffset[]> {
    const furthest = new Map<string, KafkaOffset>();
    for (const member of await this.members()) {
      const loaded = await new CheckpointStore({ dir: join(this.root, member) }).loadLatest().catch(() => undefined);
      const positions = loaded?.checkpoint.positions;
      if (positions?.kind !== 'kafka' || positions.group !== group) continue;
      for (const o of positions.offsets) {
        const k = `${o.topic}/${o.partition}`;
        const seen = furthest.get(k);
        if (!seen || Number(o.offset) > Number(seen.offset)) furthest.set(k, { topic: o.topic, partition: o.partition, offset: o.offset });
      }
    }
    return [...furthest.values()];
  }

  private async members(): Promise<string[]> {
    try {
      return (await readdir(this.root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  }
}
