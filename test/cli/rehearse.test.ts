import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/tools';

function rehearse(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/kafka-plc.mjs'), 'rehearse', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, AWS_ENDPOINT_URL: '', KAFKA_PLC_HEALTH_SOURCE: '' },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('kafka-plc rehearse (npm start)', () => {
  it('runs the lifecycle on the emulator and prints the summary, leaving a topology picture', () => {
    // Prepare
    const out = join(ROOT, 'out/test-rehearsal');
    rmSync(out, { recursive: true, force: true });
    // Act
    const { code, stdout, stderr } = rehearse('--out', 'out/test-rehearsal');
    // Assess
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Endpoint service name: com\.amazonaws\.vpce\.us-west-2\.vpce-svc-\w+$/m);
    expect(stdout).toMatch(
      /^9093\s+b1\s+39092\s+b1\.usw2-az1\.rehearsal-[0-9a-f]{6}\.aws\.plc\.tidbcloud\.com:9093$/m,
    );
    expect(stdout).toContain('b2 → b3 → b1 (one at a time, controller last)');
    expect(stderr).toMatch(
      /\[8\/9\] kafka-plc status: the emulated account against the plan \(read-only\) \([\d.]+s\): in sync and healthy/,
    );
    expect(stderr).toMatch(/\[9\/9\] write the topology picture/);
    expect(stdout).toContain(
      'Status (kafka-plc status): in sync and healthy — endpoint connections not readable here (emulator)',
    );
    expect(stdout).toContain('Next steps in TiDB Cloud:');
    expect(stderr).toMatch(/vpce-0rehearsal00000001 from \d{12}: accept \(.*inside window-/);
    expect(stderr).toMatch(
      /vpce-0rehearsal00000002 from \d{12}: leave \(.*window-\S+'s acceptances go to older pending connections/,
    );
    expect(stderr).toContain('vpce-0rehearsal00000003 from 999999999999: reject');
    const svg = readFileSync(join(out, 'topology.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    for (const port of [9092, 9093, 9094, 9095]) expect(svg).toContain(`:${port}`);
    expect(existsSync(join(out, 'provision-output.json'))).toBe(true);
  }, 120_000);

  it('exits 2 naming the field when the spec is invalid, before starting anything', () => {
    const { code, stderr } = rehearse('--spec', 'package.json');
    expect(code).toBe(2);
    expect(stderr).toContain('is not a field of the cluster spec');
    expect(stderr).not.toContain('start the AWS emulator');
  });
});
