import { Observable } from 'rxjs';
import { ConfigError } from '../errors.js';
import type { RawRecord } from '../types.js';
import { isChunked } from './ChunkedRecords.js';

/** Settings of {@link fromSource}. */
export interface FromSourceOptions {
  /** Records per second at most: record k is not emitted before start + k / rate seconds. Default unlimited. */
  readonly rate?: number;
  /** Stop (complete) after this many records. Default unlimited. */
  readonly maxRecords?: number;
  /** Aborting it completes the stream, as an end of input would. */
  readonly signal?: AbortSignal;
}

/** Yield to the event loop at least this often, so timers and servers run even when records come from memory. */
const MAX_BUSY_MS = 20;

/**
 * Turns a pull-based source into an Observable, one record per `next()`: the next record is only
 * read after the subscriber has handled the current one, so synchronous processing applies
 * backpressure all the way to the file or topic. Unsubscribing, `maxRecords` or an abort stops
 * the reading and calls the iterator's `return()` (closing the file); read errors go to `error`.
 *
 * @example
 * fromSource(readCsv('data/elec2.csv'), { rate: 1000, maxRecords: 5000 })
 *   .pipe(map((raw) => decode(raw, schema)))
 *   .subscribe(console.log);
 */
export function fromSource(records: AsyncIterable<RawRecord>, options: FromSourceOptions = {}): Observable<RawRecord> {
  const { rate, maxRecords = Infinity, signal } = options;
  if (rate !== undefined && !(rate > 0)) throw new ConfigError(`fromSource: "rate" must be > 0 records per second, got ${rate}`);
  if (!(maxRecords >= 0)) throw new ConfigError(`fromSource: "maxRecords" must be >= 0, got ${maxRecords}`);

  return new Observable<RawRecord>((subscriber) => {
    if (signal?.aborted) {
      subscriber.complete();
      return undefined;
    }
    // Chunked sources are pulled a chunk at a time (one await per file read, not per record).
    const chunks = isChunked(records);
    const iterator: AsyncIterator<RawRecord | readonly RawRecord[]> = chunks
      ? records.chunks()[Symbol.asyncIterator]()
      : records[Symbol.asyncIterator]();
    let finished = false; // the iterator ended by itself (done or threw): nothing to close
    let closed = false; // return() has been called
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake: (() => void) | undefined;

    const close = (): void => {
      if (finished || closed) return;
      closed = true;
      // return() of an async generator waits for a pending next(); errors on closing are not the reader's concern.
      iterator.return?.().catch(() => {});
    };
    const sleep = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, ms);
      });
    const onAbort = (): void => subscriber.complete();

    const pump = async (): Promise<void> => {
      const start = performance.now();
      let lastYield = start;
      let emitted = 0;
      /** Waits until record `emitted` is due (rate), or lets timers and I/O run after a long busy stretch. */
      const pace = async (): Promise<void> => {
        const now = performance.now();
        const due = rate === undefined ? now : start + (emitted * 1000) / rate;
        if (due > now) {
          await sleep(due - now);
          lastYield = performance.now();
        } else if (now - lastYield > MAX_BUSY_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      };
      try {
        pull: while (!subscriber.closed && emitted < maxRecords) {
          if (!chunks || rate !== undefined) await pace();
          if (subscriber.closed) break;
          const next = await iterator.next();
          if (next.done) {
            finished = true;
            break;
          }
          if (!chunks) {
            if (subscriber.closed) break;
            emitted++;
            subscriber.next(next.value as RawRecord);
            continue;
          }
          const chunk = next.value as readonly RawRecord[];
          for (let i = 0; i < chunk.length; i++) {
            if (subscriber.closed || emitted >= maxRecords) break pull;
            if (rate !== undefined || (i & 255) === 255) await pace();
            if (subscriber.closed) break pull;
            emitted++;
            subscriber.next(chunk[i] as RawRecord);
          }
        }
        subscriber.complete();
      } catch (error) {
        finished = true;
        subscriber.error(error);
      } finally {
        close();
      }
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    void pump();
    return () => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
      wake?.();
      close();
    };
  });
}
