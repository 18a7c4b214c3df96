/**
 * The roll ASL on the emulator after a real provision: SSM commands never run in moto, so the health
 * snapshot comes from the labelled stand-in (KAFKA_PLC_HEALTH_SOURCE=assume-healthy); the real-Kafka
 * suite runs the same decisions against real brokers.
 */
import { CreateStateMachineCommand, ListExecutionsCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { main } from '../../cli/main';
import { clients } from '../../functions/lib/aws/clients';
import { handler as onUniqueNameChange } from '../../functions/on-unique-name-change/handler';
import { asFunction } from '../aws-model/iam';
import { type Emulator, FAST, SEED, snapshot, startEmulator } from '../helpers/emulator';
import { cleanUpGeneratedOutput, emulatedHealthEnv, rackAwareCluster } from '../helpers/health-output';
import { lambdaContext } from '../helpers/lambda';

const seed = SEED;
const rollInput = (uniqueName: string) => ({
  spec: { ...seed, uniqueName },
  previousUniqueName: 'unique_name',
});

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
});
afterAll(async () => {
  cleanUpGeneratedOutput();
  await emulator?.stop();
});
beforeEach(async () => {
  // Prepare: a provisioned cluster with the placeholder name.
  await emulator.fresh();
  const provisioned = await runLocal('provision', seed, FAST);
  expect(provisioned.status).toBe('SUCCEEDED');
  emulator.recorder.clear();
});

/** A stand-in for the deployed roll machine (moto runs no execution); the trigger is pointed at it. */
async function deployedRollMachine(name: string) {
  const machine = await clients('us-west-2').sfn.send(
    new CreateStateMachineCommand({
      name,
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      roleArn: 'arn:aws:iam::123456789012:role/kafka-plc-roll',
    }),
  );
  process.env.ROLL_STATE_MACHINE_ARN = machine.stateMachineArn;
  process.env.AWS_REGION = 'us-west-2';
  return machine;
}

function nodeOfInstance(instances: { id: string; tags: Record<string, string> }[], id: string): number {
  return Number(instances.find((i) => i.id === id)?.tags['kafka-plc:node-id']);
}

describe('roll on the emulator', () => {
  it('sends one command per broker, one at a time, the active controller last, with the new names', async () => {
    // Act
    const result = await runLocal('roll-brokers', rollInput('tidb-abc'), FAST);
    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const { instances } = await snapshot('seed-usw2');
    const calls = emulator.recorder.calls;
    const sends = calls.filter((c) => c.operation === 'SendCommand');
    const order = sends.map((s) => nodeOfInstance(instances, (s.input.InstanceIds as string[])[0] ?? ''));
    expect(order).toEqual([2, 3, 1]);
    for (const [i, send] of sends.entries()) {
      const node = order[i];
      const script = (send.input.Parameters as { commands: string[] }).commands[0] ?? '';
      expect(send.input.Comment).toMatch(new RegExp(`^kafka-plc roll seed-usw2 b${node} [0-9a-f]{16}$`));
      expect(script).toContain(
        `EXTERNAL://b${node}.usw2-az${node}.tidb-abc.aws.plc.tidbcloud.com:${9092 + (node ?? 0)}`,
      );
    }
    // One at a time: the next command is sent only after the previous one was seen finished.
    const index = (c: (typeof calls)[number]) => calls.indexOf(c);
    for (let i = 1; i < sends.length; i++) {
      const previous = sends[i - 1];
      const finishedBefore = calls.filter(
        (c) =>
          c.operation === 'GetCommandInvocation' &&
          index(c) > index(previous as (typeof calls)[number]) &&
          index(c) < index(sends[i] as (typeof calls)[number]),
      );
      expect(finishedBefore.length).toBeGreaterThan(0);
    }
    const output = result.output as {
      brokers: { nodeId: number; oldAdvertisedListeners: string; newAdvertisedListeners: string }[];
      verification: { inSync: boolean; differences: string[] };
    };
    expect(output.brokers.map((b) => b.nodeId)).toEqual([2, 3, 1]);
    // VerifyCluster after FinishRoll: this roll was started directly, not by writing the unique-name
    // parameter, which still holds the placeholder; the verification says exactly that, and nothing else.
    expect(output.verification).toMatchObject({
      inSync: false,
      differences: [
        'DRIFT  parameter /kafka-plc/seed-usw2/unique-name: brokers advertise: planned unique_name, live tidb-abc',
      ],
    });
    expect(output.brokers[0]).toMatchObject({
      oldAdvertisedListeners:
        'INTERNAL://10.0.64.10:9092,EXTERNAL://b2.usw2-az2.unique_name.aws.plc.tidbcloud.com:9094',
      newAdvertisedListeners:
        'INTERNAL://10.0.64.10:9092,EXTERNAL://b2.usw2-az2.tidb-abc.aws.plc.tidbcloud.com:9094',
    });
  });

  it('a repeated roll sends nothing: every broker already runs the new configuration', async () => {
    await runLocal('roll-brokers', rollInput('tidb-abc'), FAST);
    emulator.recorder.clear();
    const again = await runLocal('roll-brokers', rollInput('tidb-abc'), FAST);
    expect(again.status).toBe('SUCCEEDED');
    expect(emulator.recorder.calls.filter((c) => c.operation === 'SendCommand')).toEqual([]);
  });

  it('after a roll, a provision re-run keeps the new name and sends no configure command', async () => {
    await runLocal('roll-brokers', rollInput('tidb-abc'), FAST);
    emulator.recorder.clear();
    const rerun = await runLocal('provision', seed, FAST);
    expect(rerun.status, `${rerun.error}: ${rerun.cause}`).toBe('SUCCEEDED');
    expect(emulator.recorder.mutating().map((c) => c.operation)).toEqual([]);
  });

  it('refuses a roll to a name other than the unique-name parameter says (the sweep would roll it back), rolling nothing', async () => {
    // Prepare: TiDB Cloud's name is in the parameter
    await clients('us-west-2').ssm.send(
      new PutParameterCommand({
        Name: '/kafka-plc/seed-usw2/unique-name',
        Value: 'tidb-param',
        Overwrite: true,
        Type: 'String',
      }),
    );
    emulator.recorder.clear();
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    const rollTo = (name: string) =>
      main(
        ['roll', '--spec', 'examples/seed-usw2.json', '--unique-name', name, '--local', '--assume-healthy'],
        io,
      );
    // Act
    const refused = await rollTo('tidb-other');
    const refusedCalls = emulator.recorder.calls.map((c) => c.operation);
    const accepted = await rollTo('tidb-param');
    // Assess
    expect(refused).toBe(1);
    expect(out.join('')).toContain(
      '/kafka-plc/seed-usw2/unique-name is "tidb-param" (version 2), not "tidb-other": the unique-name sweep would roll the brokers back to the parameter. Run "kafka-plc set-unique-name --cluster seed-usw2 --value tidb-other"',
    );
    // the account and region said first (STS), the owning stage read, then the parameter; nothing written
    expect(refusedCalls).toEqual(['GetCallerIdentity', 'GetParameter', 'GetParameter']);
    expect(out.join('')).toContain('emulator http');
    expect(accepted).toBe(0);
  });

  it('an invalid unique name exits 2 before any AWS call', async () => {
    // Prepare
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    // Act
    const code = await main(
      [
        'roll',
        '--spec',
        'examples/seed-usw2.json',
        '--unique-name',
        'Not_A_Label',
        '--local',
        '--assume-healthy',
      ],
      io,
    );
    // Assess
    expect(code).toBe(2);
    expect(out.join('')).toContain('--unique-name = "Not_A_Label"');
    expect(emulator.recorder.calls).toEqual([]);
  });

  it('the Parameter Store trigger starts one roll per parameter version (a duplicate event finds it started), none for an invalid value', async () => {
    // Prepare: a deployed roll state machine in the emulator and a new unique name.
    const { sfn, ssm } = clients('us-west-2');
    const machine = await deployedRollMachine('kafka-plc-dev-roll-brokers');
    const event = { detail: { name: '/kafka-plc/seed-usw2/unique-name', operation: 'Update' } };
    await ssm.send(
      new PutParameterCommand({
        Name: '/kafka-plc/seed-usw2/unique-name',
        Value: 'tidb-xyz',
        Overwrite: true,
        Type: 'String',
      }),
    );
    const trigger = () => asFunction('onUniqueNameChange', () => onUniqueNameChange(event, lambdaContext()));
    // Act
    const first = await trigger();
    const duplicate = await trigger();
    await ssm.send(
      new PutParameterCommand({
        Name: '/kafka-plc/seed-usw2/unique-name',
        Value: 'Bad_Name',
        Overwrite: true,
        Type: 'String',
      }),
    );
    const invalid = await trigger();
    // Assess
    expect(first).toMatchObject({ started: true, uniqueName: 'tidb-xyz', previousUniqueName: 'unique_name' });
    // The duplicate finds the execution its write already started (same name), and starts nothing.
    expect(duplicate).toMatchObject({
      started: false,
      reason: `a roll for version 2 was already started: ${(first as { executionArn?: string }).executionArn} (RUNNING)`,
    });
    expect(invalid).toMatchObject({ started: false, reason: expect.stringContaining('not a DNS label') });
    const executions = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn }),
    );
    expect(executions.executions?.map((e) => e.name)).toEqual([
      expect.stringMatching(/^seed-usw2-unique-name-v2-\d+$/),
    ]);
  });

  it('a re-created cluster rolls again for the same parameter version (execution names are kept 90 days)', async () => {
    // Prepare: a deployed roll machine; the cluster's first unique name written (version 2) and rolled
    const { sfn, ssm } = clients('us-west-2');
    await deployedRollMachine('kafka-plc-dev-roll-brokers');
    const name = '/kafka-plc/seed-usw2/unique-name';
    const event = { detail: { name, operation: 'Update' } };
    const write = (Value: string) =>
      ssm.send(new PutParameterCommand({ Name: name, Value, Overwrite: true, Type: 'String' }));
    const trigger = () => asFunction('onUniqueNameChange', () => onUniqueNameChange(event, lambdaContext()));
    await write('tidb-first');
    const before = await trigger();
    // that roll ends (moto runs no execution: stop it, a closed execution as a finished roll is)
    await sfn.send(
      new StopExecutionCommand({ executionArn: (before as { executionArn: string }).executionArn }),
    );
    // Act: teardown removes the parameters and the applied spec; provisioning again writes them anew, so
    // the same name comes back as version 2 of a new parameter
    const torn = await runLocal('teardown', seed, FAST);
    const again = await runLocal('provision', seed, FAST);
    await write('tidb-first');
    const after = await trigger();
    // Assess: both started a roll (the second is not mistaken for the closed first one)
    expect(torn.status).toBe('SUCCEEDED');
    expect(again.status).toBe('SUCCEEDED');
    expect(before).toMatchObject({ started: true });
    expect(after, JSON.stringify(after)).toMatchObject({ started: true });
    expect((after as { executionArn: string }).executionArn).not.toBe(
      (before as { executionArn: string }).executionArn,
    );
    expect((after as { executionArn: string }).executionArn).toMatch(/:seed-usw2-unique-name-v2-\d+$/);
  });
  it('stops at once when, while a broker restarts, another leaves an ISR (under min ISR): nothing else restarts', async () => {
    // Prepare: the real health script over a stand-in's tool output (3 brokers, RF 3, min ISR 2); while the
    // picked broker restarts it is out of the metadata and of every ISR, and broker 3 (not restarting) also left
    // the ISR of changefeed-0-0: one replica in sync
    const saved = { ...process.env };
    const healthReads: number[][] = [];
    const wrapHandler: typeof FAST.wrapHandler = (key, real) => {
      const judged = FAST.wrapHandler(key, real);
      if (key !== 'checkBrokerHealthy') return judged;
      return async (event, context) => {
        const restarting = (event as { commands: { nodeId: number }[] }).commands.map((c) => c.nodeId);
        healthReads.push(restarting);
        const cluster = rackAwareCluster(3, { leader: 2, topics: 1 });
        cluster.registered = cluster.brokers.filter((id) => !restarting.includes(id));
        for (const p of cluster.topics.flatMap((t) => t.partitions))
          p.isr = p.isr.filter((id) => !restarting.includes(id) && id !== 3);
        Object.assign(process.env, emulatedHealthEnv(cluster, saved.PATH));
        return judged(event, context);
      };
    };
    Object.assign(process.env, emulatedHealthEnv(rackAwareCluster(3, { leader: 2, topics: 1 }), saved.PATH));
    try {
      // Act
      const result = await runLocal('roll-brokers', rollInput('tidb-stop'), { ...FAST, wrapHandler });
      // Assess: failed with the reason after one health read of the first broker; no other broker was sent a
      // command
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('RollAbortedError');
      expect(result.cause).toMatch(
        /^CheckBrokerHealthy: roll stopped: under min\.insync\.replicas: changefeed-0-0 \(ISR 2\) — not what restarting b1 does\. Nothing else is restarted; b1 comes back on its own\./,
      );
      expect(healthReads).toEqual([[1]]);
      expect(emulator.recorder.calls.filter((c) => c.operation === 'SendCommand')).toHaveLength(1);
    } finally {
      process.env = saved;
    }
  });
});
