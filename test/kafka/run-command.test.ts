/**
 * The Run Command executor (run-command.ts) without Kafka: the host view changes nothing but addresses and
 * directories; SSM's behaviours our adapters meet (status lifecycle, exit codes, execution timeout, output
 * caps, history paging, managed-instance status) through the real SDK client and our adapters; the
 * systemctl stand-in; and every other request still reaching the emulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runLocal } from '../../cli/local-sfn';
import { resetClients } from '../../functions/lib/aws/clients';
import * as ssm from '../../functions/lib/aws/ssm';
import { renderBrokerScript } from '../../functions/lib/domain/broker-script';
import { renderHealthScript } from '../../functions/lib/domain/health-script';
import { planCluster } from '../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../functions/lib/spec';
import { seedSpec } from '../fixtures/specs';
import { type Emulator, snapshot, startEmulator } from '../helpers/emulator';
import { brokerAddress, harnessPlan } from './harness';
import { waitFor } from './processes';
import { type BrokerHosts, hostView, type RunCommandExecutor, startRunCommandExecutor } from './run-command';

const awsPlan = planCluster(parseClusterSpec(seedSpec()));
const root = mkdtempSync(join(tmpdir(), 'kafka-plc-executor-'));
const running = new Map<number, boolean>([
  [1, true],
  [2, true],
  [3, false],
]);
const actions: string[] = [];
const hosts: BrokerHosts = {
  brokers: [1, 2, 3].map((nodeId) => ({ nodeId, dir: join(root, `b${nodeId}`) })),
  addressOf: brokerAddress,
  isRunning: (nodeId) => running.get(nodeId) === true,
  stopBroker: async (nodeId) => {
    actions.push(`stop b${nodeId}`);
    running.set(nodeId, false);
    return { how: 'exited', exitCode: 143 };
  },
  startBroker: async (nodeId) => {
    actions.push(`start b${nodeId}`);
    running.set(nodeId, true);
  },
  restartBroker: async (nodeId) => {
    actions.push(`restart b${nodeId}`);
    running.set(nodeId, true);
    return { stopped: null, started: { pid: 1, ms: 0 } };
  },
};

let emulator: Emulator;
let executor: RunCommandExecutor;
let instanceOf: Map<number, string>;
const region = awsPlan.region;

beforeAll(async () => {
  emulator = await startEmulator();
  await emulator.fresh();
  // Prepare: the cluster's instances, as provisioning leaves them in the emulator (tags included)
  const provisioned = await runLocal('provision', seedSpec(), { waitScale: 0, retryPauseMs: 0 });
  expect(provisioned.status, provisioned.cause).toBe('SUCCEEDED');
  const found = await snapshot(awsPlan.clusterName, region);
  instanceOf = new Map(found.instances.map((i) => [Number(i.tags['kafka-plc:node-id']), i.id]));
  executor = await startRunCommandExecutor({
    upstream: emulator.moto.endpoint,
    hosts,
    awsPlan,
    kafkaHome: join(root, 'kafka'),
  });
  process.env.AWS_ENDPOINT_URL = executor.endpoint;
  resetClients();
}, 120_000);

afterAll(async () => {
  await executor?.stop();
  await emulator?.stop();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  actions.length = 0;
});

const instance = (nodeId: number) => instanceOf.get(nodeId) ?? '';

async function runScript(nodeId: number, script: string, timeoutSeconds = 60) {
  const commandId = await ssm.sendShellScript(region, {
    instanceId: instance(nodeId),
    script,
    comment: `kafka-plc test b${nodeId}`,
    timeoutSeconds,
  });
  const first = await ssm.commandInvocation(region, commandId, instance(nodeId));
  const last = await waitFor(
    `command ${commandId} to end`,
    async () => {
      const invocation = await ssm.commandInvocation(region, commandId, instance(nodeId));
      return ['Pending', 'InProgress'].includes(invocation.status) ? undefined : invocation;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  return { commandId, first, last };
}

describe('the host view of a script', () => {
  it('turns the broker script the Lambdas render into exactly the one the harness renders for that host', () => {
    // Prepare
    const local = harnessPlan(root);
    for (const broker of awsPlan.brokers) {
      const harnessBroker = local.brokers.find((b) => b.nodeId === broker.nodeId);
      if (!harnessBroker) throw new Error(`b${broker.nodeId} missing`);
      // Act
      const viewed = hostView(renderBrokerScript(awsPlan, broker), awsPlan, hosts, broker.nodeId);
      // Assess
      expect(viewed).toBe(renderBrokerScript(local, harnessBroker));
      expect(viewed).not.toContain(broker.privateIp);
    }
  });

  it('turns the health script into the harness one (INTERNAL listeners of every broker)', () => {
    // Act
    const viewed = hostView(renderHealthScript(awsPlan), awsPlan, hosts, 2);
    // Assess
    expect(viewed).toBe(renderHealthScript(harnessPlan(root)));
    const port = awsPlan.kafka.ports.internal;
    expect(viewed).toContain(`'127.0.1.1:${port},127.0.1.2:${port},127.0.1.3:${port}'`);
  });
});

describe('Run Command on a broker host', () => {
  it('runs the script with sh -c <_script.sh> (its shebang picks bash): Pending first, Success on exit 0', async () => {
    // Act
    const { first, last } = await runScript(1, '#!/usr/bin/env bash\necho "shell: ${BASH_VERSION:+bash}"\n');
    // Assess
    expect(first.status).toBe('Pending');
    expect(last).toMatchObject({ status: 'Success', responseCode: 0, stdout: 'shell: bash\n', stderr: '' });
  });

  it('reports a non-zero exit as Failed with its code, and cuts stdout at 24,000 and stderr at 8,000 characters', async () => {
    // Act
    const { last } = await runScript(
      2,
      '#!/usr/bin/env bash\nhead -c 30000 /dev/zero | tr "\\0" o\nhead -c 10000 /dev/zero | tr "\\0" e >&2\nexit 3\n',
    );
    // Assess
    expect(last.status).toBe('Failed');
    expect(last.responseCode).toBe(3);
    expect(last.stdout).toHaveLength(24_000);
    expect(last.stderr).toHaveLength(8_000);
  });

  it('ends a script that outlives its executionTimeout: TimedOut', async () => {
    // Act
    const { last } = await runScript(1, '#!/usr/bin/env bash\necho started\nsleep 30\necho never\n', 1);
    // Assess
    expect(last.status).toBe('TimedOut');
    expect(last.stdout).toBe('started\n');
  });

  it('lists a broker host commands newest first across pages of 50, as our adapter reads them', async () => {
    // Prepare
    const sent: string[] = [];
    for (let i = 0; i < 52; i += 1)
      sent.push((await runScript(3, `#!/usr/bin/env bash\necho ${i}\n`)).commandId);
    // Act
    const history = await ssm.commandsFor(region, instance(3));
    // Assess
    expect(history.slice(0, 52).map((c) => c.commandId)).toEqual([...sent].reverse());
    expect(history.every((c) => c.status === 'Success' && c.instanceIds[0] === instance(3))).toBe(true);
  });

  it('forgets the commands run so far once their history expires, as SSM does after its retention', async () => {
    // Prepare
    const { commandId: old } = await runScript(2, '#!/usr/bin/env bash\necho old\n');
    // Act
    executor.expireHistory();
    const { commandId: fresh } = await runScript(2, '#!/usr/bin/env bash\necho fresh\n');
    // Assess: only the newer command is listed; the old one's invocation is gone; the record keeps both
    expect((await ssm.commandsFor(region, instance(2))).map((c) => c.commandId)).toEqual([fresh]);
    // (InvocationDoesNotExist, which our adapter reads as "not there yet")
    expect(await ssm.commandInvocation(region, old, instance(2))).toMatchObject({
      status: 'Pending',
      stdout: '',
    });
    expect(executor.commands.map((c) => c.commandId)).toEqual(expect.arrayContaining([old, fresh]));
  });

  it('reports broker hosts Online to the SSM agent check', async () => {
    // Act
    const online = await ssm.onlineManagedInstances(region, [instance(1), instance(2)]);
    // Assess
    expect([...online].sort()).toEqual([instance(1), instance(2)].sort());
  });

  it("serves systemctl on the host: is-active from the broker's JVM, restart/start/stop through the harness, show of the last stop", async () => {
    // Act
    const { last } = await runScript(
      3,
      [
        '#!/usr/bin/env bash',
        'systemctl daemon-reload',
        'systemctl is-active --quiet kafka.service && echo active || echo "inactive $?"',
        'systemctl restart kafka.service',
        'systemctl is-active --quiet kafka.service && echo active',
        'systemctl stop kafka.service',
        'systemctl show --property=Result --value kafka.service',
        'systemctl show --property=ExecMainStatus --value kafka.service',
        'systemctl start kafka.service',
        'systemctl restart sshd.service || echo "sshd: $?"',
      ].join('\n'),
    );
    // Assess
    expect(last.status, last.stderr).toBe('Success');
    expect(last.stdout).toBe('inactive 3\nactive\nsuccess\n143\nsshd: 5\n');
    expect(actions).toEqual(['restart b3', 'stop b3', 'start b3']);
    expect(executor.serviceActions.map((a) => `${a.verb} b${a.nodeId}`)).toEqual([
      'restart b3',
      'stop b3',
      'start b3',
    ]);
  });

  it('leaves instances that are no broker host to the emulator', async () => {
    // Act: an instance id the emulator does not know
    const answer = ssm.sendShellScript(region, {
      instanceId: 'i-0123456789abcdef0',
      script: 'echo hi',
      comment: 'kafka-plc test',
      timeoutSeconds: 60,
    });
    // Assess: the emulator's answer, not the executor's
    await answer.then(
      (commandId) => expect(executor.commands.some((c) => c.commandId === commandId)).toBe(false),
      (error: Error) => expect(error.name).not.toBe('AwsError'),
    );
  });
});
