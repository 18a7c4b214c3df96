/**
 * `kafka-plc status` on the emulator: after a real provision it finds nothing; then, changed behind
 * kafka-plc's back with the SDK — a listener deleted, a security-group rule added, an allowed principal
 * removed, a broker stopped — it exits 3 and names each one. Read-only: it makes no mutating call.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  ModifyVpcEndpointServicePermissionsCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DeleteListenerCommand, DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadHandler } from '../../cli/local-sfn';
import { main } from '../../cli/main';
import { clients } from '../../functions/lib/aws/clients';
import { parseClusterSpec } from '../../functions/lib/spec';
import { asFunction } from '../aws-model/iam';
import { SEED, snapshot, useProvisionedSeed } from '../helpers/emulator';
import { lambdaContext } from '../helpers/lambda';

type Output = {
  endpointServiceId: string;
  loadBalancerArn: string;
  verification: { inSync: boolean; differences: string[]; notes: string[] };
};
const file = useProvisionedSeed<Output>();

async function status(format: 'table' | 'json', ...more: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['status', '--spec', 'examples/seed-usw2.json', '--format', format, ...more], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('kafka-plc status on the emulator', () => {
  it('after provisioning: exit 0, nothing listed, and no mutating call', async () => {
    // Act
    const result = await status('json');
    // Assess
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ cluster: 'seed-usw2', region: 'us-west-2', inSync: true, findings: [] });
    expect(report.notes).toContain('endpoint connections not readable here (emulator): not compared');
    expect(report.notes).toContain('Kafka health from the stand-in (assume-healthy): not read from Kafka');
    expect(file.emulator.recorder.mutating()).toEqual([]);
    const without = JSON.parse((await status('json', '--no-kafka')).stdout);
    expect(without.notes).toContain('Kafka health not read (--no-kafka)');
    // The provision state machine's last step said the same.
    expect(file.output.verification).toMatchObject({ inSync: true, differences: [] });
    expect(file.output.verification.notes).toContain(
      'Kafka health not read here (a Run Command): kafka-plc status and the health probe read it',
    );
  });

  it('plan --live: nothing to change after provisioning; a new instance type and broker ports listed as ~, + and -, and provision refuses the type before anything starts', async () => {
    // Prepare: the provisioned seed, and a spec asking for another instance type and broker ports 9193..9195
    const live = mkdtempSync(join(tmpdir(), 'kafka-plc-live-'));
    onTestFinished(() => rmSync(live, { recursive: true, force: true }));
    const changed = join(live, 'changed.json');
    writeFileSync(
      changed,
      JSON.stringify({ ...SEED, instanceType: 'm5.large', ports: { ...SEED.ports, brokerBase: 9193 } }),
    );
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
      return { code, stdout: out.join(''), stderr: err.join('') };
    };
    // Act
    const same = await run('plan', '--spec', 'examples/seed-usw2.json', '--live');
    const table = await run('plan', '--spec', changed, '--live');
    const json = await run('plan', '--spec', changed, '--live', '--format', 'json');
    const provision = await run('provision', '--spec', changed, '--local');
    // Assess: read-only, and the same engine as status
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/^seed-usw2 in us-west-2: no changes: the account matches the plan\n/);
    expect(same.stdout).toContain('NOTE endpoint connections not readable here (emulator): not compared');
    expect(same.stderr).toMatch(/^emulator http\S+ \(account 123456789012\), region us-west-2: live plan/);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0], table.stdout).toBe(
      'seed-usw2 in us-west-2: 5 to add, 6 to change, 4 to remove (3 cannot change in place)',
    );
    expect(lines).toEqual(
      expect.arrayContaining([
        '  + listener 9193 → seed-usw2-b1',
        '  - listener 9093 → seed-usw2-b1',
        expect.stringMatching(
          /^ {2}~ broker b1 \(i-\w+\): instanceType t3\.large → m5\.large {2}✗ cannot change in place$/,
        ),
        expect.stringMatching(/^ {2}~ broker b1 \(i-\w+\): configuration \w+ → \w+ {2}\(by a roll\)$/),
        '  + security group seed-usw2-nlb: ingress tcp 9193-9195 from 10.100.0.0/16',
        '  - security group seed-usw2-nlb: ingress tcp 9092-9095 from 10.100.0.0/16',
        expect.stringMatching(/^ {2}✗ instanceType: provisioning does not resize running brokers/),
        'roll order: b1, b2, b3 (one at a time, each when Kafka says it is safe; the active controller moves last)',
      ]),
    );
    const changes = (JSON.parse(json.stdout) as { changes: { op: string; field: string; by: string }[] })
      .changes;
    expect(changes.filter((c) => c.field === 'instanceType').map((c) => c.by)).toEqual([
      'unsupported',
      'unsupported',
      'unsupported',
    ]);
    expect(provision.code).toBe(2);
    expect(provision.stderr).toContain(
      'the spec asks for 3 change(s) provision cannot make in place; nothing was changed:',
    );
    expect(provision.stderr).toMatch(/broker b1 \(i-\w+\): instanceType: planned m5\.large, live t3\.large/);
    expect(provision.stderr).not.toContain('started');
    expect(file.emulator.recorder.mutating()).toEqual([]);
  });

  it('names each change made behind its back: exit 3', async () => {
    // Prepare
    const { ec2, elbv2 } = clients('us-west-2');
    const listeners = await elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: file.output.loadBalancerArn }),
    );
    const on9094 = listeners.Listeners?.find((l) => l.Port === 9094);
    await elbv2.send(new DeleteListenerCommand({ ListenerArn: on9094?.ListenerArn }));
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['seed-usw2-nlb'] }] }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groups.SecurityGroups?.[0]?.GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    await ec2.send(
      new ModifyVpcEndpointServicePermissionsCommand({
        ServiceId: file.output.endpointServiceId,
        RemoveAllowedPrincipals: ['arn:aws:iam::123456789012:root'],
      }),
    );
    const b2 = (await snapshot('seed-usw2')).instances.find((i) => i.tags['kafka-plc:node-id'] === '2');
    await ec2.send(new StopInstancesCommand({ InstanceIds: [b2?.id ?? ''] }));
    file.emulator.recorder.clear();
    // Act
    const table = await status('table');
    const json = await status('json');
    // Assess
    expect(table.code).toBe(3);
    expect(json.code).toBe(3);
    expect(table.stdout).toContain('DRIFT  listener 9094: exists: planned → seed-usw2-b2, live missing');
    expect(table.stdout).toContain(
      'DRIFT  security group seed-usw2-nlb: ingress: planned absent, live tcp 22 from 0.0.0.0/0',
    );
    expect(table.stdout).toMatch(
      /DRIFT {2}endpoint service vpce-svc-\w+: allowed principal: planned arn:aws:iam::123456789012:root, live missing/,
    );
    expect(table.stdout).toMatch(/HEALTH broker b2 \(i-\w+\): state: planned running, live stopp(ed|ing)/);
    const findings = JSON.parse(json.stdout).findings as { resource: string; field: string }[];
    expect(
      findings.map((f) => `${f.resource.replace(/ [(]?(i|vpce-svc)-\w+[)]?/, '')}: ${f.field}`).sort(),
    ).toEqual([
      'broker b2: state',
      'endpoint service: allowed principal',
      'listener 9094: exists',
      'security group seed-usw2-nlb: ingress',
      // The stopped broker's targets are no longer healthy (ELB reports a stopped instance's target so).
      'target group seed-usw2-b2: target b2',
      'target group seed-usw2-bootstrap: target b2',
    ]);
    expect(table.stderr).toContain('seed-usw2: 6 difference(s) from the plan');
    // The state machines' VerifyCluster (its handler, judged against its role) reports the same lines.
    const verify = await loadHandler('verifyCluster');
    const verified = (await asFunction('verifyCluster', () =>
      verify({ spec: parseClusterSpec(SEED), kafka: false }, lambdaContext('verifyCluster')),
    )) as { inSync: boolean; differences: string[] };
    expect(verified.inSync).toBe(false);
    expect(verified.differences).toEqual(
      table.stdout
        .trim()
        .split('\n')
        .filter((line) => /^(DRIFT|HEALTH) /.test(line)),
    );
    expect(file.emulator.iam.denied()).toEqual([]);
    expect(file.emulator.recorder.mutating()).toEqual([]);
  });

  it('bad input exits 2 before any AWS call', async () => {
    // Act
    const out: string[] = [];
    const code = await main(['status', '--spec', 'examples/seed-usw2.json', '--format', 'yaml'], {
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
    });
    // Assess
    expect(code).toBe(2);
    expect(out.join('')).toContain('--format: "yaml" is not one of table, json');
    expect(file.emulator.recorder.calls).toEqual([]);
  });
});
