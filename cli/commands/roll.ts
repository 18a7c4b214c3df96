/**
 * kafka-plc roll --spec FILE [--unique-name V] [--local] [--stage STAGE] [--kafka-bootstrap HOST:PORT | --assume-healthy]
 * kafka-plc set-unique-name --cluster NAME --value V [--region REGION] [--wait] [--stage STAGE]
 * An invalid unique name, cluster name or bootstrap address exits 2 before any AWS call.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as sfn from '../../functions/lib/aws/sfn';
import * as ssm from '../../functions/lib/aws/ssm';
import {
  rollExecutionName,
  specParameter,
  stateMachineName,
  uniqueNameParameter,
} from '../../functions/lib/domain/names';
import { ResourceConflictError, SpecValidationError, UsageError } from '../../functions/lib/errors';
import { clusterSpecSchema, primaryConsumer, specAwaitsUniqueName } from '../../functions/lib/spec';
import { readAppliedSpec } from '../../functions/lib/steps/cluster-record';
import { rotateConsumerPassword } from '../../functions/lib/steps/consumer-secret';
import { discoverBrokers } from '../../functions/lib/steps/existing';
import { uniqueNameProblem } from '../../functions/lib/steps/unique-name';
import { readDefinition } from '../local-sfn';
import { progress, progressContext } from '../progress';
import { loadSpecFile } from '../spec-file';
import { executionConsoleUrl } from '../summary';
import {
  announce,
  type Command,
  CommandFailedError,
  type Io,
  parse,
  reportVerification,
  required,
  requireEmulatorForLocal,
} from './common';
import { executionName, followExecution, runWorkflow } from './provision';
import { resolveStage, STAGE_OPTION, stageFlag } from './stage';

const BOOTSTRAP = /^[A-Za-z0-9.-]+:\d{1,5}$/;
export const LOCAL_KAFKA_HOME = fileURLToPath(new URL('../../.cache/kafka-3.7.1', import.meta.url));

function checkUniqueName(value: string, flag: string): void {
  const problem = uniqueNameProblem(value);
  if (problem) throw new SpecValidationError([{ path: flag, value, message: problem }]);
}

function configureHealthSource(values: {
  local?: boolean;
  'kafka-bootstrap'?: string;
  'assume-healthy'?: boolean;
}) {
  const bootstrap = values['kafka-bootstrap'];
  if (bootstrap !== undefined && values['assume-healthy']) {
    throw new UsageError('--kafka-bootstrap and --assume-healthy exclude each other');
  }
  if (!values.local && (bootstrap !== undefined || values['assume-healthy'])) {
    throw new UsageError('--kafka-bootstrap and --assume-healthy apply to --local runs only');
  }
  if (bootstrap !== undefined) {
    if (!BOOTSTRAP.test(bootstrap)) {
      throw new SpecValidationError([
        { path: '--kafka-bootstrap', value: bootstrap, message: 'must be HOST:PORT' },
      ]);
    }
    process.env.KAFKA_PLC_HEALTH_SOURCE = 'local';
    process.env.KAFKA_PLC_HEALTH_BOOTSTRAP = bootstrap;
    if (!process.env.KAFKA_PLC_KAFKA_HOME && existsSync(LOCAL_KAFKA_HOME))
      process.env.KAFKA_PLC_KAFKA_HOME = LOCAL_KAFKA_HOME;
  } else if (values['assume-healthy']) {
    process.env.KAFKA_PLC_HEALTH_SOURCE = 'assume-healthy';
  }
}

/**
 * The unique-name parameter is what the brokers should advertise: the sweep (reconcileUniqueNames) rolls any
 * cluster whose brokers advertise something else back to it. A roll to another valid name would be undone
 * within minutes, so it is refused; `set-unique-name` changes the parameter (and starts the roll).
 */
async function refuseAgainstParameter(region: string, cluster: string, uniqueName: string): Promise<void> {
  const parameter = await ssm.getParameter(region, uniqueNameParameter(cluster));
  if (!parameter || uniqueNameProblem(parameter.value) || parameter.value === uniqueName) return;
  throw new ResourceConflictError(
    `${uniqueNameParameter(cluster)} is "${parameter.value}" (version ${parameter.version}), not "${uniqueName}": ` +
      'the unique-name sweep would roll the brokers back to the parameter. Run ' +
      `"kafka-plc set-unique-name --cluster ${cluster} --value ${uniqueName}" (it starts the roll), or roll to "${parameter.value}"`,
  );
}

export const roll: Command = (args, io) => rollBrokers(args, io, {});

/** `stage`: the command that calls it (rotate-credentials) has announced the run and resolved the stage. */
async function rollBrokers(args: string[], io: Io, options: { stage?: string }): Promise<void> {
  const values = parse(args, {
    spec: { type: 'string' },
    'unique-name': { type: 'string' },
    local: { type: 'boolean', default: false },
    'kafka-bootstrap': { type: 'string' },
    'assume-healthy': { type: 'boolean', default: false },
    'state-machine-arn': { type: 'string' },
    'state-machine-name': { type: 'string' },
    ...STAGE_OPTION,
  });
  requireEmulatorForLocal(values.local);
  const flag = stageFlag(values.stage);
  const specPath = required(values.spec, '--spec');
  const given = values['unique-name'] as string | undefined;
  if (given !== undefined) checkUniqueName(given, '--unique-name');
  configureHealthSource(values as Parameters<typeof configureHealthSource>[0]);
  const file = await loadSpecFile(specPath);
  const awaits = specAwaitsUniqueName(file);
  // Without --unique-name the roll keeps the names the brokers advertise (the applied spec's) and brings
  // whatever else changed (a consumer added or removed, authentication turned on). A spec whose patterns are
  // complete (Dedicated, a custom domain) has no unique name at all.
  if (!awaits && given !== undefined)
    throw new SpecValidationError([
      {
        path: '--unique-name',
        value: given,
        message: "does not apply: the spec's advertised-listener patterns hold no unique_name placeholder",
      },
    ]);
  const stage =
    options.stage ??
    (
      await announce(io, file.region, `roll of cluster ${file.clusterName}'s brokers, one at a time`, () =>
        resolveStage({ region: file.region, cluster: file.clusterName, flag, local: values.local === true }),
      )
    ).stage;
  // An existing cluster (spec.existing) is planned from discovered facts: discover its brokers first.
  const spec = file.existing ? (await discoverBrokers(file)).spec : file;
  if (given !== undefined) await refuseAgainstParameter(spec.region, spec.clusterName, given);
  const applied = await readAppliedSpec(spec.region, spec.clusterName);
  const uniqueName = given ?? applied?.uniqueName ?? file.uniqueName;
  const input = { spec: { ...spec, uniqueName }, previousUniqueName: applied?.uniqueName ?? spec.uniqueName };
  const { output } = await runWorkflow(
    'roll-brokers',
    input,
    {
      local: values.local === true,
      region: spec.region,
      stage,
      arn: values['state-machine-arn'] as string | undefined,
      machineName: values['state-machine-name'] as string | undefined,
      executionName: executionName(spec, 'roll'),
    },
    io,
  );
  io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  reportVerification(output, values.spec as string, io);
}

export const setUniqueName: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    cluster: { type: 'string' },
    value: { type: 'string' },
    region: { type: 'string' },
    wait: { type: 'boolean', default: false },
    'state-machine-name': { type: 'string' },
    ...STAGE_OPTION,
  });
  const flag = stageFlag(values.stage);
  const specPath = values.spec as string | undefined;
  if (specPath !== undefined && (values.cluster !== undefined || values.region !== undefined))
    throw new UsageError('--spec names the cluster and its region: give --spec, or --cluster (and --region)');
  const value = required(values.value, '--value');
  checkUniqueName(value, '--value');
  let cluster: string;
  let region: string | undefined;
  if (specPath !== undefined) {
    const file = await loadSpecFile(specPath);
    cluster = file.clusterName;
    region = file.region;
  } else {
    cluster = required(values.cluster, '--spec or --cluster');
    const clusterCheck = clusterSpecSchema.shape.clusterName.safeParse(cluster);
    if (!clusterCheck.success) {
      throw new SpecValidationError([
        { path: '--cluster', value: cluster, message: clusterCheck.error.issues[0]?.message ?? 'invalid' },
      ]);
    }
    region =
      (values.region as string | undefined) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  }
  if (!region) throw new UsageError('--region is required (or AWS_REGION)');
  const at = region;
  // Checked before the line that says where: a typo in the name would otherwise create a parameter no cluster
  // reads, and "succeed"; and only the owning stage's trigger rolls the cluster.
  const { stage } = await announce(io, at, `unique name of cluster ${cluster} set to ${value}`, async () => {
    const applied = await readAppliedSpec(at, cluster);
    if (!applied)
      throw new UsageError(
        `no cluster "${cluster}" in ${at}: kafka-plc keeps each cluster's applied spec at ${specParameter(cluster)}, ` +
          'and there is none (provision it first, or check the name and the region)',
      );
    if (!specAwaitsUniqueName(applied))
      throw new ResourceConflictError(
        `${cluster}'s advertised-listener patterns hold no unique_name placeholder: its brokers advertise complete names, and a unique name would change nothing`,
      );
    return resolveStage({ region: at, cluster, flag, local: false, ownerOnly: true });
  });
  const name = uniqueNameParameter(cluster);
  const started = Date.now();
  const version = await ssm.putParameter(region, name, value);
  const machineName =
    (values['state-machine-name'] as string | undefined) ?? stateMachineName(stage, 'roll-brokers');
  const machine = await sfn.findStateMachine(region, machineName);
  if (!machine) {
    io.stderr(
      `${name} = ${value} (version ${version}). No state machine ${machineName} in ${region} to roll the brokers: ` +
        'deploy the stack (its EventBridge rule starts the roll), or run "kafka-plc roll".\n',
    );
    io.stdout(`${JSON.stringify({ parameter: name, value, version })}\n`);
    if (values.wait === true) throw new CommandFailedError('--wait: no roll to wait for');
    return;
  }
  // The roll the EventBridge rule starts for this write has a known name (the version and the write's time).
  const written = await ssm.getParameter(region, name);
  const executionArn = sfn.executionArnOf(
    machine,
    rollExecutionName(cluster, written?.version ?? version, written?.lastModified),
  );
  io.stderr(`${name} = ${value} (version ${version}); waiting for the roll the EventBridge rule starts…\n`);
  const status = await rollStarted(region, executionArn);
  if (status === 'NOT_FOUND')
    throw new CommandFailedError(
      `no roll ${executionArn} ${ROLL_START_WAIT_SECONDS} s after the write: is the stack's unique-name rule enabled ` +
        `(EventBridge, Parameter Store events)? "kafka-plc roll --spec <file>" starts one directly`,
    );
  io.stderr(`roll started (${status}): ${executionConsoleUrl(executionArn)}\n`);
  if (values.wait !== true) {
    io.stderr('follow it with --wait, in the console, or with kafka-plc status.\n');
    io.stdout(`${JSON.stringify({ parameter: name, value, version, executionArn })}\n`);
    return;
  }
  const report = progress(io.stderr, Date.now, progressContext(readDefinition('roll-brokers')));
  const { output } = await followExecution('roll-brokers', region, executionArn, { report, started });
  io.stdout(`${JSON.stringify({ parameter: name, value, version, executionArn, roll: output }, null, 2)}\n`);
};

const ROLL_START_WAIT_SECONDS = 60;

/** The execution's status once it exists; NOT_FOUND when EventBridge has not started it within a minute. */
async function rollStarted(region: string, executionArn: string): Promise<string> {
  const deadline = Date.now() + ROLL_START_WAIT_SECONDS * 1000;
  for (;;) {
    const status = await sfn.executionStatus(region, executionArn);
    if (status !== 'NOT_FOUND' || Date.now() >= deadline) return status;
    await new Promise((r) => setTimeout(r, 3000));
  }
}

/**
 * kafka-plc rotate-credentials --spec FILE [--local] [--kafka-bootstrap HOST:PORT | --assume-healthy]
 * A new consumer password in Secrets Manager, then the roll that brings it to every broker (the broker
 * scripts are rendered for the secret's current version), to the unique name the brokers should advertise
 * (the parameter's, else the spec's). The old password is refused once the roll has run. A spec without
 * consumer authentication exits 2 before any AWS call.
 */
export const rotateCredentials: Command = async (args, io) => {
  const values = parse(args, {
    spec: { type: 'string' },
    local: { type: 'boolean', default: false },
    'kafka-bootstrap': { type: 'string' },
    'assume-healthy': { type: 'boolean', default: false },
    'state-machine-arn': { type: 'string' },
    'state-machine-name': { type: 'string' },
    ...STAGE_OPTION,
  });
  requireEmulatorForLocal(values.local);
  const flag = stageFlag(values.stage);
  const file = await loadSpecFile(required(values.spec, '--spec'));
  if (primaryConsumer(file).authentication === 'none')
    throw new SpecValidationError([
      {
        path: 'consumer.authentication',
        value: 'none',
        message: 'has no credential to rotate (set sasl-scram-sha-512, sasl-scram-sha-256 or sasl-plain)',
      },
    ]);
  const { stage } = await announce(
    io,
    file.region,
    `new consumer password for cluster ${file.clusterName}, then a roll`,
    () =>
      resolveStage({ region: file.region, cluster: file.clusterName, flag, local: values.local === true }),
  );
  if (!specAwaitsUniqueName(file)) {
    const rotated = await rotateConsumerPassword(file);
    io.stderr(
      `${rotated.secretName}: new password (version ${rotated.version}); rolling it to every broker\n`,
    );
    await rollBrokers(args, io, { stage });
    return;
  }
  const parameter = await ssm.getParameter(file.region, uniqueNameParameter(file.clusterName));
  const uniqueName = parameter && !uniqueNameProblem(parameter.value) ? parameter.value : file.uniqueName;
  // Checked before the secret changes: a rotation whose roll cannot run would leave brokers on the old one.
  const problem = uniqueNameProblem(uniqueName);
  if (problem)
    throw new ResourceConflictError(
      `the roll that brings the new password to the brokers needs TiDB Cloud's unique name (${uniqueNameParameter(file.clusterName)}: ${problem}); set it first (kafka-plc set-unique-name), then rotate`,
    );
  const rotated = await rotateConsumerPassword(file);
  io.stderr(
    `${rotated.secretName}: new password (version ${rotated.version}); rolling it to every broker (unique name ${uniqueName})\n`,
  );
  await rollBrokers([...args, '--unique-name', uniqueName], io, { stage });
};
