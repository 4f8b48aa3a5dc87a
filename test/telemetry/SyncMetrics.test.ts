import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SyncMetrics } from '../../src/telemetry/SyncMetrics.js';

const value = async (registry: Registry, name: string): Promise<number | undefined> =>
  (await registry.getSingleMetric(name)?.get())?.values[0]?.value;

describe('SyncMetrics', () => {
  it('counts rounds, keeps the live members of the last, and the lag since the last published round at scrape time', async () => {
    const registry = new Registry();
    let now = 1_000_000;
    const metrics = new SyncMetrics(registry, () => now);
    expect(await value(registry, 'streamtune_sync_lag_seconds')).toBe(0); // not syncing yet
    metrics.round(1);
    metrics.round(3);
    metrics.published(22_650, now);
    now += 12_500;
    expect(await value(registry, 'streamtune_sync_rounds_total')).toBe(2);
    expect(await value(registry, 'streamtune_sync_members')).toBe(3);
    expect(await value(registry, 'streamtune_sync_message_bytes')).toBe(22_650);
    expect(await value(registry, 'streamtune_sync_lag_seconds')).toBe(12.5);
    metrics.published(22_700, now);
    expect(await value(registry, 'streamtune_sync_lag_seconds')).toBe(0);
  });
});
