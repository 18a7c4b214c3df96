import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The real-Kafka suites: one harness (3 brokers on fixed loopback addresses and ports) at a time. */
const KAFKA_TESTS = 'test/kafka/**/*.test.ts';

/**
 * The files that take minutes, longest first (as measured on a clean clone's `.ci/run`, 2026-12-02). Without a
 * results cache (a clean clone has none) vitest starts the largest files first, and the longest of all, the
 * fault-injection run, is a small file: it started last and ran alone at the end, its worker's neighbour idle.
 * Started first, the two workers finish together. Order only: a stale entry makes nothing fail.
 */
const SLOW_FIRST = [
  'test/emulator/faults.test.ts',
  'test/emulator/existing.test.ts',
  'test/emulator/roll.test.ts',
  'test/emulator/provision.test.ts',
  'test/emulator/batch-roll.test.ts',
  'test/stack/stack.test.ts',
  'test/emulator/teardown.test.ts',
  'test/emulator/accept-window.test.ts',
  'test/emulator/roll-lock.test.ts',
  'test/emulator/consumers.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = SLOW_FIRST.indexOf(relative(file.project.config.root, file.moduleId));
      return index < 0 ? SLOW_FIRST.length : index;
    };
    return sorted
      .map((file, i) => ({ file, i }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.i - b.i)
      .map((x) => x.file);
  }
}

export default defineConfig({
  test: {
    // No top-level `include`: a project that extends this config would add its include to it.
    environment: 'node',
    // The packaged template the emulator suites judge IAM against (test/aws-model/template.ts).
    globalSetup: ['test/global-setup.ts'],
    // A guard against a hung test, not a speed target (those are benchmarks): `npm test` runs the default
    // project beside the real-Kafka files (scripts/run-tests.ts), where a test of ~8 s alone took over 20 s.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two files at a time on CI's 2 cores (vitest's default there is one; the emulator files wait on moto's
    // HTTP answers much of the time). The real-Kafka project still runs one file at a time.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
    // Lambda logs above ERROR would only bury the test report (tests that check log lines spy on the logger).
    // KAFKA_PLC_STAGE: what serverless.yml sets for every function of the default stage's stack.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      KAFKA_PLC_STAGE: 'dev',
    },
    // The JSON report lets .ci/run print one plain "N passed, N failed" line (scripts/run-tests.ts runs the two
    // projects as two processes, each with its own report, and sums them into out/test-results.json).
    reporters: [
      'default',
      ['json', { outputFile: process.env.KAFKA_PLC_TEST_REPORT ?? 'out/test-results.json' }],
    ],
    projects: [
      // Everything else runs in parallel, as before.
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'], exclude: [KAFKA_TESTS] } },
      // One file after the other (vitest runs such a project after the parallel ones).
      { extends: true, test: { name: 'kafka', include: [KAFKA_TESTS], fileParallelism: false } },
    ],
  },
});
