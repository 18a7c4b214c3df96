/**
 * Numbered steps with elapsed time, a spinner on a terminal while a step runs, and the failed step
 * named when one throws.
 */
import { CommandFailedError } from './commands/common';

export class StepFailedError extends CommandFailedError {
  constructor(
    readonly step: string,
    readonly reason: unknown,
  ) {
    super(
      `step "${step}" failed: ${reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)}`,
    );
    this.name = 'StepFailedError';
  }
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Stepper {
  run<T>(title: string, fn: () => Promise<T>, done?: (value: T) => string): Promise<T>;
  note(text: string): void;
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
