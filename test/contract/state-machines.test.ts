/**
 * Contracts of the state machine definitions: valid ASL (asl-validator), every ErrorEquals names an
 * error class we export (or a States.* / Lambda.* name), every Task's function has a handler, and every
 * Task retries throttling and Lambda service errors.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  allStates,
  DEFINITIONS_DIR,
  functionKeyOf,
  kebab,
  readDefinition,
  resolveArns,
} from '../../cli/local-sfn';
import { ROLL_TIMEOUT_SECONDS } from '../../functions/lib/domain/roll-lock';
import * as errors from '../../functions/lib/errors';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: () => string;
};

const machines = readdirSync(DEFINITIONS_DIR)
  .filter((f) => f.endsWith('.asl.json'))
  .map((f) => f.replace('.asl.json', ''));

/** The `name` each exported error class sets, read from a real instance. */
function errorNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [exportName, value] of Object.entries(errors)) {
    if (typeof value === 'function' && value.prototype instanceof Error) {
      names.set(exportName, (Reflect.construct(value, [[], 'x', {}]) as Error).name);
    }
  }
  return names;
}
const exportedErrorNames = new Set(errorNames().values());

const LAMBDA_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

describe.each(machines)('state machine %s', (name) => {
  const raw = readDefinition(name);
  const states = allStates(raw);

  it('is valid ASL', () => {
    const result = aslValidator(resolveArns(raw));
    expect(result.errorsText(), 'asl-validator').toBe('');
    expect(result.isValid).toBe(true);
  });

  it('names only exported errors (or States.* / Lambda.*) in ErrorEquals', () => {
    const named = states.flatMap(([, state]) =>
      [
        ...((state.Retry as { ErrorEquals: string[] }[]) ?? []),
        ...((state.Catch as { ErrorEquals: string[] }[]) ?? []),
      ].flatMap((r) => r.ErrorEquals),
    );
    expect(named.length).toBeGreaterThan(0);
    const unknown = named.filter(
      (n) => !n.startsWith('States.') && !n.startsWith('Lambda.') && !exportedErrorNames.has(n),
    );
    expect(unknown).toEqual([]);
  });

  it('words a failure by the error a Choice names, and names only exported errors there', () => {
    type Rule = { Variable?: string; StringEquals?: string; Or?: Rule[] };
    const flat = (rules: Rule[]): Rule[] => rules.flatMap((r) => [r, ...flat(r.Or ?? [])]);
    const named = states
      .filter(([name]) => name === 'FormatFailure')
      .flatMap(([, state]) => flat((state.Choices as Rule[]) ?? []))
      .filter((r) => r.Variable === '$.error.Error')
      .map((r) => r.StringEquals ?? '');
    // this state machine's FormatFailure Choice names the errors a re-run meets again
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !exportedErrorNames.has(n))).toEqual([]);
    expect(named).toEqual(expect.arrayContaining(['SpecValidationError', 'UnknownAzIdError']));
  });

  it('has a handler for every Task function and retries throttling and Lambda service errors', async () => {
    const tasks = states.filter(([, state]) => state.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [stateName, state] of tasks) {
      const key = functionKeyOf(state);
      expect(key, `${stateName} names its function with Fn::GetAtt`).toBeDefined();
      const module = await import(`../../functions/${kebab(key ?? '')}/handler.ts`);
      expect(typeof module.handler, `${stateName} → functions/${kebab(key ?? '')}/handler.ts`).toBe(
        'function',
      );
      const retried = ((state.Retry as { ErrorEquals: string[] }[]) ?? []).flatMap((r) => r.ErrorEquals);
      for (const error of ['AwsThrottledError', ...LAMBDA_ERRORS])
        expect(retried, stateName).toContain(error);
    }
  });
});

describe('error classes', () => {
  it('every exported error class sets a name ending in Error, equal to its class name', () => {
    const names = errorNames();
    expect(names.size).toBeGreaterThan(10);
    for (const [exportName, name] of names) {
      expect(name).toBe(exportName);
      expect(exportName.endsWith('Error')).toBe(true);
    }
  });
});

describe('the roll lock and the roll state machine', () => {
  it("the lock's notion of the roll's longest run is the roll state machine's TimeoutSeconds", () => {
    // Prepare + Act
    const roll = readDefinition('roll-brokers') as { TimeoutSeconds?: number };
    // Assess: a holder older than this cannot be running (domain/roll-lock.ts takes its lock over)
    expect(roll.TimeoutSeconds).toBe(ROLL_TIMEOUT_SECONDS);
  });
});
