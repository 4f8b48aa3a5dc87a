import { AssignerProtocol, type Admin } from 'kafkajs';
import type { GroupMember } from './Rebalance.js';

const POLL_MS = 200;

/**
 * The members of consumer group `groupId` and their assignments, once the group is stable
 * (asked again every 200 ms while it rebalances). Rejects when it is not stable within
 * `timeoutMs`, or with the admin client's error.
 *
 * @example
 * const members = await describeMembers(admin, 'trainers', 30_000); // [{ memberId: 'streamtune-5c…', assignment: [{ topic: 'elec2', partition: 0 }] }]
 */
export async function describeMembers(admin: Admin, groupId: string, timeoutMs: number): Promise<GroupMember[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups.find((g) => g.groupId === groupId);
    if (group?.state === 'Stable') {
      return group.members.map((m) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
        const assignment = Object.entries(decoded?.assignment ?? {}).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        );
        return { memberId: m.memberId, assignment };
      });
    }
    if (Date.now() >= deadline) {
      throw new Error(`consumer group "${groupId}" is still ${group?.state ?? 'unknown'} after ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
