import { describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../src/model/Engine.js';
import { mergeMembers } from '../../src/tune/mergeMembers.js';

const model = (w: number): EngineSnapshot => ({ weights: [{ shape: [1], values: [w] }], optimizer: { t: 0, slots: [] } });
const valueOf = (s: EngineSnapshot): number => s.weights[0]!.values[0]!;

describe('mergeMembers', () => {
  it('member k merges with member k of the others only, weighted by each trainer\'s records', () => {
    const own = { members: [model(0), model(10), model(100), model(1000)], weight: 1000 };
    const peer = { members: [model(4), model(20), model(200), model(2000)], weight: 3000 };
    const merged = mergeMembers(own, [peer]);
    expect(merged.map(valueOf)).toEqual([3, 17.5, 175, 1750]);
  });

  it('a member the others lack stays; a trainer that learned nothing since adds nothing; no news leaves all as is', () => {
    const own = { members: [model(0), model(8)], weight: 500 };
    const small = { members: [model(2)], weight: 500 };
    const idle = { members: [model(99), model(99)], weight: 0 };
    expect(mergeMembers(own, [small, idle]).map(valueOf)).toEqual([1, 8]);
    expect(mergeMembers({ ...own, weight: 0 }, [idle]).map(valueOf)).toEqual([0, 8]);
    // nothing learned here since the last merge: the peer's fresh model is taken as it is
    expect(mergeMembers({ ...own, weight: 0 }, [small]).map(valueOf)).toEqual([2, 8]);
  });
});
