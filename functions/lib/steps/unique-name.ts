/**
 * Unique name → roll. The Parameter Store Change event only says that /kafka-plc/<cluster>/unique-name
 * was created or updated (the value is not in it): read the value, validate it, compare it with what the
 * brokers advertise (the applied spec), and start the roll with an execution name derived from the
 * parameter's version and write time (rollExecutionName), so a duplicated event — or the sweep after it —
 * cannot start two rolls and a re-created cluster's first name is not mistaken for an old one. One roll
 * per cluster at a time is the roll state machine's own lock (steps/roll-lock.ts), not a check here.
 */
import * as sfn from '../aws/sfn';
import * as ssm from '../aws/ssm';
import { rollExecutionName, uniqueNameParameter } from '../domain/names';
import { ownedHere } from '../domain/ownership';
import { logger } from '../logger';
import { isDnsLabel, specAwaitsUniqueName, UNIQUE_NAME_PLACEHOLDER } from '../spec';
import { readAppliedSpec } from './cluster-record';
import { clusterOwner, clusterParameters } from './ownership';

const PARAMETER = /^\/kafka-plc\/([a-z][a-z0-9-]{0,31})\/unique-name$/;

export type UniqueNameOutcome =
  | { started: true; executionArn: string; cluster: string; uniqueName: string; previousUniqueName: string }
  | { started: false; reason: string; cluster?: string };

export function uniqueNameProblem(value: string): string | undefined {
  if (value === UNIQUE_NAME_PLACEHOLDER)
    return `"${value}" is the placeholder, not a unique name from TiDB Cloud`;
  if (!isDnsLabel(value))
    return `"${value}" is not a DNS label (1..63 of a-z, 0-9 and -, not starting or ending with -)`;
  return undefined;
}

export async function onUniqueNameChange(
  region: string,
  event: { name: string; operation: string },
  rollStateMachineArn: string,
  stage: string,
): Promise<UniqueNameOutcome> {
  const cluster = PARAMETER.exec(event.name)?.[1];
  if (!cluster) return { started: false, reason: `${event.name} is not a kafka-plc unique-name parameter` };
  if (event.operation !== 'Create' && event.operation !== 'Update') {
    return { started: false, cluster, reason: `operation ${event.operation} does not start a roll` };
  }
  // Every stage's rule sees every cluster's write: only the owning stage rolls (its lock, its state machine).
  const owner = await clusterOwner(region, cluster);
  const decision = ownedHere(cluster, owner, stage);
  if (!decision.ok) {
    if (owner === undefined)
      logger.warn('unique name written for a cluster no stage owns: no roll', {
        cluster,
        reason: decision.reason,
      });
    return { started: false, cluster, reason: decision.reason };
  }
  return startRollFor(region, cluster, rollStateMachineArn);
}

/**
 * Starts the roll of `cluster` to its unique-name parameter's value, when that is valid and differs from
 * what the brokers advertise. The execution takes the cluster's roll lock itself (AcquireRollLock): a roll
 * already running makes it wait, not fail, and one started for an older write ends superseded.
 */
export async function startRollFor(
  region: string,
  cluster: string,
  rollStateMachineArn: string,
  source: 'event' | 'sweep' = 'event',
): Promise<UniqueNameOutcome> {
  const parameterName = uniqueNameParameter(cluster);
  const parameter = await ssm.getParameter(region, parameterName);
  if (!parameter) return { started: false, cluster, reason: `${parameterName} no longer exists` };
  const problem = uniqueNameProblem(parameter.value);
  if (problem) {
    // The write was reported (error) when its event came; the sweep finds the placeholder on every cluster
    // still waiting for TiDB Cloud, and an invalid value on every run: a warning, not an alarm each time.
    const log = source === 'sweep' ? logger.warn.bind(logger) : logger.error.bind(logger);
    if (source === 'event' || parameter.value !== UNIQUE_NAME_PLACEHOLDER)
      log('invalid unique name: no roll', {
        cluster,
        parameter: parameterName,
        version: parameter.version,
        problem,
      });
    return { started: false, cluster, reason: problem };
  }
  const applied = await readAppliedSpec(region, cluster);
  if (!applied)
    return { started: false, cluster, reason: `cluster ${cluster} has no applied spec: provision it first` };
  if (!specAwaitsUniqueName(applied))
    return {
      started: false,
      cluster,
      reason: `${cluster}'s advertised-listener patterns hold no unique_name placeholder: its brokers advertise complete names, and a unique name changes nothing`,
    };
  if (applied.uniqueName === parameter.value) {
    return { started: false, cluster, reason: `brokers already advertise "${parameter.value}"` };
  }
  const executionName = rollExecutionName(cluster, parameter.version, parameter.lastModified);
  // Started before for this write (a duplicate event, the sweep after the trigger)? Step Functions would
  // answer a same-name, same-input StartExecution of a running execution with success, not an error
  // (StartExecution, AWS Step Functions API Reference): look first, so the outcome says so.
  const existingArn = sfn.executionArnOf(rollStateMachineArn, executionName);
  const existing = await sfn.executionStatus(region, existingArn);
  if (existing !== 'NOT_FOUND') {
    const retry =
      existing === 'RUNNING' ? '' : existing === 'SUCCEEDED' ? '' : '; run "kafka-plc roll" to try again';
    return {
      started: false,
      cluster,
      reason: `a roll for version ${parameter.version} was already started: ${existingArn} (${existing})${retry}`,
    };
  }
  const { executionArn, alreadyStarted } = await sfn.startExecution(region, {
    stateMachineArn: rollStateMachineArn,
    name: executionName,
    input: {
      spec: { ...applied, uniqueName: parameter.value },
      previousUniqueName: applied.uniqueName,
      parameterVersion: parameter.version,
    },
  });
  if (alreadyStarted) {
    return {
      started: false,
      cluster,
      reason: `a roll for version ${parameter.version} already started: ${executionArn}`,
    };
  }
  logger.info('roll started', {
    cluster,
    executionArn,
    uniqueName: parameter.value,
    previous: applied.uniqueName,
  });
  return {
    started: true,
    executionArn,
    cluster,
    uniqueName: parameter.value,
    previousUniqueName: applied.uniqueName,
  };
}

/**
 * The scheduled safety net (Parameter Store → EventBridge delivery is best effort): every cluster whose
 * unique-name parameter differs from what its brokers advertise gets the roll its trigger would have
 * started — under the same execution name, so a write whose roll was started (running, waiting for the
 * lock, or ended) is not started again.
 */
export async function reconcileUniqueNames(
  region: string,
  rollStateMachineArn: string,
  stage: string,
): Promise<{ clusters: number; started: string[]; outcomes: UniqueNameOutcome[] }> {
  const { names, owners } = await clusterParameters(region);
  // Another stage's clusters are its sweep's; one no stage owns is reported on every run (warning), not rolled.
  const clusters = names.flatMap((name) => {
    const cluster = PARAMETER.exec(name)?.[1];
    if (!cluster) return [];
    const decision = ownedHere(cluster, owners.get(cluster), stage);
    if (!decision.ok && !owners.has(cluster))
      logger.warn('cluster no stage owns: not reconciled', { cluster, reason: decision.reason });
    return decision.ok ? [cluster] : [];
  });
  const outcomes: UniqueNameOutcome[] = [];
  for (const cluster of clusters)
    outcomes.push(await startRollFor(region, cluster, rollStateMachineArn, 'sweep'));
  const started = outcomes.flatMap((o) => (o.started ? [o.cluster] : []));
  logger.info('unique names reconciled', { clusters: clusters.length, started });
  return { clusters: clusters.length, started, outcomes };
}
