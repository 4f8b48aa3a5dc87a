import { scrapeMetrics } from './scrapeMetrics.js';

/**
 * Scrapes a trainer's /metrics every 50 ms until the records it processed in this process (train +
 * holdout + rejected) satisfy `done`, or `timeoutMs` passes; returns the last count seen.
 *
 * @example
 * const url = await run.metricsUrl;
 * await recordsWhen(url, (n) => n >= 1000, 30_000); // then SIGTERM it mid-run
 */
export async function recordsWhen(url: string, done: (records: number) => boolean, timeoutMs: number): Promise<number> {
  let records = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrapeMetrics(url).catch(() => []);
    records = samples
      .filter((s) => s.name === 'streamtune_records_total' || s.name === 'streamtune_records_rejected_total')
      .reduce((total, s) => total + s.value, 0);
    if (done(records) || Date.now() >= deadline) return records;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
