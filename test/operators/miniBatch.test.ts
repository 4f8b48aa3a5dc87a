import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { miniBatch } from '../../operators/miniBatch.js';
import { ConfigError } from '../../src/errors.js';

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('miniBatch', () => {
  it('emits a batch as soon as it holds `size` items', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('abcdefg|');
      expectObservable(source.pipe(miniBatch(3, 100))).toBe('--x--y-(z|)', {
        x: ['a', 'b', 'c'],
        y: ['d', 'e', 'f'],
        z: ['g'],
      });
    });
  });

  it('emits maxWaitMs after the FIRST item of the batch, in virtual time', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      // a at 0 -> flushed alone at 5; b at 10 starts a batch, c at 13 joins it, flushed at 15 (not 18)
      const source = cold('a 9ms b 2ms c 20ms |');
      expectObservable(source.pipe(miniBatch(5, 5, scheduler))).toBe('5ms x 9ms y 18ms |', {
        x: ['a'],
        y: ['b', 'c'],
      });
    });
  });

  it('follows the documented example', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-d-----e----|');
      expectObservable(source.pipe(miniBatch(3, 5, scheduler))).toBe('----x------y-----(z|)', {
        x: ['a', 'b', 'c'],
        y: ['d'],
        z: ['e'],
      });
    });
  });

  it('flushes the partial batch on completion', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|').pipe(miniBatch(3, 100))).toBe('--(x|)', { x: ['a', 'b'] });
    });
  });

  it('never emits an empty batch: not on an idle source, not after a size flush, not on empty completion', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('20ms |').pipe(miniBatch(2, 5, scheduler))).toBe('20ms |');
      expectObservable(cold('ab 20ms |').pipe(miniBatch(2, 5, scheduler))).toBe('-x 20ms |', { x: ['a', 'b'] });
      expectObservable(cold('a 20ms |').pipe(miniBatch(2, 5, scheduler))).toBe('5ms x 15ms |', { x: ['a'] });
    });
  });

  it('emits the partial batch before propagating an error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc#', undefined, 'boom').pipe(miniBatch(2, 100))).toBe('-x-(y#)', { x: ['a', 'b'], y: ['c'] }, 'boom');
      expectObservable(cold('ab#', undefined, 'boom').pipe(miniBatch(2, 100))).toBe('-x#', { x: ['a', 'b'] }, 'boom');
    });
  });

  it('waits only for size when maxWaitMs is Infinity', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold('a 1000ms b 1000ms |').pipe(miniBatch(2, Infinity, scheduler))).toBe('1001ms x 1000ms |', {
        x: ['a', 'b'],
      });
    });
  });

  it('unsubscribes from the source and cancels its timer when unsubscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a 10ms b|');
      expectObservable(source.pipe(miniBatch(5, 5, scheduler)), '^ 2ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^ 2ms !');
    });
  });

  it('keeps state per subscription', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const batches = miniBatch<string>(2, 100, scheduler);
      // with shared state a and b would fill one batch of 2 at frame 1
      expectObservable(cold('a--|').pipe(batches)).toBe('---(x|)', { x: ['a'] });
      expectObservable(cold('-b-|').pipe(batches)).toBe('---(y|)', { y: ['b'] });
    });
  });

  it('rejects a size below 1 or a negative wait', () => {
    expect(() => miniBatch(0, 10)).toThrow(ConfigError);
    expect(() => miniBatch(1.5, 10)).toThrow(/size/);
    expect(() => miniBatch(4, -1)).toThrow(/maxWaitMs/);
  });
});
