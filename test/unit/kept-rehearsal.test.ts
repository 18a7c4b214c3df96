/**
 * The kept rehearsal's record (cli/kept-rehearsal.ts) without any real process: a record whose processes are
 * gone (or whose PIDs now belong to other processes) is forgotten rather than refusing or signalling anything;
 * one whose process runs refuses a new rehearsal; an unreadable record is a clear exit-2 error.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refuseWhileKept, startTimeOf, stopKept } from '../../cli/kept-rehearsal';
import { UsageError } from '../../functions/lib/errors';

let dir: string;
let file: string;
const record = (processes: { name: string; pid: number; startTime: string }[]) =>
  writeFileSync(
    file,
    JSON.stringify({
      cluster: 'seed-usw2',
      keptAt: '2026-12-02T10:00:00Z',
      dir: '/nowhere',
      emulator: 'x',
      processes,
    }),
  );

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kafka-plc-kept-unit-'));
  file = join(dir, 'kept.json');
  process.env.KAFKA_PLC_KEPT_FILE = file;
});
afterEach(() => {
  delete process.env.KAFKA_PLC_KEPT_FILE;
  rmSync(dir, { recursive: true, force: true });
});

describe('the kept rehearsal record', () => {
  it('refuses a new rehearsal while a recorded process runs (this test process stands in for one)', () => {
    // Prepare
    record([{ name: 'moto', pid: process.pid, startTime: startTimeOf(process.pid) as string }]);
    // Act + Assess
    expect(() => refuseWhileKept()).toThrow(UsageError);
    expect(() => refuseWhileKept()).toThrow(`moto pid ${process.pid}`);
    expect(existsSync(file)).toBe(true);
  });

  it('forgets a record whose PID now belongs to another process (its start time differs), signalling nothing', async () => {
    // Prepare: this process's PID with another start time
    record([{ name: 'broker b1', pid: process.pid, startTime: '1' }]);
    // Act
    refuseWhileKept();
    // Assess
    expect(existsSync(file)).toBe(false);
    record([{ name: 'broker b1', pid: process.pid, startTime: '1' }]);
    expect(await stopKept()).toContain('nothing was still running');
    expect(existsSync(file)).toBe(false);
  });

  it('says there is nothing to stop when nothing is kept', async () => {
    expect(await stopKept()).toBe('no rehearsal is kept running: nothing to stop');
  });

  it('an unreadable record is an exit-2 error naming the file', () => {
    // Prepare
    writeFileSync(file, '{ not json');
    // Act + Assess
    expect(() => refuseWhileKept()).toThrow(
      new UsageError(`${file} is not a kept rehearsal's record: remove it`),
    );
  });
});
