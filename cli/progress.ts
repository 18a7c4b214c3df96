/**
 * Progress lines a person can follow, on stderr: one per state as it finishes, with elapsed time;
 * polling loops report their checks on one line each, not once per Wait.
 */
import type { LocalEvent } from './local-sfn';

export interface Progress {
  event(event: LocalEvent): void;
  line(text: string): void;
}

const POLL_PARTS = /^(Init\w+Wait|Is\w+Ready|WaitFor\w+)$/;

export function progress(write: (text: string) => void, now: () => number = Date.now): Progress {
  const started = now();
  const stamp = () => `${((now() - started) / 1000).toFixed(1).padStart(6)}s`;
  const checks = new Map<string, number>();
  return {
    line: (text) => write(`${stamp()}  ${text}\n`),
    event(event) {
      if (!event.state || POLL_PARTS.test(event.state)) return;
      if (event.type === 'StateRetried')
        write(`${stamp()}  ↻ ${event.state}: retrying (${event.error ?? 'error'})\n`);
      if (event.type === 'StateFailed') write(`${stamp()}  ✗ ${event.state}: ${event.error ?? 'failed'}\n`);
      if (event.type !== 'StateExited') return;
      if (event.state.startsWith('Check')) {
        const n = (checks.get(event.state) ?? 0) + 1;
        checks.set(event.state, n);
        write(`${stamp()}  · ${event.state} (check ${n})\n`);
        return;
      }
      write(`${stamp()}  ✓ ${event.state}\n`);
    },
  };
}
