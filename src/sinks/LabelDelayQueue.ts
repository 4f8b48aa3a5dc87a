import type { Message } from 'kafkajs';
import { ConfigError } from '../errors.js';
import { DueQueue } from './DueQueue.js';

/** A label ready to send, with the 0-based number of the feature record it belongs to. */
export interface DueLabel {
  readonly features: number;
  readonly message: Message;
}

/**
 * Holds each record's label until `delay` more feature records have gone out: after the features
 * of record n (numbered from 0 in send order), `afterFeatures` gives the labels due, those of the
 * records i with i + delay(i) <= n, earliest due first (ties in record order); `end` gives all the
 * rest, in the same order. A fixed delay N thus puts exactly N later feature records (or all there
 * are, at the end) between a record's features and its label.
 *
 * @example
 * const queue = new LabelDelayQueue(2);
 * queue.afterFeatures(label0); // []
 * queue.afterFeatures(label1); // []
 * queue.afterFeatures(label2); // [{ features: 0, message: label0 }]
 * queue.end();                 // labels 1 and 2
 */
export class LabelDelayQueue {
  private readonly waiting = new DueQueue<DueLabel>();
  private readonly draw: () => number;
  private count = 0;

  /** `delay`: a whole number of records >= 0, or a sampler of them called once per label, in record order. */
  constructor(delay: number | (() => number)) {
    this.draw = typeof delay === 'number' ? () => delay : delay;
  }

  /** Feature records seen so far. */
  get records(): number {
    return this.count;
  }

  /** Labels waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /** Counts one feature record (its label, when it has one, starts waiting) and returns the labels now due. */
  afterFeatures(label: Message | undefined): DueLabel[] {
    const n = this.count++;
    if (label) {
      const delay = this.draw();
      if (!(Number.isSafeInteger(delay) && delay >= 0)) {
        throw new ConfigError(`replay: the label delay must be a whole number of records >= 0, got ${delay} for record ${n}`);
      }
      this.waiting.push(n + delay, { features: n, message: label });
    }
    return this.waiting.popDue(n);
  }

  /** Every label still waiting, in due order. */
  end(): DueLabel[] {
    return this.waiting.popDue(Infinity);
  }
}
