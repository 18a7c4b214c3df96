/**
 * moto server (the AWS emulator) from the project's .venv, on a free loopback port, waited for by
 * condition and stopped by PID. Used by the local rehearsal and the tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));

export function venvTool(name: string): string {
  const path = `${ROOT}.venv/bin/${name}`;
  if (!existsSync(path))
    throw new Error(`${path} is missing: run "bash scripts/setup-tools.sh" (npm test and npm start do)`);
  return path;
}

export interface Moto {
  endpoint: string;
  pid: number | undefined;
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** Leaves moto running after this process ends (started with `keepable`: its own session, output to a file). */
  release(): void;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Starts moto on a free port; the caller points the SDK at `endpoint` (AWS_ENDPOINT_URL). */
export async function startMotoServer(options: { keepable?: { logFile: string } } = {}): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // A moto that may outlive this process writes to a file (a pipe to a process that has ended would break it).
  const log = options.keepable ? openSync(options.keepable.logFile, 'a') : undefined;
  const child: ChildProcess = spawn(venvTool('moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', log ?? 'pipe'],
    detached: log !== undefined,
  });
  if (log !== undefined) closeSync(log);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(async () => (await fetch(`${endpoint}/moto-api/`)).ok, `moto on ${endpoint}`, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    const output = options.keepable ? readFileSync(options.keepable.logFile, 'utf8').slice(-4000) : stderr;
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    endpoint,
    pid: child.pid,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
    release() {
      child.unref();
    },
  };
}
