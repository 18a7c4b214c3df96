/**
 * Progress lines a person can follow, on stderr: one per state as it finishes, with elapsed time;
 * polling loops report their checks on one line each, not once per Wait; a failure is one ✗ line.
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
  /** Checks made since a Check state was entered afresh (not resumed by its WaitFor loop). */
  const checks = new Map<string, number>();
  /** Check states a WaitFor<Name> loop is about to enter again (their count goes on). */
  const resumed = new Set<string>();
  const count = (state: string) => {
    const n = (checks.get(state) ?? 0) + 1;
    checks.set(state, n);
    return n;
  };
  /** States whose failure a Catch took: they exit next, and that is not a success. */
  const caught = new Set<string>();
  return {
    line: (text) => write(`${stamp()}  ${text}\n`),
    event(event) {
      const state = event.state;
      if (!state) return;
      // One line per failure: the failed state's ✗. The Catch's exit, the Format… Pass that words the cause
      // and the terminal Fail state repeat it (the CLI prints the cause once, at the end).
      if (event.type === 'StateCaught') {
        caught.add(state);
        return;
      }
      if (event.type === 'StateExited' && (caught.delete(state) || /^Format[A-Z]/.test(state))) return;
      if (event.type === 'StateFailed' && event.stateType === 'Fail') return;
      if (event.type === 'StateExited' && state.startsWith('WaitFor'))
        resumed.add(`Check${state.slice('WaitFor'.length)}`);
      if (POLL_PARTS.test(state)) return;
      if (event.type === 'StateEntered' && state.startsWith('Check')) {
        if (!resumed.delete(state)) checks.set(state, 0);
        return;
      }
      // A check polled by its own Retry: each poll that is not ready yet fails with NotReadyYetError (one line,
      // when it happens) and is retried after the interval (no line).
      if (event.type === 'StateFailed' && event.error === 'NotReadyYetError') {
        write(`${stamp()}  · ${state}: not yet (check ${count(state)})\n`);
        return;
      }
      if (event.type === 'StateRetried' && event.retrier?.includes('NotReadyYetError')) return;
      if (event.type === 'StateRetried')
        write(`${stamp()}  ↻ ${state}: retrying (${event.retrier?.join(', ') ?? 'error'})\n`);
      if (event.type === 'StateFailed') write(`${stamp()}  ✗ ${state}: ${event.error ?? 'failed'}\n`);
      if (event.type !== 'StateExited') return;
      if (state.startsWith('Check')) {
        write(`${stamp()}  · ${state} (check ${count(state)})\n`);
        return;
      }
      write(`${stamp()}  ✓ ${state}\n`);
    },
  };
}
