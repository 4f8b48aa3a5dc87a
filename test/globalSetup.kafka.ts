import type { TestProject } from 'vitest/node';
import { startBroker } from './support/kafkaBroker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PLAINTEXT bootstrap address of the test run's broker. */
    kafkaBrokers: string;
    /** SASL_PLAINTEXT bootstrap address (PLAIN `streamtune`, SCRAM-SHA-256/512 `streamtune-scram`). */
    kafkaSaslBrokers: string;
  }
}

/**
 * Vitest globalSetup: starts one real Kafka broker for the whole run and provides its addresses.
 *
 * @example
 * // vitest.config.ts: test: { globalSetup: ['test/globalSetup.kafka.ts'] }
 * // in a test: const brokers = inject('kafkaBrokers');
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const broker = await startBroker();
  provide('kafkaBrokers', broker.brokers);
  provide('kafkaSaslBrokers', broker.saslBrokers);
  return () => broker.stop();
}
