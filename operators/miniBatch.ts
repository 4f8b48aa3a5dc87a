import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { ConfigError } from '../src/errors.js';

/**
 * Groups items into batches: a batch is emitted when it holds `size` items, or `maxWaitMs` after
 * its FIRST item arrived, whichever comes first. Never emits an empty batch; on completion (and
 * before an error) the partial batch is emitted, so nothing is dropped silently.
 *
 * @example
 * samples$.pipe(miniBatch(32, 1000)); // [32 samples], [32 samples], ..., [7 samples] after 1 s of quiet
 *
 * // source:  a-b-c-d-----e----|        miniBatch(3, 5), 1 frame = 1 ms
 * // result:  ----x------y-----(z|)    x = [a,b,c], y = [d] (5 ms after d), z = [e] (on completion)
 */
export function miniBatch<T>(
  size: number,
  maxWaitMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<T, T[]> {
  if (!(Number.isInteger(size) && size >= 1)) throw new ConfigError(`miniBatch: "size" must be an integer >= 1, got ${size}`);
  if (!(maxWaitMs >= 0)) throw new ConfigError(`miniBatch: "maxWaitMs" must be >= 0 (Infinity: wait for size), got ${maxWaitMs}`);

  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let timer: Subscription | undefined;

      const flush = (): void => {
        timer?.unsubscribe();
        timer = undefined;
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        subscriber.next(full);
      };

      const subscription = source.subscribe({
        next: (item) => {
          batch.push(item);
          if (batch.length >= size) flush();
          else if (batch.length === 1 && maxWaitMs !== Infinity) timer = scheduler.schedule(flush, maxWaitMs);
        },
        // The partial batch goes out first, then the error: its items were read, so they must
        // reach the consumer (or the dead letter) rather than vanish with the error.
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });

      return () => {
        timer?.unsubscribe();
        subscription.unsubscribe();
      };
    });
}
