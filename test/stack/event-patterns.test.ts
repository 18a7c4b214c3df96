/**
 * The EventBridge rule pattern of the deployable config (serverless.yml) against real-shaped sample
 * events, judged by moto's EventBridge pattern engine (a real implementation nobody here wrote; moto's
 * TestEventPattern API itself is a stub, so its matcher is called from the project's .venv).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, venvTool } from '../helpers/tools';

const config = parse(readFileSync(`${ROOT}serverless.yml`, 'utf8')) as {
  functions: Record<string, { events?: { eventBridge?: { pattern: unknown } }[] }>;
};
const pattern = config.functions.onUniqueNameChange?.events?.find((e) => e.eventBridge)?.eventBridge?.pattern;

const MATCHER = `
import json, sys
from moto.events.models import EventPattern
pattern, events = json.loads(sys.stdin.read())
p = EventPattern.load(json.dumps(pattern))
print(json.dumps([p.matches_event(e) for e in events]))
`;

function matches(events: unknown[]): boolean[] {
  const out = execFileSync(venvTool('python'), ['-c', MATCHER], {
    input: JSON.stringify([pattern, events]),
    encoding: 'utf8',
  });
  return JSON.parse(out) as boolean[];
}

/** A Parameter Store Change event as AWS documents it (EventBridge, source aws.ssm). */
function parameterStoreChange(name: string, operation: string) {
  return {
    version: '0',
    id: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
    'detail-type': 'Parameter Store Change',
    source: 'aws.ssm',
    account: '123456789012',
    time: '2026-11-25T16:43:48Z',
    region: 'us-west-2',
    resources: [`arn:aws:ssm:us-west-2:123456789012:parameter${name}`],
    detail: { operation, name, type: 'String', description: '' },
  };
}

describe('unique-name rule pattern (serverless.yml)', () => {
  it('exists in the deployable config', () => {
    expect(pattern).toMatchObject({ source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'] });
  });

  it.each([
    [
      'Create of a cluster unique name',
      parameterStoreChange('/kafka-plc/seed-usw2/unique-name', 'Create'),
      true,
    ],
    [
      'Update of a cluster unique name',
      parameterStoreChange('/kafka-plc/other-cluster/unique-name', 'Update'),
      true,
    ],
    ['Delete of the unique name', parameterStoreChange('/kafka-plc/seed-usw2/unique-name', 'Delete'), false],
    [
      'a label change',
      parameterStoreChange('/kafka-plc/seed-usw2/unique-name', 'LabelParameterVersion'),
      false,
    ],
    ['another parameter of the cluster', parameterStoreChange('/kafka-plc/seed-usw2/spec', 'Update'), false],
    ['a parameter outside kafka-plc', parameterStoreChange('/app/unique-name', 'Update'), false],
    ['a lookalike suffix', parameterStoreChange('/kafka-plc/seed-usw2/unique-name-old', 'Update'), false],
    [
      'another source',
      { ...parameterStoreChange('/kafka-plc/seed-usw2/unique-name', 'Update'), source: 'custom.app' },
      false,
    ],
  ])('%s → %s', (_name, event, expected) => {
    expect(matches([event])).toEqual([expected]);
  });
});
