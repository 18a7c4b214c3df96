/**
 * The health reader's failure path with the real `java` and no Kafka: a tool that cannot run makes the
 * reading fail with the tool's own words, never a snapshot of an empty, healthy cluster. (The reading of a
 * real cluster is in smoke.test.ts; readings while a broker is down, in roll.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaToolOutputError } from '../../functions/lib/errors';
import { readHealth } from '../../functions/lib/steps/health';
import { harnessPlan } from './harness';
import { withLocalHealth } from './local-health';

describe('readHealth (source local) when a tool fails', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('fails on the failed tool, naming it, instead of reading "no topics"', async () => {
    // Prepare: a Kafka home without jars, so every tool exits 1 before it prints anything
    const home = mkdtempSync(join(tmpdir(), 'kafka-plc-no-kafka-'));
    dirs.push(home);
    const plan = harnessPlan('/unused');
    // Act
    const reading = withLocalHealth(plan, home, () => readHealth(plan, []));
    // Assess
    await expect(reading).rejects.toThrow(KafkaToolOutputError);
    await expect(reading).rejects.toThrow(
      /kafka-topics --describe: .*"kafka-plc: org\.apache\.kafka\.tools\.TopicCommand exited 1"/,
    );
  }, 30_000);
});
