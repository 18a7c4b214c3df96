/**
 * Names of AWS resources derived from the cluster name. ELB names (load balancers, target groups) are
 * limited to 32 characters of [A-Za-z0-9-], not starting or ending with a hyphen; when a name would be
 * longer, the cluster part is shortened and a stable hash suffix keeps it unique.
 */
import { createHash } from 'node:crypto';

export const ELB_NAME_MAX = 32;

export function elbName(clusterName: string, suffix: string): string {
  const full = `${clusterName}-${suffix}`;
  if (full.length <= ELB_NAME_MAX) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  const room = ELB_NAME_MAX - suffix.length - hash.length - 2;
  const head = clusterName.slice(0, Math.max(room, 1)).replace(/-+$/, '');
  return `${head}-${hash}-${suffix}`;
}

/** The tag every resource of a cluster carries; lookups before creates use it. */
export const CLUSTER_TAG = 'kafka-plc:cluster';
/**
 * The tag kafka-plc adds to what it changes of a cluster it did not build (expose-existing): the user's
 * broker instances and their network interfaces. Its value is the cluster's name.
 */
export const EXPOSED_BY_TAG = 'kafka-plc:exposed-by';
/**
 * The tag on each broker instance naming the configuration it runs: the scriptHash of the last configure or
 * roll command that succeeded on it. Written after success; read when the command history (kept by SSM for
 * a limited time) no longer has that command.
 */
export const APPLIED_CONFIG_TAG = 'kafka-plc:applied-config';
/** The tag naming what a resource is within its cluster (e.g. broker-1, subnet-broker-usw2-az1). */
export const ROLE_TAG = 'kafka-plc:role';
/**
 * The stage a stack is deployed as (`osls deploy --stage`): every name the stack gives carries it, so two
 * stages coexist in one account and region. `dev` when none is given, as the framework does.
 */
export const DEFAULT_STAGE = 'dev';
/**
 * A stage name: letters, digits and hyphens, at most 28 characters. The longest names the stack derives from
 * it are the unique-name rule, kafka-plc-<stage>-onUniqueNameChange-rule-1 (EventBridge PutRule: Name at most
 * 64 characters), and the function kafka-plc-<stage>-teardownEndpointService (Lambda CreateFunction: "If you
 * specify only the function name, it is limited to 64 characters in length"); test/stack checks both.
 */
export const STAGE_MAX = 28;
export const STAGE_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,26}[A-Za-z0-9])?$/;

/** The stack's four workflows, by their state machine name's last part (serverless.yml). */
export type Workflow = 'provision' | 'roll-brokers' | 'expose-existing' | 'teardown';

/** A state machine's name in the stack of `stage` (serverless.yml, stepFunctions.stateMachines). */
export function stateMachineName(stage: string, workflow: Workflow): string {
  return `kafka-plc-${stage}-${workflow}`;
}

/** The stages whose stack is deployed, read from the state machine names of a region. */
export function deployedStages(stateMachineNames: readonly string[]): string[] {
  return stateMachineNames
    .flatMap((name) => /^kafka-plc-(.+)-provision$/.exec(name)?.[1] ?? [])
    .filter((stage) => STAGE_PATTERN.test(stage))
    .sort();
}

/**
 * The accept window table of `stage` (infra/accept-windows.yml): the CLI's accept-window, accept and
 * connections read and write it with the operator's credentials (ACCEPT_TABLE overrides).
 */
export function acceptTableName(stage: string): string {
  return `kafka-plc-${stage}-accept-windows`;
}

/** The roll lock table of `stage` (infra/roll-lock.yml). */
export function rollLockTableName(stage: string): string {
  return `kafka-plc-${stage}-roll-locks`;
}

/**
 * Written by the first provision or expose of a cluster: the stage whose stack owns it. Only that stage's
 * state machines change the cluster, and only its trigger, sweeps and probe act on it; the others leave it.
 */
export function ownerParameter(clusterName: string): string {
  return `/kafka-plc/${clusterName}/stage`;
}

/** Written by the user (or `kafka-plc set-unique-name`): the unique name TiDB Cloud returned. */
export function uniqueNameParameter(clusterName: string): string {
  return `/kafka-plc/${clusterName}/unique-name`;
}

/**
 * The roll's execution name for one write of the unique-name parameter. Step Functions keeps an execution
 * name taken for 90 days, closed or not (StartExecution: "Execution names must be unique within a state
 * machine for 90 days"; a closed one answers ExecutionAlreadyExists), and the parameter's version starts
 * again at 1 when the cluster is torn down and re-created: the write's time makes the name unique per write,
 * while a duplicated event of the same write still maps to the same name (and so to one execution).
 * At most 32 + 14 + 6 + 1 + 10 = 63 characters of [a-z0-9-] (the limit is 80).
 */
export function rollExecutionName(
  clusterName: string,
  version: number,
  lastModified: Date | undefined,
): string {
  const written = lastModified ? Math.floor(lastModified.getTime() / 1000) : 0;
  return `${clusterName}-unique-name-v${version}-${written}`;
}

/**
 * RunInstances' ClientToken for one broker in one provisioning attempt (one state machine execution): the
 * same within the attempt, so a retried task gets the instance its first call launched, and new for every
 * attempt, because EC2 binds a token to its instance for at least 24 hours after termination and answers
 * IdempotentParameterMismatch when a token comes back with other parameters ("Ensuring idempotency in
 * Amazon EC2 API requests"): a fixed token per cluster and broker fails after a teardown and re-provision,
 * and gets a terminated broker back while the old one is remembered. At most 64 ASCII characters.
 */
export function launchClientToken(clusterName: string, nodeId: number, attempt: string): string {
  const hash = createHash('sha256').update(`${clusterName}/${nodeId}/${attempt}`).digest('hex');
  return `kafka-plc-b${nodeId}-${hash}`.slice(0, 64);
}

/** Written by kafka-plc: the cluster spec as applied (its uniqueName is what the brokers advertise). */
export function specParameter(clusterName: string): string {
  return `/kafka-plc/${clusterName}/spec`;
}

/**
 * A KRaft cluster ID (a Kafka Uuid: 16 bytes, base64url without padding) derived from the cluster's
 * identity, so every broker of the cluster agrees on it without coordination and re-runs reuse it.
 */
export function kraftClusterId(clusterName: string, region: string): string {
  const bytes = createHash('sha256').update(`kafka-plc/${region}/${clusterName}`).digest().subarray(0, 16);
  return bytes.toString('base64url');
}

/**
 * The name in an ELBv2 ARN (…:loadbalancer/net/<name>/<id>, …:targetgroup/<name>/<id>); undefined for any other
 * string. Teardown's inventory lists resources by it; the progress lines name what a step created by it.
 */
export function elbv2NameOf(arn: string): string | undefined {
  return /^arn:[\w-]+:elasticloadbalancing:[^:]*:\d*:(?:loadbalancer\/net|targetgroup)\/([^/]+)\//.exec(
    arn,
  )?.[1];
}
