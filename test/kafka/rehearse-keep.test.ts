/**
 * `npm start -- --kafka --keep` and `kafka-plc rehearse --stop`, as a user runs them: the command (a process
 * of its own) ends and leaves the emulator, the brokers and haproxy running; what it printed — the bootstrap
 * address and the advertised names as hosts-file lines — is enough for another client (TiCDC's own, here) to
 * produce and read through the private-link path; a second rehearsal refuses while one is kept; --stop ends
 * every kept process by PID and is idempotent. On the Dedicated example: names complete from the first start,
 * so no roll (the rehearsal's longest step) — the seed's roll is the other rehearsal tests' subject.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type KeptRehearsal, stillRunning } from '../../cli/kept-rehearsal';
import { ROOT } from '../helpers/tools';
import { runTicdcCheckAt } from './ticdc-check';

/** This file's own record of what is kept: the default project's rehearsal test runs meanwhile, unrefused. */
const recordDir = mkdtempSync(join(tmpdir(), 'kafka-plc-kept-'));
const KEPT_FILE = join(recordDir, 'rehearsal-kept.json');

function rehearse(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/kafka-plc.mjs', 'rehearse', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: '',
      KAFKA_PLC_HEALTH_SOURCE: '',
      KAFKA_PLC_KEPT_FILE: KEPT_FILE,
    },
    timeout: 280_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => {
  // Whatever a failed test left running is stopped the way a user would.
  if (existsSync(KEPT_FILE)) rehearse('--stop');
  rmSync(recordDir, { recursive: true, force: true });
}, 60_000);

describe('a kept rehearsal (npm start -- --kafka --keep)', () => {
  let kept: KeptRehearsal;
  let printed: string[];

  it('ends, leaving the emulator, 3 brokers and haproxy running, and prints the bootstrap, hosts lines and stop command', () => {
    // Act
    const { code, stdout, stderr } = rehearse(
      '--kafka',
      '--keep',
      '--spec',
      'examples/dedicated-usw2.json',
      '--out',
      'out/test-keep',
    );
    // Assess
    expect(code, stderr).toBe(0);
    printed = stdout.slice(stdout.indexOf('Kept running:')).trim().split('\n').slice(1);
    expect(printed[0]).toBe('bootstrap: 127.0.2.1:9092');
    expect(printed.slice(1, 4)).toEqual(
      [1, 2, 3].map((n) => `127.0.2.1 b${n}.usw2-az${n}.abc.us-west-2.aws.3199015.tidbcloud.com`),
    );
    expect(printed[4]).toMatch(/^emulator: http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed.at(-1)).toBe('npx kafka-plc rehearse --stop');
    kept = JSON.parse(readFileSync(KEPT_FILE, 'utf8')) as KeptRehearsal;
    expect(kept.processes.map((p) => p.name).sort()).toEqual([
      'broker b1',
      'broker b2',
      'broker b3',
      'haproxy',
      'moto',
    ]);
    expect(stillRunning(kept)).toHaveLength(5);
  }, 300_000);

  it('lets another client use the printed addresses: TiCDC’s own writes and reads back through haproxy', async () => {
    // Prepare: the client's resolver from the printed hosts lines only
    const bootstrap = (printed[0] as string).replace('bootstrap: ', '');
    const names = new Map(
      printed
        .slice(1)
        .filter((line) => /^\d/.test(line))
        .map((line) => {
          const [address, name] = line.split(' ');
          return [name as string, address as string];
        }),
    );
    // Act
    const { report, code, stderr } = await runTicdcCheckAt(bootstrap, names, { topic: 'my-own-client' });
    // Assess
    expect(code, `${report.step}: ${report.error}\n${stderr}`).toBe(0);
    expect({ acked: report.acked, consumed: report.consumed, refused: report.refused }).toEqual({
      acked: 100,
      consumed: 100,
      refused: [],
    });
  }, 150_000);

  it('refuses a second rehearsal while one is kept, with the stop command, starting nothing', () => {
    // Act
    const { code, stderr } = rehearse();
    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('is still running');
    expect(stderr).toContain('"npx kafka-plc rehearse --stop"');
    expect(stderr).not.toContain('start the AWS emulator');
    expect(stillRunning(kept)).toHaveLength(5);
  }, 60_000);

  it('--stop ends every kept process by PID and removes the cluster directory; a second --stop has nothing to do', () => {
    // Act
    const first = rehearse('--stop');
    const second = rehearse('--stop');
    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^stopped the rehearsal of dedicated-usw2 kept at .*: moto \(pid \d+\), /);
    expect(stillRunning(kept)).toEqual([]);
    expect(existsSync(kept.dir)).toBe(false);
    expect(existsSync(KEPT_FILE)).toBe(false);
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('no rehearsal is kept running: nothing to stop');
  }, 90_000);

  it('--keep without --kafka is refused (exit 2): nothing would be left to use', () => {
    // Act
    const { code, stderr } = rehearse('--keep');
    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('--keep needs --kafka');
  }, 60_000);
});
