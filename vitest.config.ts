import { defineConfig } from 'vitest/config';
import { DurationSequencer } from './test/helpers/duration-sequencer.js';

// Two projects: unit tests run in parallel with fakes; integration and e2e tests share one
// real sandbox (Asterisk, SIPp, PostgreSQL, Redis) and run one file at a time.
export default defineConfig({
  test: {
    // scripts/test.sh runs the integration files in shards at once: split them by measured time.
    sequence: { sequencer: DurationSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // Some unit tests run real sockets and timers (the ARI and AMI clients against fakes):
          // CI runs them beside the compose smoke test on 2 cores. A second try, as for the
          // integration tests; scripts/test.sh's summary lists every test that needed it.
          retry: 1,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/helpers/global-setup.ts'],
          fileParallelism: false,
          // One more try for a failed integration/e2e test: on a loaded 2-core machine a real call
          // can miss a deadline (seen: the worker-kill fault test once, an adopted call ended
          // failed, under a load average of 40). A test must fail twice to fail the suite; the
          // reporter still shows the first failure.
          retry: 1,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
