/** Where a {@link ProgressBar} writes: a terminal (`isTTY`) gets a redrawn bar, anything else plain lines. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Settings of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Default `process.stderr`. */
  readonly stream?: ProgressStream;
  /** What is counted, shown in the rate: `msg/s`. Default `msg`. */
  readonly unit?: string;
  /** Characters between the brackets. Default 30. */
  readonly width?: number;
  /** Least time between two redraws on a terminal. Default 100 ms. */
  readonly ttyIntervalMs?: number;
  /** Time between two plain lines elsewhere. Default 5,000 ms. */
  readonly lineIntervalMs?: number;
  /** Clock in milliseconds. Default `performance.now`. */
  readonly now?: () => number;
}

/**
 * A small progress display for counted work: on a terminal one line redrawn in place,
 * `[=====>    ] 12,345/45,312 27% 8,123 msg/s ETA 4s` (without a total: `12,345 msg 8,123 msg/s`);
 * elsewhere (a pipe, a log file) the same text without the bar as a plain line every 5 s and at
 * the end. The rate is the average since the bar was made; the ETA assumes it holds.
 *
 * @example
 * const bar = new ProgressBar({ stream: process.stderr });
 * for (let done = 1; done <= total; done++) bar.update(done, total);
 * bar.finish();
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly unit: string;
  private readonly width: number;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly started: number;
  private lastWrite = -Infinity;
  private done = 0;
  private total: number | undefined;
  private finished = false;

  constructor(options: ProgressBarOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = this.stream.isTTY === true;
    this.unit = options.unit ?? 'msg';
    this.width = Math.max(1, Math.floor(options.width ?? 30));
    this.interval = this.tty ? (options.ttyIntervalMs ?? 100) : (options.lineIntervalMs ?? 5_000);
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** Records the count so far (and the total, when known); redraws when the interval has passed. */
  update(done: number, total?: number): void {
    this.done = done;
    this.total = total;
    if (this.finished) return;
    const now = this.now();
    if (now - this.lastWrite < this.interval) return;
    this.lastWrite = now;
    this.write(now);
  }

  /** Shows the final state once and ends the line; later calls do nothing. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.write(this.now());
    if (this.tty) this.stream.write('\n');
  }

  /** The status text as it would be shown now (without the bar when not on a terminal). */
  get(): string {
    return this.line(this.now());
  }

  private write(now: number): void {
    if (this.tty) {
      this.stream.write(`\r\x1b[K${this.line(now)}`);
    } else {
      this.stream.write(`${this.line(now)}\n`);
    }
  }

  private line(now: number): string {
    const { done, total } = this;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const speed = `${count(Math.round(rate))} ${this.unit}/s`;
    if (total === undefined || !(total > 0)) return `${count(done)} ${this.unit} ${speed}`;
    const fraction = Math.min(1, Math.max(0, done / total));
    const parts = [`${count(done)}/${count(total)}`, `${Math.floor(fraction * 100)}%`, speed];
    if (done < total) parts.push(`ETA ${rate > 0 ? duration((total - done) / rate) : '?'}`);
    else parts.push(`in ${seconds < 60 ? `${seconds.toFixed(1)}s` : duration(seconds)}`);
    const text = parts.join(' ');
    return this.tty ? `${this.bar(fraction)} ${text}` : text;
  }

  private bar(fraction: number): string {
    const filled = Math.floor(fraction * this.width);
    if (filled >= this.width) return `[${'='.repeat(this.width)}]`;
    return `[${'='.repeat(filled)}>${' '.repeat(this.width - filled - 1)}]`;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `4s`, `1m05s`, `2h03m`. */
function duration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
