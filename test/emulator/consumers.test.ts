/**
 * TiDB Cloud's flavours on the emulator: a Dedicated pattern (complete from the start: no unique name, no
 * roll), and two consumers sharing one endpoint service — each its own listener group, NLB listeners,
 * target groups and security group rules; a consumer removed or added later is a roll (the roll ASL brings
 * the NLB side first), never a rebuild. Real ASL, real handlers, moto, IAM judged per function.
 */
import { readFileSync } from 'node:fs';
import {
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointServicePermissionsCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { clients } from '../../functions/lib/aws/clients';
import { handler as onUniqueNameChange } from '../../functions/on-unique-name-change/handler';
import { asFunction } from '../aws-model/iam';
import { type Emulator, FAST, snapshot, startEmulator } from '../helpers/emulator';
import { lambdaContext } from '../helpers/lambda';

const example = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8'));
const DEDICATED = example('dedicated-usw2');
const SHARED = example('two-consumers-usw2');
/** The shared cluster with its second consumer taken out. */
const FIRST_ONLY = { ...SHARED, consumers: SHARED.consumers.slice(0, 1) };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  await emulator.fresh();
});

async function ingress(cluster: string) {
  const { ec2 } = clients('us-west-2');
  const groups = (
    await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:kafka-plc:cluster', Values: [cluster] }] }),
    )
  ).SecurityGroups;
  const rules = (name: string) =>
    (groups ?? [])
      .find((g) => g.GroupName === name)
      ?.IpPermissions?.flatMap((p) => [
        ...(p.IpRanges ?? []).map((r) => `${p.FromPort}-${p.ToPort} ${r.CidrIp}`),
        ...(p.UserIdGroupPairs ?? []).map(() => `${p.FromPort}-${p.ToPort} nlb`),
      ])
      .sort();
  return { nlb: rules(`${cluster}-nlb`), brokers: rules(`${cluster}-brokers`) };
}

async function principals(serviceId: string): Promise<string[]> {
  const out = await clients('us-west-2').ec2.send(
    new DescribeVpcEndpointServicePermissionsCommand({ ServiceId: serviceId }),
  );
  return (out.AllowedPrincipals ?? []).map((p) => p.Principal ?? '').sort();
}

describe('a Dedicated pattern on the emulator', () => {
  it('configures brokers with the pasted names from the first start; no unique-name parameter, a written one rolls nothing', async () => {
    // Act
    const result = await runLocal('provision', DEDICATED, FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const scripts = emulator.recorder.calls
      .filter((c) => c.operation === 'SendCommand')
      .map((c) => (c.input.Parameters as { commands: string[] }).commands[0] ?? '');
    expect(scripts).toHaveLength(3);
    for (const node of [1, 2, 3])
      expect(
        scripts.some((s) =>
          s.includes(
            `EXTERNAL://b${node}.usw2-az${node}.abc.us-west-2.aws.3199015.tidbcloud.com:${9092 + node}`,
          ),
        ),
      ).toBe(true);
    const { ssm } = clients('us-west-2');
    await expect(
      ssm.send(new GetParameterCommand({ Name: '/kafka-plc/dedicated-usw2/unique-name' })),
    ).rejects.toMatchObject({ name: 'ParameterNotFound' });
    // A unique name written anyway (by hand) starts no roll, and says why.
    await ssm.send(
      new PutParameterCommand({
        Name: '/kafka-plc/dedicated-usw2/unique-name',
        Value: 'abc123',
        Type: 'String',
      }),
    );
    process.env.ROLL_STATE_MACHINE_ARN =
      'arn:aws:states:us-west-2:123456789012:stateMachine:kafka-plc-dev-roll-brokers';
    const outcome = await asFunction('onUniqueNameChange', () =>
      onUniqueNameChange(
        { detail: { name: '/kafka-plc/dedicated-usw2/unique-name', operation: 'Create' } } as never,
        lambdaContext(),
      ),
    );
    expect(outcome).toMatchObject({
      started: false,
      reason: expect.stringContaining('no unique_name placeholder'),
    });
    expect(emulator.recorder.calls.filter((c) => c.operation === 'StartExecution')).toEqual([]);
  });
});

describe('two consumers on one endpoint service, on the emulator', () => {
  it('builds a bootstrap listener and a listener per broker for each, their target groups, rules and principals; a re-run changes nothing', async () => {
    // Act
    const result = await runLocal('provision', SHARED, FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const state = await snapshot('shared-usw2');
    expect(state.listeners.map((l) => `${l.port}→${l.targetGroup}`).sort()).toEqual([
      '9092→shared-usw2-bootstrap',
      '9093→shared-usw2-b1',
      '9094→shared-usw2-b2',
      '9095→shared-usw2-b3',
      '9192→shared-usw2-tidb-b-bootstrap',
      '9193→shared-usw2-tidb-b-b1',
      '9194→shared-usw2-tidb-b-b2',
      '9195→shared-usw2-tidb-b-b3',
    ]);
    const ports = Object.fromEntries(state.targetGroups.map((g) => [g.name, [g.port, g.targets.length]]));
    expect(ports['shared-usw2-bootstrap']).toEqual([39092, 3]);
    expect(ports['shared-usw2-tidb-b-bootstrap']).toEqual([39192, 3]);
    expect(ports['shared-usw2-tidb-b-b2']).toEqual([39192, 1]);
    expect(await ingress('shared-usw2')).toEqual({
      nlb: ['9092-9095 10.100.0.0/16', '9192-9195 10.200.0.0/16'],
      brokers: expect.arrayContaining(['39092-39092 nlb', '39192-39192 nlb']),
    });
    const output = result.output as { endpointServiceId: string };
    expect(await principals(output.endpointServiceId)).toEqual([
      'arn:aws:iam::123456789012:root',
      'arn:aws:iam::210987654321:root',
    ]);
    // A complete re-run: zero mutating calls.
    emulator.recorder.clear();
    const again = await runLocal('provision', SHARED, FAST);
    expect(again.status).toBe('SUCCEEDED');
    expect(emulator.recorder.mutating().map((c) => c.operation)).toEqual([]);
  });

  it('removing the second consumer is a roll: only its listeners, target groups, rules and principal go; brokers drop EXTERNAL2', async () => {
    // Prepare
    const provisioned = await runLocal('provision', SHARED, FAST);
    expect(provisioned.status).toBe('SUCCEEDED');
    const serviceId = (provisioned.output as { endpointServiceId: string }).endpointServiceId;
    emulator.recorder.clear();
    // Act
    const rolled = await runLocal(
      'roll-brokers',
      { spec: { ...FIRST_ONLY, uniqueName: 'tidb-a1' }, previousUniqueName: 'unique_name' },
      FAST,
    );
    // Assess
    expect(rolled.status, `${rolled.error}: ${rolled.cause}`).toBe('SUCCEEDED');
    const state = await snapshot('shared-usw2');
    expect(state.listeners.map((l) => l.port).sort()).toEqual([9092, 9093, 9094, 9095]);
    expect(state.targetGroups.map((g) => g.name).sort()).toEqual([
      'shared-usw2-b1',
      'shared-usw2-b2',
      'shared-usw2-b3',
      'shared-usw2-bootstrap',
    ]);
    expect(await ingress('shared-usw2')).toEqual({
      nlb: ['9092-9095 10.100.0.0/16'],
      brokers: expect.not.arrayContaining(['39192-39192 nlb']),
    });
    expect(await principals(serviceId)).toEqual(['arn:aws:iam::123456789012:root']);
    const scripts = emulator.recorder.calls
      .filter((c) => c.operation === 'SendCommand')
      .map((c) => (c.input.Parameters as { commands: string[] }).commands[0] ?? '');
    expect(scripts).toHaveLength(3);
    for (const script of scripts) {
      expect(script).not.toContain('EXTERNAL2');
      expect(script).toContain('.tidb-a1.aws.plc.tidbcloud.com');
    }
    // The NLB side changed before the first broker was sent its new configuration.
    const calls = emulator.recorder.calls;
    const firstSend = calls.findIndex((c) => c.operation === 'SendCommand');
    expect(calls.findIndex((c) => c.operation === 'DeleteListener')).toBeLessThan(firstSend);
    expect(calls.findIndex((c) => c.operation === 'DeleteListener')).toBeGreaterThanOrEqual(0);
  });

  it('adding a consumer to a running cluster is a roll: its NLB side first, then each broker gains EXTERNAL2', async () => {
    // Prepare
    const provisioned = await runLocal('provision', FIRST_ONLY, FAST);
    expect(provisioned.status).toBe('SUCCEEDED');
    emulator.recorder.clear();
    // Act
    const rolled = await runLocal('roll-brokers', { spec: SHARED, previousUniqueName: 'unique_name' }, FAST);
    // Assess
    expect(rolled.status, `${rolled.error}: ${rolled.cause}`).toBe('SUCCEEDED');
    const state = await snapshot('shared-usw2');
    expect(state.listeners).toHaveLength(8);
    expect(state.targetGroups.find((g) => g.name === 'shared-usw2-tidb-b-b3')?.targets).toHaveLength(1);
    const calls = emulator.recorder.calls;
    const sends = calls.filter((c) => c.operation === 'SendCommand');
    expect(sends).toHaveLength(3);
    for (const send of sends) {
      const script = (send.input.Parameters as { commands: string[] }).commands[0] ?? '';
      expect(script).toMatch(
        /EXTERNAL2:\/\/b\d\.usw2-az\d\.xyz\.us-west-2\.aws\.3199015\.tidbcloud\.com:919\d/,
      );
    }
    const lastCreate = calls.map((c) => c.operation).lastIndexOf('CreateListener');
    expect(lastCreate).toBeGreaterThanOrEqual(0);
    expect(lastCreate).toBeLessThan(calls.indexOf(sends[0] as (typeof calls)[number]));
  });
});
