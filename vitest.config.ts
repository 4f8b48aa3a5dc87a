import { defineConfig } from 'vitest/config';

// Two projects: unit tests run alone (`npm run test:unit`, no broker, no build); integration tests
// run the built CLI against real files and a real Kafka broker started once for the run.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/integration/**', 'test/bench/**'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          // The bench smoke runs the built CLI too, so it belongs with the tests that build first.
          include: ['test/integration/**/*.test.ts', 'test/bench/**/*.test.ts'],
          globalSetup: ['test/globalSetup.build.ts', 'test/globalSetup.kafka.ts'],
        },
      },
    ],
  },
});
