/**
 * A rehearsal kept running (`npm start -- --kafka --keep`): the emulator, the brokers and haproxy outlive the
 * command, each in a session of its own, so that a user can point their own client at the private-link path.
 * What they are is recorded in .cache/rehearsal-kept.json: every process by PID and by the start time the
 * kernel gives it (/proc/<pid>/stat), so `kafka-plc rehearse --stop` never signals a process that merely
 * reuses a recorded PID. Stopping is idempotent: with nothing kept it says so and succeeds.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../functions/lib/errors';
import { z } from '../functions/lib/zod';
import { ROOT } from './emulator';

/** Where the record is: .cache/rehearsal-kept.json, or KAFKA_PLC_KEPT_FILE (a test's own, beside other runs). */
export function keptFile(): string {
  return process.env.KAFKA_PLC_KEPT_FILE || join(ROOT, '.cache', 'rehearsal-kept.json');
}
/** The real-Kafka harness's own record of its PIDs (written by test/kafka/harness.ts), left by a kept cluster. */
export const HARNESS_PID_FILE = join(ROOT, '.cache', 'kafka-harness.pids');
export const STOP_COMMAND = 'npx kafka-plc rehearse --stop';

const keptSchema = z.object({
  cluster: z.string(),
  keptAt: z.string(),
  dir: z.string(),
  emulator: z.string(),
  processes: z.array(z.object({ name: z.string(), pid: z.number(), startTime: z.string() })),
});
export type KeptRehearsal = z.output<typeof keptSchema>;
type KeptProcess = KeptRehearsal['processes'][number];

/** The kernel's start time of `pid` (field 22 of /proc/<pid>/stat); undefined when it is gone or a zombie. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

function alive(p: KeptProcess): boolean {
  return startTimeOf(p.pid) === p.startTime;
}

/** The recorded processes still running: the same PID with the same kernel start time. */
export function stillRunning(state: KeptRehearsal): KeptProcess[] {
  return state.processes.filter(alive);
}

export function readKept(): KeptRehearsal | undefined {
  const file = keptFile();
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    json = undefined;
  }
  const parsed = keptSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`${file} is not a kept rehearsal's record: remove it`);
  return parsed.data;
}

export function writeKept(
  state: Omit<KeptRehearsal, 'processes'> & { processes: { name: string; pid: number }[] },
) {
  const processes = state.processes.flatMap((p) => {
    const startTime = startTimeOf(p.pid);
    return startTime ? [{ ...p, startTime }] : [];
  });
  writeFileSync(keptFile(), `${JSON.stringify({ ...state, processes }, null, 2)}\n`);
}

/** Refuses (exit 2) to start a rehearsal while a kept one still runs; forgets a record whose processes are gone. */
export function refuseWhileKept(): void {
  const state = readKept();
  if (!state) return;
  const running = stillRunning(state);
  if (running.length === 0) {
    rmSync(keptFile(), { force: true });
    return;
  }
  throw new UsageError(
    `a rehearsal of ${state.cluster} kept at ${state.keptAt} is still running ` +
      `(${running.map((p) => `${p.name} pid ${p.pid}`).join(', ')}): stop it first with "${STOP_COMMAND}"`,
  );
}

const signal = (pid: number, name: NodeJS.Signals) => {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile
  }
};

async function waitGone(processes: KeptProcess[], ms: number): Promise<KeptProcess[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = processes.filter(alive);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Stops a kept rehearsal by PID: haproxy first (no new connections), then the brokers and the emulator with
 * SIGTERM, SIGKILL to whatever is left after 10 s; then its directory and records. Returns a report line.
 */
export async function stopKept(): Promise<string> {
  const state = readKept();
  if (!state) return 'no rehearsal is kept running: nothing to stop';
  const running = stillRunning(state);
  const [front, rest] = [
    running.filter((p) => p.name === 'haproxy'),
    running.filter((p) => p.name !== 'haproxy'),
  ];
  for (const p of front) signal(p.pid, 'SIGTERM');
  await waitGone(front, 5_000);
  for (const p of rest) signal(p.pid, 'SIGTERM');
  const killed = await waitGone(running, 10_000);
  for (const p of killed) signal(p.pid, 'SIGKILL');
  await waitGone(killed, 5_000);
  // Only the harness's own temporary directory is removed.
  const removable = dirname(state.dir) === tmpdir() && basename(state.dir).startsWith('kafka-plc-kafka-');
  if (removable) rmSync(state.dir, { recursive: true, force: true });
  // The harness's PID list, when it lists this rehearsal's processes only (another harness may be running).
  const recorded = new Set(state.processes.map((p) => p.pid));
  const listed = existsSync(HARNESS_PID_FILE)
    ? readFileSync(HARNESS_PID_FILE, 'utf8').split('\n').filter(Boolean).map(Number)
    : [];
  if (listed.length > 0 && listed.every((pid) => recorded.has(pid)))
    rmSync(HARNESS_PID_FILE, { force: true });
  rmSync(keptFile(), { force: true });
  const stopped = running.map((p) => `${p.name} (pid ${p.pid}${killed.includes(p) ? ', SIGKILL' : ''})`);
  return [
    `stopped the rehearsal of ${state.cluster} kept at ${state.keptAt}: ${stopped.join(', ') || 'nothing was still running'}`,
    removable ? `removed ${state.dir}` : `left ${state.dir} (not the harness's temporary directory)`,
  ].join('\n');
}
