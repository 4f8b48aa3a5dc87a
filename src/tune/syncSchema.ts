import { z } from 'zod';

/**
 * The `sync:` section: trainers of one consumer group learn one model together by exchanging
 * their models through a compacted Kafka topic (docs/scale-out.md). Off unless `topic` is set.
 *
 * @example
 * syncSchema.parse({ topic: 'kafka://127.0.0.1:9092/streamtune-sync', everyRecords: 2000, memberId: 'trainer-1' });
 */
export const syncSchema = z
  .strictObject({
    topic: z
      .string()
      .regex(/^kafka:\/\/[^/]+\/[^/]+$/, 'must be kafka://BROKERS/TOPIC')
      .optional()
      .describe('exchange models with the other trainers of the group through this compacted topic, kafka://BROKERS/TOPIC (unset: no sync)'),
    everyRecords: z.number().int().positive().default(2000).describe('publish and merge after this many records learned (or everySeconds, whichever first)'),
    everySeconds: z.number().positive().default(10).describe('publish and merge after this many seconds (or everyRecords, whichever first)'),
    memberId: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only (it names a checkpoint directory)')
      .optional()
      .describe("this trainer's stable name in the group: its checkpoints go to checkpoint.dir/<memberId> (unset: the host name)"),
    timeoutSeconds: z.number().positive().default(30).describe('a member that has not published for this long is dropped from the merge'),
  })
  .prefault({});
