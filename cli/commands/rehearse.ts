/**
 * kafka-plc rehearse [--kafka] (npm start): the whole lifecycle on an embedded default, locally, before
 * any AWS credentials: moto (the AWS emulator) started on a free port, the real provision state machine
 * with the real handlers, a consumer's connection request decided by the real accept policy (a labelled
 * stand-in: moto has no endpoint connections), the unique name written to Parameter Store, the real
 * trigger handler, the real roll state machine; with --kafka also the real-Kafka data plane and the
 * seed's produce/consume check through the private-link path. Everything started is stopped by PID, also
 * on Ctrl-C; a failure exits non-zero naming the step.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { readAcceptState } from '../../functions/lib/aws/accept-records';
import { clients, resetClients } from '../../functions/lib/aws/clients';
import * as ssm from '../../functions/lib/aws/ssm';
import { planConnections } from '../../functions/lib/domain/accept-policy';
import { findingLine } from '../../functions/lib/domain/drift';
import { DEFAULT_STAGE, stateMachineName } from '../../functions/lib/domain/names';
import { nextSteps, nextStepsText } from '../../functions/lib/domain/next-steps';
import { type Plan, planCluster } from '../../functions/lib/domain/plan';
import { planTable } from '../../functions/lib/domain/plan-views';
import { topologySvg } from '../../functions/lib/domain/topology-svg';
import { UsageError } from '../../functions/lib/errors';
import { principalAccount } from '../../functions/lib/spec';
import { settlePlan } from '../../functions/lib/steps/accept';
import { acceptTable } from '../../functions/lib/steps/connections';
import { handler as onUniqueNameChange } from '../../functions/on-unique-name-change/handler';
import { type Moto, ROOT, startMotoServer } from '../emulator';
import { refuseWhileKept, STOP_COMMAND, stopKept, writeKept } from '../kept-rehearsal';
import { fakeContext, readDefinition, resolveArns } from '../local-sfn';
import type { ControlPlane, KafkaCluster } from '../rehearse-kafka';
import { loadSpecFile } from '../spec-file';
import { registryHint, stepper } from '../steps';
import { type Command, parse } from './common';
import { runWorkflow } from './provision';

const REGION_ACCOUNT = '123456789012';

interface ProvisionOutput {
  endpointServiceId: string;
  acceptWindow: string;
  endpointServiceName: string;
  loadBalancerDnsName: string;
  brokerInstanceIds: string[];
}

export const rehearse: Command = async (args, io) => {
  const values = parse(args, {
    kafka: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    stop: { type: 'boolean', default: false },
    spec: { type: 'string', default: 'examples/seed-usw2.json' },
    out: { type: 'string', default: 'out/rehearsal' },
  });
  if (values.stop === true) {
    io.stdout(`${await stopKept()}\n`);
    return;
  }
  const withKafka = values.kafka === true;
  const keep = values.keep === true;
  if (keep && !withKafka)
    throw new UsageError('--keep needs --kafka: without real brokers there is nothing to keep running');
  refuseWhileKept();
  const spec = await loadSpecFile(values.spec as string);
  const plan = planCluster(spec);
  const outDir = join(ROOT, values.out as string);
  // A spec whose patterns are complete (Dedicated, a custom domain) has no unique name: no roll to rehearse.
  const awaits = plan.awaitsUniqueName;
  const uniqueName = awaits ? `rehearsal-${randomBytes(3).toString('hex')}` : spec.uniqueName;
  const steps = stepper(io.stderr, (withKafka ? 11 : 9) - (awaits ? 0 : 3));
  // The workflows' own progress lines, indented under the step that runs them, on the rehearsal's clock.
  const nested = {
    stdout: io.stdout,
    stderr: (text: string) => io.stderr(text.replace(/^(?=.)/gm, '    ')),
    startedAt: steps.started,
  };
  const stops: (() => Promise<void>)[] = [];
  /** Set once a --keep rehearsal has handed its emulator and cluster over to .cache/rehearsal-kept.json. */
  let kept = false;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    io.stderr(`\n${signal}: stopping what the rehearsal started…\n`);
    void cleanup().finally(() => process.exit(130));
  };
  const cleanup = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await steps.run(
      withKafka ? 'install tools (moto, shellcheck, Kafka jars, haproxy)' : 'install tools (moto)',
      () =>
        runShown(
          'bash',
          [join(ROOT, 'scripts/setup-tools.sh'), ...(withKafka ? [] : ['--python-only'])],
          steps.note,
        ),
    );
    mkdirSync(outDir, { recursive: true });
    const moto: Moto = await steps.run(
      'start the AWS emulator (moto)',
      () => startMotoServer(keep ? { keepable: { logFile: join(outDir, 'moto.log') } } : {}),
      (m) => `${m.endpoint}, pid ${m.pid}`,
    );
    stops.push(() => (kept ? Promise.resolve() : moto.stop()));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'rehearsal',
      AWS_SECRET_ACCESS_KEY: 'rehearsal',
      AWS_REGION: spec.region,
      KAFKA_PLC_EMULATOR: '1',
    });
    resetClients();

    let kafka: { cluster: KafkaCluster; control: ControlPlane } | undefined;
    if (withKafka) {
      kafka = await steps.run(
        'real Kafka: 3 brokers + haproxy as the NLB; Run Command reaches them through the executor',
        async () => {
          const { startKafkaCluster, attachControlPlane, detachNewProcesses } = await import(
            '../rehearse-kafka'
          );
          // Kept brokers and haproxy lead sessions of their own: closing this terminal does not end them.
          detachNewProcesses(keep);
          const cluster = await startKafkaCluster(spec);
          stops.push(() => (kept ? Promise.resolve() : cluster.stop()));
          const control = await attachControlPlane(cluster, moto.endpoint, { provision: false });
          stops.push(() => control.stop());
          return { cluster, control };
        },
        ({ cluster, control }) =>
          `${cluster.brokers.map((b) => `b${b.nodeId} ${cluster.addressOf(b.nodeId)}`).join(', ')}; haproxy ${cluster.haproxyAddress}; SSM at ${control.executor.endpoint}`,
      );
    }

    const provisioned = (await steps.run('provision (state-machine/provision.asl.json, in-process)', () =>
      runWorkflow(
        'provision',
        spec,
        { local: true, region: spec.region, stage: DEFAULT_STAGE, executionName: '' },
        nested,
      ).then((run) => run.output),
    )) as ProvisionOutput;

    await steps.run(
      'consumers request connections; auto-accept decides inside the accept window provisioning opened',
      async () => {
        const account = principalAccount(plan.endpointService.allowedPrincipals[0] ?? '') ?? REGION_ACCOUNT;
        const table = acceptTable(DEFAULT_STAGE);
        const now = Date.now();
        const state = await readAcceptState(spec.region, table, spec.clusterName);
        steps.note(`accept window: ${provisioned.acceptWindow}`);
        const request = (n: number, owner: string, minute: number) => ({
          vpcEndpointId: `vpce-0rehearsal0000000${n}`,
          vpcEndpointOwner: owner,
          vpcEndpointState: 'pendingAcceptance',
          createdAt: new Date(now - (10 - minute) * 60_000).toISOString(),
        });
        const options = { table, outsideWindow: 'leave' as const };
        const decided = planConnections(
          provisioned.endpointServiceId,
          [request(1, account, 1), request(2, account, 2), request(3, '999999999999', 3)],
          { allowedAccounts: plan.endpointService.allowedAccounts, onUnknown: 'reject' },
          { ...state, now, outsideWindow: options.outsideWindow },
        );
        const settled = await settlePlan(spec.region, spec.clusterName, options, decided, now);
        steps.note(
          '[stand-in] moto has no endpoint connections: three simulated requests, decided by the real policy and claimed in the real window table',
        );
        for (const a of settled.audit)
          steps.note(`${a.vpcEndpointId} from ${a.vpcEndpointOwner}: ${a.decision} (${a.reason})`);
        return settled;
      },
    );

    async function rehearseRename() {
      const version = await steps.run(
        `set the unique name: ${plan.uniqueNameParameter} = ${uniqueName}`,
        () => ssm.putParameter(spec.region, plan.uniqueNameParameter, uniqueName),
      );

      const trigger = await steps.run(
        'Parameter Store Change → the real trigger handler',
        async () => {
          const definition = JSON.stringify(resolveArns(readDefinition('roll-brokers'), spec.region));
          const name = stateMachineName(DEFAULT_STAGE, 'roll-brokers');
          const machine = await clients(spec.region).sfn.send(
            new CreateStateMachineCommand({
              name,
              definition,
              roleArn: `arn:aws:iam::${REGION_ACCOUNT}:role/${name}`,
            }),
          );
          process.env.ROLL_STATE_MACHINE_ARN = machine.stateMachineArn;
          steps.note(
            '[stand-in] EventBridge delivery is not emulated: the handler gets a sample "Parameter Store Change" event',
          );
          return onUniqueNameChange(
            {
              source: 'aws.ssm',
              'detail-type': 'Parameter Store Change',
              detail: { name: plan.uniqueNameParameter, operation: 'Update' },
            },
            fakeContext('kafka-plc-onUniqueNameChange'),
          );
        },
        (outcome) => {
          const o = outcome as { started?: boolean; executionArn?: string; reason?: string };
          return o.started
            ? `started ${o.executionArn?.split(':').pop() ?? 'the roll'}`
            : `no roll: ${o.reason}`;
        },
      );
      if (!(trigger as { started?: boolean }).started) {
        throw new Error(`the trigger did not start a roll: ${JSON.stringify(trigger)}`);
      }

      const rolled = (await steps.run(
        'roll the brokers one at a time (state-machine/roll-brokers.asl.json)',
        async () => {
          if (kafka) {
            steps.note('the health is read by our script on a broker through Run Command (real Kafka tools)');
          } else {
            process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
            steps.note(
              '[stand-in] no broker runs without --kafka: the health snapshot reports a healthy cluster',
            );
          }
          return runWorkflow(
            'roll-brokers',
            { spec: { ...spec, uniqueName }, previousUniqueName: spec.uniqueName },
            { local: true, region: spec.region, stage: DEFAULT_STAGE, executionName: '' },
            nested,
          ).then((run) => run.output);
        },
      )) as { brokers: { nodeId: number; newAdvertisedListeners: string; seconds: number }[] };
      return { version, rolled };
    }

    const renamed = awaits ? await rehearseRename() : undefined;
    if (!renamed)
      io.stderr('  (the advertised-listener patterns are complete: no unique name to set, no roll)\n');
    const version = renamed?.version ?? 0;
    const rolled = renamed?.rolled ?? { brokers: [] };

    let smoke: { brokers: string[]; produced: number; written: number; consumed: number } | undefined;
    if (kafka) {
      const { cluster } = kafka;
      smoke = await steps.run(
        `real Kafka: the brokers advertise ${uniqueName}; produce 10 / consume 10 via the bootstrap port, new names only`,
        async () => {
          const { seedSmokeCheck, harnessPlan } = await import('../rehearse-kafka');
          const result = await seedSmokeCheck(cluster, harnessPlan(cluster.dir, uniqueName, cluster.spec));
          const stale = awaits ? result.brokers.filter((b) => !b.includes(`.${uniqueName}.`)) : [];
          if (stale.length > 0) throw new Error(`brokers still advertise other names: ${stale.join(', ')}`);
          return result;
        },
        (s) =>
          `${s.produced} produced, ${s.written} written, ${s.consumed} consumed; metadata lists ${s.brokers.join(', ')}`,
      );
    }

    const report = await steps.run(
      'kafka-plc status: the emulated account against the plan (read-only)',
      async () => {
        const { clusterStatus } = await import('../../functions/lib/steps/status');
        const current = { ...spec, uniqueName };
        return clusterStatus(current, planCluster(current));
      },
      (r) => (r.findings.length === 0 ? 'in sync and healthy' : `${r.findings.length} difference(s)`),
    );
    if (report.findings.length > 0)
      throw new Error(
        `status found differences after the rehearsal:\n${report.findings.map(findingLine).join('\n')}`,
      );

    const svgPath = join(outDir, 'topology.svg');
    await steps.run(
      'write the topology picture',
      async () => {
        mkdirSync(outDir, { recursive: true });
        const finalPlan = planCluster({ ...spec, uniqueName });
        writeFileSync(
          svgPath,
          topologySvg(finalPlan, { endpointServiceName: provisioned.endpointServiceName }),
        );
        writeFileSync(join(outDir, 'provision-output.json'), `${JSON.stringify(provisioned, null, 2)}\n`);
      },
      () => svgPath,
    );

    io.stdout(
      summary(
        spec.clusterName,
        provisioned,
        planCluster({ ...spec, uniqueName }),
        rolled,
        version,
        smoke,
        svgPath,
        `in sync and healthy${report.notes.length > 0 ? ` — ${report.notes.join('; ')}` : ''}`,
      ),
    );
    if (keep && kafka) {
      const { consumerNameMap, harnessPlan } = await import('../rehearse-kafka');
      const released = kafka.cluster.release();
      moto.release();
      writeKept({
        cluster: spec.clusterName,
        keptAt: new Date().toISOString(),
        dir: released.dir,
        emulator: moto.endpoint,
        processes: [{ name: 'moto', pid: moto.pid ?? -1 }, ...released.processes],
      });
      kept = true;
      const keptPlan = harnessPlan(kafka.cluster.dir, uniqueName, kafka.cluster.spec);
      io.stdout(
        keptLines(keptPlan, consumerNameMap(keptPlan, kafka.cluster.haproxyAddress), kafka.cluster, moto),
      );
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    if (!interrupted) await cleanup();
  }
};

/**
 * What a kept rehearsal ends with, one item per line: each consumer's bootstrap address, the advertised names as
 * hosts-file lines (what TiDB Cloud's private DNS resolves them to: the endpoint, here haproxy), the emulator,
 * and the command that stops it all.
 */
function keptLines(plan: Plan, names: Map<string, string>, cluster: KafkaCluster, moto: Moto): string {
  const several = plan.consumers.length > 1;
  return [
    '',
    `Kept running: the emulator, ${plan.brokers.length} brokers and haproxy (the endpoint). Point your client at:`,
    ...plan.consumers.map(
      (c) => `bootstrap: ${cluster.haproxyAddress}:${c.bootstrapPort}${several ? ` (${c.name})` : ''}`,
    ),
    ...[...names].map(([name, address]) => `${address} ${name}`),
    `emulator: ${moto.endpoint}`,
    STOP_COMMAND,
    '',
  ].join('\n');
}

function summary(
  cluster: string,
  provisioned: ProvisionOutput,
  plan: Plan,
  rolled: { brokers: { nodeId: number; newAdvertisedListeners: string; seconds: number }[] },
  version: number,
  smoke: { produced: number; written: number; consumed: number } | undefined,
  svgPath: string,
  status: string,
): string {
  return [
    '',
    `Rehearsal of ${cluster} complete (emulated AWS${smoke ? ' + real Kafka' : ''}).`,
    '',
    `Endpoint service name: ${provisioned.endpointServiceName}`,
    `NLB (internal): ${provisioned.loadBalancerDnsName}`,
    '',
    planTable(plan),
    rolled.brokers.length > 0
      ? `Roll (unique name version ${version}): ${rolled.brokers.map((b) => `b${b.nodeId}`).join(' → ')} (one at a time, controller last)`
      : 'Roll: none (the advertised names are complete from the first start)',
    ...(smoke
      ? [
          `Private-link path check: ${smoke.produced} produced, ${smoke.written} written, ${smoke.consumed} consumed`,
        ]
      : []),
    `Topology: ${svgPath}`,
    `Status (kafka-plc status): ${status}`,
    `Accept window: ${provisioned.acceptWindow}`,
    '',
    nextStepsText(nextSteps(plan, provisioned.endpointServiceName)).trimEnd(),
    '',
    'Create the connections inside the accept window; later ones: "kafka-plc accept-window --spec <file> --minutes N"',
    'or, by the endpoint ID TiDB Cloud shows, "kafka-plc accept --spec <file> --endpoint vpce-…".',
    'Next step on AWS: deploy the stack (README "Deploy"), then "kafka-plc provision --spec <your spec>".',
    '',
  ].join('\n');
}

/**
 * Runs an install script with its progress shown under the step (its own log lines, as they come), so a first
 * run that downloads for a minute is not a silent spinner; a failure carries the output's last lines and, when
 * a package registry could not be reached, what to check.
 */
function runShown(command: string, args: string[], note: (text: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const take = (chunk: Buffer) => {
      for (const line of chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')) {
        lines.push(line);
        if (/^setup-(tools|kafka):/.test(line)) note(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const tail = lines.slice(-8).join('\n');
      const hint = registryHint(tail);
      reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}${hint ? `\n${hint}` : ''}`));
    });
  });
}
