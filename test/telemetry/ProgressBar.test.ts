import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../src/telemetry/ProgressBar.js';

/** A writable that records what was written, with a clock the test moves. */
function fake(isTTY: boolean) {
  const chunks: string[] = [];
  let t = 1_000; // not 0, so nothing relies on the clock starting at zero
  return {
    chunks,
    stream: { isTTY, write: (text: string) => chunks.push(text) },
    now: () => t,
    advance: (ms: number) => (t += ms),
  };
}

const CLEAR = '\r\x1b[K';

describe('ProgressBar on a terminal', () => {
  it('draws the bar, counts, percent, average rate and ETA in place', () => {
    const f = fake(true);
    const bar = new ProgressBar({ stream: f.stream, now: f.now, width: 10 });
    f.advance(2_000);
    bar.update(500, 1_000);
    // 500 in 2 s = 250 msg/s; 500 left at 250/s = 2 s; half of 10 cells filled, then the head.
    expect(f.chunks).toEqual([`${CLEAR}[${'='.repeat(5)}>${' '.repeat(4)}] 500/1,000 50% 250 msg/s ETA 2s`]);
  });

  it('groups thousands, floors the percent and shows long ETAs in minutes', () => {
    const f = fake(true);
    const bar = new ProgressBar({ stream: f.stream, now: f.now, width: 20, unit: 'rec' });
    f.advance(40_000);
    bar.update(12_345, 45_312);
    const rate = 12_345 / 40;
    const eta = Math.ceil((45_312 - 12_345) / rate); // seconds
    const filled = Math.floor((12_345 / 45_312) * 20);
    const expected =
      `[${'='.repeat(filled)}>${' '.repeat(20 - filled - 1)}] 12,345/45,312 ${Math.floor((100 * 12_345) / 45_312)}% ` +
      `${Math.round(rate).toLocaleString('en-US')} rec/s ETA ${Math.floor(eta / 60)}m${String(eta % 60).padStart(2, '0')}s`;
    expect(f.chunks.at(-1)).toBe(`${CLEAR}${expected}`);
    expect(expected).toContain('27%');
    expect(eta).toBeGreaterThan(60);

    f.advance(1_000);
    bar.update(999, 1_000);
    expect(f.chunks.at(-1)).toContain(' 99% '); // never rounded up to 100 before the end
  });

  it('redraws at most once per interval, always the latest count', () => {
    const f = fake(true);
    const bar = new ProgressBar({ stream: f.stream, now: f.now, ttyIntervalMs: 100 });
    bar.update(1, 100);
    for (let i = 2; i <= 10; i++) {
      f.advance(10);
      bar.update(i, 100);
    }
    expect(f.chunks).toHaveLength(1); // 90 ms after the first draw
    f.advance(10);
    bar.update(11, 100);
    expect(f.chunks).toHaveLength(2);
    expect(f.chunks[1]).toContain(' 11/100 ');
  });

  it('finish shows the final state with a full bar and the elapsed time, ends the line, and only once', () => {
    const f = fake(true);
    const bar = new ProgressBar({ stream: f.stream, now: f.now, width: 8 });
    bar.update(10, 40);
    f.advance(50); // within the interval: not drawn by update
    bar.update(40, 40);
    f.advance(1_950);
    bar.finish();
    bar.finish();
    bar.update(41, 40);
    expect(f.chunks).toEqual([
      `${CLEAR}[==>     ] 10/40 25% 0 msg/s ETA ?`,
      `${CLEAR}[========] 40/40 100% 20 msg/s in 2.0s`,
      '\n',
    ]);
  });

  it('without a total shows the count and the rate only', () => {
    const f = fake(true);
    const bar = new ProgressBar({ stream: f.stream, now: f.now });
    f.advance(2_000);
    bar.update(12_345);
    expect(f.chunks).toEqual([`${CLEAR}12,345 msg ${Math.round(12_345 / 2).toLocaleString('en-US')} msg/s`]);
  });
});

describe('ProgressBar elsewhere (not a TTY)', () => {
  it('writes a plain line every 5 s and one at the end, without bar or carriage return', () => {
    const f = fake(false);
    const bar = new ProgressBar({ stream: f.stream, now: f.now });
    for (let s = 1; s <= 12; s++) {
      f.advance(1_000);
      bar.update(s * 100, 2_000);
    }
    bar.finish();
    // Lines at 1 s (first update), 6 s and 11 s, then the end at 12 s.
    expect(f.chunks).toEqual([
      '100/2,000 5% 100 msg/s ETA 19s\n',
      '600/2,000 30% 100 msg/s ETA 14s\n',
      '1,100/2,000 55% 100 msg/s ETA 9s\n',
      '1,200/2,000 60% 100 msg/s ETA 8s\n',
    ]);
    for (const line of f.chunks) {
      expect(line).not.toContain('\r');
      expect(line).not.toContain('[');
    }
  });

  it('get() reads the status text without writing', () => {
    const f = fake(false);
    const bar = new ProgressBar({ stream: f.stream, now: f.now });
    bar.update(0, 10);
    f.advance(1_000);
    bar.update(10, 10);
    expect(bar.get()).toBe('10/10 100% 10 msg/s in 1.0s');
    expect(f.chunks).toHaveLength(1);
  });
});
