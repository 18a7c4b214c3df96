/**
 * Progress lines a person can follow, on stderr: one per state as it finishes, with elapsed time;
 * polling loops report their checks on one line each, not once per Wait; a failure is one ✗ line.
 */
import { elbv2NameOf } from '../functions/lib/domain/names';
import type { LocalEvent } from './local-sfn';

interface StateShape {
  Type?: string;
  ResultPath?: string | null;
  StartAt?: string;
  Branches?: { StartAt?: string; States: Record<string, StateShape> }[];
}

/**
 * What a definition tells the progress lines: where each Task puts its result (its ResultPath), and which
 * parallel branch a state runs in (named after the branch's first state: LaunchBrokers → "Brokers").
 */
export interface ProgressContext {
  resultPaths: Map<string, string>;
  branches: Map<string, string>;
}

export function progressContext(definition: { States: Record<string, StateShape> }): ProgressContext {
  const resultPaths = new Map<string, string>();
  const branches = new Map<string, string>();
  const walk = (states: Record<string, StateShape>, branch: string | undefined) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' && typeof state.ResultPath === 'string')
        resultPaths.set(name, state.ResultPath);
      if (branch) branches.set(name, branch);
      for (const b of state.Branches ?? [])
        walk(b.States, (b.StartAt ?? '').replace(/^(Launch|Ensure|Teardown|Init)/, ''));
    }
  };
  walk(definition.States, undefined);
  return { resultPaths, branches };
}

/** AWS resource IDs (and load balancer / target group names from ARNs) in a task's result, in order, once each. */
export function resourceIds(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      const id = /^(vpc|subnet|sg|i|nat|igw|eipalloc|rtb|vpce-svc|vpce)-[0-9a-f]{8,17}$/.test(v)
        ? v
        : elbv2NameOf(v);
      if (id && !found.includes(id)) found.push(id);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}

function at(document: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      document,
    );
}

const MAX_IDS = 5;

function idsText(ids: string[]): string {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, MAX_IDS).join(', ');
  return `  ${shown}${ids.length > MAX_IDS ? ` +${ids.length - MAX_IDS} more` : ''}`;
}

export interface Progress {
  event(event: LocalEvent): void;
  line(text: string): void;
}

const POLL_PARTS = /^(Init\w+Wait|Is\w+Ready|WaitFor\w+)$/;

export function progress(
  write: (text: string) => void,
  now: () => number = Date.now,
  context?: ProgressContext,
  origin?: number,
): Progress {
  const started = origin ?? now();
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
      const branch = context?.branches.get(state);
      const path = context?.resultPaths.get(state);
      const ids = path && event.output !== undefined ? idsText(resourceIds(at(event.output, path))) : '';
      write(`${stamp()}  ✓ ${state}${branch ? ` [${branch}]` : ''}${ids}\n`);
    },
  };
}
