import { describe, expect, it } from 'vitest';
import { explore, type Ranked } from '../../src/tune/explore.js';
import { initialMembers } from '../../src/tune/initialMembers.js';
import { populationEvents } from '../../src/tune/populationEvents.js';
import { populationSchema } from '../../src/tune/populationSchema.js';

const settings = populationSchema.parse({ size: 8, replace: 0.25, margin: 0.1, perturb: 2, learningRate: [0.001, 0.01], l2: [0, 0.01], batchSizes: [1, 4] });
const ranked: Ranked[] = [0.3, 0.31, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8].map((loss, id) => ({
  id,
  loss,
  params: { learningRate: 0.008, l2: id % 2 === 0 ? 0 : 0.001, batchSize: 1 },
}));

describe('initialMembers', () => {
  it('starts with the configured model, then spreads its learning rate up and down by powers of the perturbation, within the bounds', () => {
    const members = initialMembers({ ...settings, size: 5 }, { learningRate: 0.002, l2: 0.02, batchSize: 1 });
    expect(members.map((m) => m.learningRate)).toEqual([0.002, 0.004, 0.001, 0.008, 0.001]);
    expect(members[0]).toEqual({ learningRate: 0.002, l2: 0.02, batchSize: 1 }); // the starting member is the config, as given
    expect(members.slice(1).every((m) => m.l2 === 0.01)).toBe(true); // the others within the L2 bounds
    expect(members.map((m) => m.batchSize)).toEqual([1, 4, 1, 4, 1]);
  });
});

describe('explore', () => {
  it('replaces the worst quarter by copies of the best quarter, perturbed within the bounds', () => {
    const changes = explore(ranked, settings, 0, false);
    expect(changes.map((c) => c.member)).toEqual([6, 7]);
    for (const c of changes) {
      expect([0, 1]).toContain(c.from);
      expect([0.01, 0.004]).toContain(c.params.learningRate); // 0.008 * 2 clamped to 0.01, or / 2
      expect(c.old).toEqual(ranked[c.member]?.params);
      expect(c.fromLoss).toBe(ranked[c.from]?.loss);
      expect([1, 4]).toContain(c.params.batchSize);
      expect(c.params.l2).toBeGreaterThanOrEqual(0);
      expect(c.params.l2).toBeLessThanOrEqual(0.01);
    }
  });

  it('is reproducible from the seed and the round, and differs between rounds', () => {
    expect(explore(ranked, settings, 3, false)).toEqual(explore(ranked, settings, 3, false));
    const many = Array.from({ length: 20 }, (_, round) => JSON.stringify(explore(ranked, settings, round, false)));
    expect(new Set(many).size).toBeGreaterThan(1);
  });

  it('copies nobody whose loss is within the margin of the member it would copy', () => {
    const close = ranked.map((r) => ({ ...r, loss: 0.3 + r.id * 0.001 }));
    expect(explore(close, settings, 0, false)).toEqual([]);
  });

  it('squares the perturbation when widened', () => {
    const wide = explore(ranked, { ...settings, learningRate: [1e-5, 1] }, 0, true);
    for (const c of wide) expect([0.032, 0.002]).toContain(Number(c.params.learningRate.toFixed(6)));
  });
});

describe('populationEvents', () => {
  it('reports the copy and each hyperparameter that changed, with reason population', () => {
    const [change] = explore(ranked, settings, 0, false);
    const events = populationEvents(change!, { total: 6400, batches: 200 }, 'T');
    expect(events[0]).toMatchObject({ reason: 'population', param: 'weights', records: 6400, batches: 200, time: 'T' });
    expect(events[0]?.signals).toEqual({ member: change!.member, from: change!.from, loss: change!.loss, fromLoss: change!.fromLoss });
    const changed = (['learningRate', 'l2', 'batchSize'] as const).filter((p) => change!.old[p] !== change!.params[p]);
    expect(events.slice(1).map((e) => e.param)).toEqual(changed);
    for (const e of events.slice(1)) expect([e.old, e.new]).toEqual([change!.old[e.param as 'l2'], change!.params[e.param as 'l2']]);
  });
});
