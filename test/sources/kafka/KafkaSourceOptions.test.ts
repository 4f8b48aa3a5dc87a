import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { MIN_SESSION_TIMEOUT_MS, validateKafkaSourceOptions, type KafkaSourceOptions } from '../../../src/sources/kafka/KafkaSourceOptions.js';
import { parseConfig } from '../../../src/config.js';

const base: KafkaSourceOptions = { kafka: { brokers: ['127.0.0.1:9092'] }, topics: ['t'], groupId: 'g' };

describe('validateKafkaSourceOptions', () => {
  it('accepts the defaults', () => {
    expect(() => validateKafkaSourceOptions(base)).not.toThrow();
  });

  it.each([
    [{ topics: [] }, /at least one topic/],
    [{ groupId: '' }, /"groupId"/],
    [{ queueSize: 0 }, /"queueSize"/],
    [{ commitIntervalMs: -1 }, /"commitIntervalMs"/],
    [{ reportIntervalMs: 0 }, /"reportIntervalMs"/],
    [{ csvColumns: [] }, /"csvColumns"/],
    [{ sessionTimeoutMs: 5999 }, /"sessionTimeoutMs".*>= 6000.*5999/],
    [{ sessionTimeoutMs: 6000.5 }, /"sessionTimeoutMs"/],
  ])('rejects %o with a ConfigError naming the setting', (change, message) => {
    const run = () => validateKafkaSourceOptions({ ...base, ...change });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(message);
  });

  it('holds the same session timeout rule as the config', () => {
    const config = (sessionTimeoutMs: number) => () => parseConfig({ source: 'kafka://127.0.0.1:9092/t', kafka: { sessionTimeoutMs } });
    for (const ms of [MIN_SESSION_TIMEOUT_MS - 1, MIN_SESSION_TIMEOUT_MS, 30_000]) {
      const sourceAccepts = (() => {
        try {
          validateKafkaSourceOptions({ ...base, sessionTimeoutMs: ms });
          return true;
        } catch {
          return false;
        }
      })();
      if (sourceAccepts) expect(config(ms)).not.toThrow();
      else expect(config(ms)).toThrow();
    }
  });
});
