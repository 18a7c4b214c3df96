/**
 * Process supervision for the real-Kafka harness: every process it starts is tracked by PID and stopped
 * by PID (SIGTERM, then SIGKILL after a bound), from afterAll and, as a last resort, from process exit
 * and signal handlers. Also: waiting for a condition (never a fixed sleep) and a check that the
 * addresses and ports the harness needs are free, with a clear error when a crashed run left something.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Tracked {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Where stdout and stderr go. */
  outputFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitCode: () => number | null | 'running';
}

const running = new Map<number, Tracked>();
const afterEmergencyStop = new Set<() => void>();
let handlersInstalled = false;
/** Processes started from now on lead a session of their own (they outlive this one: a kept rehearsal). */
let detachNew = false;

export function detachNewProcesses(detach: boolean): void {
  detachNew = detach;
}

/**
 * Lets `tracked` outlive this process: no longer stopped by the exit and signal handlers, no longer holding the
 * event loop. Its PID is the caller's to record (and to stop later, by PID).
 */
export function releaseProcess(tracked: Tracked): void {
  running.delete(tracked.pid);
  tracked.child.unref();
}

/** Registers synchronous clean-up (temp files) to run after the last-resort stop; returns an unregister. */
export function onEmergencyStop(cleanUp: () => void): () => void {
  afterEmergencyStop.add(cleanUp);
  return () => afterEmergencyStop.delete(cleanUp);
}

/** A PID is gone when /proc has no entry for it or it is a zombie (exited, not yet reaped by us). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/**
 * The last-resort stop, synchronous because an 'exit' handler cannot wait for events: SIGTERM to every
 * tracked process, a bounded busy wait, then SIGKILL to whatever is left.
 */
function stopAllNow(graceMs = 8_000): void {
  const pids = [...running.keys()];
  running.clear();
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline && pids.some((pid) => !gone(pid))) Atomics.wait(pause, 0, 0, 100);
  for (const pid of pids) if (!gone(pid)) signal(pid, 'SIGKILL');
  for (const cleanUp of afterEmergencyStop) {
    try {
      cleanUp();
    } catch {
      // best effort: the process is exiting
    }
  }
  afterEmergencyStop.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once('exit', () => stopAllNow());
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(name, () => {
      stopAllNow();
      process.kill(process.pid, name);
    });
  }
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { outputFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Tracked {
  installExitHandlers();
  const fd = openSync(options.outputFile, 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: detachNew,
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  let status: number | null | 'running' = 'running';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      status = code;
      running.delete(pid);
      resolve({ code, signal });
    });
  });
  child.once('error', () => undefined);
  const tracked: Tracked = {
    name,
    child,
    pid,
    outputFile: options.outputFile,
    exited,
    exitCode: () => status,
  };
  running.set(pid, tracked);
  return tracked;
}

/**
 * SIGTERM, then SIGKILL if the process has not exited within graceMs. Resolves with how it ended:
 * 'exited' (on SIGTERM, or before), or 'killed' (it needed SIGKILL).
 */
export async function stopProcess(tracked: Tracked, graceMs = 15_000): Promise<'exited' | 'killed'> {
  if (tracked.exitCode() !== 'running') return 'exited';
  signal(tracked.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
    timer.unref();
  });
  const outcome = await Promise.race([tracked.exited, timeout]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return 'exited';
  signal(tracked.pid, 'SIGKILL');
  await tracked.exited;
  return 'killed';
}

/** Stops every process still tracked (for when a start failed before its owner could be returned). */
export async function stopAllProcesses(graceMs = 15_000): Promise<void> {
  await Promise.all([...running.values()].map((tracked) => stopProcess(tracked, graceMs)));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export class WaitTimeoutError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `condition` until it returns a truthy value, or fails: after timeoutMs, or at once when
 * `failFast` reports a reason (e.g. the process it waits for has exited).
 */
export async function waitFor<T>(
  what: string,
  condition: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs: number; intervalMs?: number; failFast?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.failFast?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new WaitTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${what}${last}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/** Resolves when address:port can be bound (then releases it); rejects with the OS error code. */
function probeListen(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve()));
  });
}

/**
 * Throws one error naming every address:port that is taken, with the PIDs a previous run recorded in
 * `pidFile` that are still alive (a crashed run leaves its brokers and haproxy behind).
 */
export async function assertEndpointsFree(
  endpoints: { address: string; port: number; owner: string }[],
  pidFile: string,
): Promise<void> {
  const taken: string[] = [];
  for (const { address, port, owner } of endpoints) {
    try {
      await probeListen(address, port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      taken.push(`${address}:${port} (${owner}): ${code}`);
    }
  }
  if (taken.length === 0) return;
  const leftovers = aliveRecordedPids(pidFile);
  const hint =
    leftovers.length > 0
      ? `A previous run recorded these processes in ${pidFile}, still alive:\n${leftovers
          .map((p) => `  ${p.pid}  ${p.cmdline}`)
          .join('\n')}\nStop them with: kill ${leftovers.map((p) => p.pid).join(' ')}`
      : 'No process recorded by a previous run is alive; find the owner with: ss -ltnp';
  throw new Error(
    `the real-Kafka harness cannot start: address already in use\n  ${taken.join('\n  ')}\n${hint}`,
  );
}

function aliveRecordedPids(pidFile: string): { pid: number; cmdline: string }[] {
  if (!existsSync(pidFile)) return [];
  const pids = readFileSync(pidFile, 'utf8')
    .split(/\s+/)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  return pids.flatMap((pid) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      return [
        { pid, cmdline: cmdline.length > 160 ? `${cmdline.slice(0, 40)} … ${cmdline.slice(-110)}` : cmdline },
      ];
    } catch {
      return [];
    }
  });
}
