import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest default-project files, longest first (a clean clone's CI, seconds: faults 113, roll 30,
 * roll-lock 28, provision 25, existing 24, teardown 22, accept-window 21). A clean clone has no duration
 * cache, and vitest then keeps the discovery order: faults would start late and leave one of the two workers
 * alone at the end. With a cache (a second local run) vitest's own order is much the same.
 */
const SLOW_FIRST = [
  'test/emulator/faults.test.ts',
  'test/emulator/roll.test.ts',
  'test/emulator/roll-lock.test.ts',
  'test/emulator/provision.test.ts',
  'test/emulator/existing.test.ts',
  'test/emulator/teardown.test.ts',
  'test/emulator/accept-window.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = SLOW_FIRST.findIndex((slow) => file.moduleId.endsWith(slow));
      return index < 0 ? SLOW_FIRST.length : index;
    };
    // Projects stay in vitest's order (default before kafka); within one, the slow files first.
    const projects = [...new Set(sorted.map((file) => file.project.name))];
    return projects.flatMap((name) =>
      sorted
        .map((file, order) => ({ file, order }))
        .filter(({ file }) => file.project.name === name)
        .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
        .map(({ file }) => file),
    );
  }
}

/** The real-Kafka suites: one harness (3 brokers on fixed loopback addresses and ports) at a time. */
const KAFKA_TESTS = 'test/kafka/**/*.test.ts';

export default defineConfig({
  test: {
    // No top-level `include`: a project that extends this config would add its include to it.
    environment: 'node',
    // The packaged template the emulator suites judge IAM against (test/aws-model/template.ts).
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 120_000,
    // Two files at a time on CI's 2 cores (vitest's default there is one; the emulator files wait on moto's
    // HTTP answers much of the time). The real-Kafka project still runs one file at a time.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
    // Lambda logs above ERROR would only bury the test report (tests that check log lines spy on the logger).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    // The JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: 'out/test-results.json' }]],
    projects: [
      // Everything else runs in parallel, as before.
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'], exclude: [KAFKA_TESTS] } },
      // One file after the other (vitest runs such a project after the parallel ones).
      { extends: true, test: { name: 'kafka', include: [KAFKA_TESTS], fileParallelism: false } },
    ],
  },
});
