/**
 * Unique name → roll. The Parameter Store Change event only says that /kafka-plc/<cluster>/unique-name
 * was created or updated (the value is not in it): read the value, validate it, compare it with what the
 * brokers advertise (the applied spec), and start the roll with an execution name derived from the
 * parameter's version and write time (rollExecutionName), so a duplicated event cannot start two rolls and a
 * re-created cluster's first name is not mistaken for an old one.
 */
import * as sfn from '../aws/sfn';
import * as ssm from '../aws/ssm';
import { rollExecutionName, uniqueNameParameter } from '../domain/names';
import { logger } from '../logger';
import { isDnsLabel, UNIQUE_NAME_PLACEHOLDER } from '../spec';
import { readAppliedSpec } from './cluster-record';

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
): Promise<UniqueNameOutcome> {
  const cluster = PARAMETER.exec(event.name)?.[1];
  if (!cluster) return { started: false, reason: `${event.name} is not a kafka-plc unique-name parameter` };
  if (event.operation !== 'Create' && event.operation !== 'Update') {
    return { started: false, cluster, reason: `operation ${event.operation} does not start a roll` };
  }
  const parameter = await ssm.getParameter(region, uniqueNameParameter(cluster));
  if (!parameter) return { started: false, cluster, reason: `${event.name} no longer exists` };
  const problem = uniqueNameProblem(parameter.value);
  if (problem) {
    logger.error('invalid unique name: no roll', {
      cluster,
      parameter: event.name,
      version: parameter.version,
      problem,
    });
    return { started: false, cluster, reason: problem };
  }
  const applied = await readAppliedSpec(region, cluster);
  if (!applied)
    return { started: false, cluster, reason: `cluster ${cluster} has no applied spec: provision it first` };
  if (applied.uniqueName === parameter.value) {
    return { started: false, cluster, reason: `brokers already advertise "${parameter.value}"` };
  }
  // Two rolls at once could restart two brokers together: a new name waits until the running roll ends.
  const executionName = rollExecutionName(cluster, parameter.version, parameter.lastModified);
  const running = (await sfn.runningExecutions(region, rollStateMachineArn)).filter(
    (name) => name.startsWith(`${cluster}-`) && name !== executionName,
  );
  if (running.length > 0) {
    const reason =
      `a roll of ${cluster} is running (${running.join(', ')}): "${parameter.value}" was not started; ` +
      'write the parameter again (or run kafka-plc roll) when that roll has finished';
    logger.error('unique name not applied: a roll is running', {
      cluster,
      running,
      uniqueName: parameter.value,
    });
    return { started: false, cluster, reason };
  }
  const { executionArn, alreadyStarted } = await sfn.startExecution(region, {
    stateMachineArn: rollStateMachineArn,
    name: executionName,
    input: { spec: { ...applied, uniqueName: parameter.value }, previousUniqueName: applied.uniqueName },
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
