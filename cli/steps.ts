/**
 * Numbered steps with elapsed time, a spinner on a terminal while a step runs, and the failed step
 * named when one throws.
 */
import { CommandFailedError, messageOf } from './commands/common';

export class StepFailedError extends CommandFailedError {
  constructor(
    readonly step: string,
    readonly reason: unknown,
  ) {
    super(`step "${step}" failed: ${messageOf(reason)}`);
    this.name = 'StepFailedError';
  }
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Stepper {
  run<T>(title: string, fn: () => Promise<T>, done?: (value: T) => string): Promise<T>;
  note(text: string): void;
  /** When the first step's clock started (ms): nested progress counts from it too. */
  readonly started: number;
}

export function stepper(
  write: (text: string) => void,
  total: number,
  tty = Boolean(process.stderr.isTTY),
): Stepper {
  const started = Date.now();
  let n = 0;
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;
  return {
    started,
    note: (text) => write(`${' '.repeat(8)}  ${text}\n`),
    async run(title, fn, done) {
      n += 1;
      const label = `[${n}/${total}] ${title}`;
      const stepStart = Date.now();
      let frame = 0;
      const timer = tty
        ? setInterval(() => {
            write(
              `\r${FRAMES[frame++ % FRAMES.length]} ${label} (${((Date.now() - stepStart) / 1000).toFixed(0)}s)\x1b[K`,
            );
          }, 100)
        : undefined;
      if (!tty) write(`${elapsed()}  ${label} …\n`);
      try {
        const value = await fn();
        if (timer) clearInterval(timer);
        const seconds = ((Date.now() - stepStart) / 1000).toFixed(1);
        write(
          `${tty ? '\r\x1b[K' : ''}${elapsed()}  ✓ ${label} (${seconds}s)${done ? `: ${done(value)}` : ''}\n`,
        );
        return value;
      } catch (error) {
        if (timer) clearInterval(timer);
        write(`${tty ? '\r\x1b[K' : ''}${elapsed()}  ✗ ${label}\n`);
        throw new StepFailedError(title, error);
      }
    },
  };
}

/**
 * What to check when an install failed because a package registry (PyPI, Maven Central, Debian) could not be
 * reached — the usual cause on a fresh or fenced machine; undefined for other failures.
 */
export function registryHint(output: string): string | undefined {
  const unreachable =
    /Temporary failure in name resolution|Name or service not known|Could not resolve host|Failed to establish a new connection|Max retries exceeded|Connection (refused|timed out|reset)|Network is unreachable|Could not fetch URL|No matching distribution found|Failed to fetch|Could not connect to/i;
  if (!unreachable.test(output)) return undefined;
  return (
    'A package registry could not be reached (PyPI for moto and cfn-lint, Maven Central for the Kafka jars, ' +
    'Debian for haproxy). Check the network, or set the proxy or mirror your network needs (HTTPS_PROXY, ' +
    'PIP_INDEX_URL / UV_INDEX_URL), then run the same command again: what was installed completely is kept.'
  );
}
