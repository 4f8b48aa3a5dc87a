import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listenForStop, type SignalSource } from '../../src/training/stopSignals.js';

const quiet = { info: () => {}, warn: () => {} };

describe('listenForStop', () => {
  it('aborts on the first signal, forces on the second, and stops listening when told', () => {
    const signals = new EventEmitter();
    const abort = new AbortController();
    let forced = 0;
    const stop = listenForStop({ abort, log: quiet, onForce: () => forced++, signals: signals as unknown as SignalSource });
    signals.emit('SIGTERM', 'SIGTERM');
    expect(abort.signal.aborted).toBe(true);
    expect(forced).toBe(0);
    signals.emit('SIGINT', 'SIGINT');
    expect(forced).toBe(1);
    stop();
    expect(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('never exits the process itself', () => {
    const signals = new EventEmitter();
    const abort = new AbortController();
    const exit = process.exit;
    let exited = false;
    process.exit = (() => {
      exited = true;
    }) as typeof process.exit;
    try {
      listenForStop({ abort, log: quiet, onForce: () => {}, signals: signals as unknown as SignalSource });
      signals.emit('SIGINT', 'SIGINT');
      signals.emit('SIGINT', 'SIGINT');
    } finally {
      process.exit = exit;
    }
    expect(exited).toBe(false);
  });
});
