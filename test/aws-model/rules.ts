/**
 * AWS behaviours moto lacks, one rule each, every rule naming the AWS documentation page it follows. The
 * model (./model.ts) applies them to the calls our shared SDK clients make in emulator runs: a rule may
 * answer in moto's place (an AWS error, or the answer AWS would give) before the call reaches moto, and may
 * note or change moto's answer after it. Rules keep their state in `ModelState`, one per emulated account.
 */

export interface AwsCall {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  /** The Lambda function making the call (test/aws-model/iam.ts asFunction), if any. */
  byFunction?: string;
}

export type Output = Record<string, unknown>;

export interface Doc {
  title: string;
  url: string;
}

/** What a rule does before moto: fail the call as AWS would, or answer it as AWS would. */
export type Verdict = { error: Error } | { output: Output } | undefined;

export interface ModelState {
  /** New resource ID → how many more calls naming it are answered NotFound. */
  invisible: Map<string, number>;
  /** RunInstances ClientToken → the request it came with and AWS's answer then. */
  clientTokens: Map<string, { request: string; output: Output }>;
  /** State machine ARN → execution name → the input it started with. */
  executions: Map<string, Map<string, string>>;
  /** Instance profile name → RunInstances calls that still fail with it. */
  unpropagatedProfiles: Map<string, number>;
}

export function newState(): ModelState {
  return {
    invisible: new Map(),
    clientTokens: new Map(),
    executions: new Map(),
    unpropagatedProfiles: new Map(),
  };
}

export interface Rule {
  id: string;
  doc: Doc;
  /** What it does, in one sentence (README and the closing note list it). */
  summary: string;
  before?(call: AwsCall, state: ModelState, peers: Peers): Verdict | Promise<Verdict>;
  after?(call: AwsCall, output: Output, state: ModelState): void;
  /**
   * A key when the call must not overlap another call with the same key at moto (the model runs them one
   * after the other); undefined for calls that may.
   */
  isolate?(call: AwsCall): string | undefined;
}

/** Reads the model makes of moto itself (never through our clients, so never recorded or judged). */
export interface Peers {
  executionStatus(executionArn: string): Promise<string | undefined>;
  addressInUse(subnetId: string, ip: string): Promise<boolean>;
  listenerCount(loadBalancerArn: string): Promise<number>;
}

/** An error shaped as the SDK raises AWS's (name and Code = AWS's code, a 400 client fault). */
export function awsError(code: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name: code,
    Code: code,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** Every string in a request except those under Filters (a filter names no resource AWS must find). */
function namedIds(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) namedIds(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Filters' || key === 'Filter' || key === 'TagSpecifications') continue;
      namedIds(v, out);
    }
  }
  return out;
}

const NOT_FOUND_BY_PREFIX: [string, string][] = [
  ['vpc-', 'InvalidVpcID.NotFound'],
  ['subnet-', 'InvalidSubnetID.NotFound'],
  ['sg-', 'InvalidGroup.NotFound'],
  ['i-', 'InvalidInstanceID.NotFound'],
  ['rtb-', 'InvalidRouteTableID.NotFound'],
  ['eipalloc-', 'InvalidAllocationID.NotFound'],
];

/** The IDs a create returned (where our adapters read them). */
function createdIds(operation: string, output: Output): string[] {
  const get = (key: string, id: string) => str((output[key] as Output | undefined)?.[id]);
  switch (operation) {
    case 'CreateVpc':
      return [get('Vpc', 'VpcId')];
    case 'CreateSubnet':
      return [get('Subnet', 'SubnetId')];
    case 'CreateSecurityGroup':
      return [str(output.GroupId)];
    case 'CreateRouteTable':
      return [get('RouteTable', 'RouteTableId')];
    case 'AllocateAddress':
      return [str(output.AllocationId)];
    case 'RunInstances':
      return ((output.Instances ?? []) as Output[]).map((i) => str(i.InstanceId));
    default:
      return [];
  }
}

const EC2_CONSISTENCY: Doc = {
  title: 'Eventual consistency in the Amazon EC2 API',
  url: 'https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html',
};

/**
 * Right after a create, the next call that names the new resource answers that it does not exist. The page
 * names InvalidInstanceID.NotFound and InvalidGroup.NotFound; "Error codes for the Amazon EC2 API" asks to
 * allow for eventual consistency with every ID-based call, so VPCs, subnets, route tables and Elastic IPs are
 * treated alike.
 */
export const eventualConsistency: Rule = {
  id: 'ec2-eventual-consistency',
  doc: EC2_CONSISTENCY,
  summary:
    'the first EC2 call naming a resource just created (VPC, subnet, group, route table, EIP, instance) answers Invalid…ID.NotFound',
  before(call, state) {
    // any EC2 call naming the resource, reads by ID included, that kafka-plc's code makes (a test's own
    // set-up of a user's VPC and instances is not under test)
    if (call.service !== 'ec2' || !call.byFunction) return undefined;
    for (const id of namedIds(call.input)) {
      const left = state.invisible.get(id);
      if (!left) continue;
      state.invisible.set(id, left - 1);
      const code = NOT_FOUND_BY_PREFIX.find(([prefix]) => id.startsWith(prefix))?.[1] ?? 'InvalidID.NotFound';
      return { error: awsError(code, `The ID '${id}' does not exist (eventual consistency, model)`) };
    }
    return undefined;
  },
  after(call, output, state) {
    if (call.service !== 'ec2') return;
    for (const id of createdIds(call.operation, output)) if (id) state.invisible.set(id, 1);
  },
};

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

/**
 * A ClientToken is bound to its request and its instance: the same token with the same request returns the
 * first answer (the same instance, even once it is terminated), with another request it fails. Tokens are
 * at most 64 ASCII characters.
 */
export const clientTokens: Rule = {
  id: 'ec2-client-token',
  doc: {
    title: 'Ensuring idempotency in Amazon EC2 API requests',
    url: 'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html',
  },
  summary:
    'RunInstances with a known ClientToken returns the first answer (same request) or IdempotentParameterMismatch (another one); tokens ≤ 64 ASCII characters',
  before(call, state) {
    if (call.operation !== 'RunInstances') return undefined;
    const token = str(call.input.ClientToken);
    if (!token) return undefined;
    if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) {
      return { error: awsError('InvalidParameterValue', `ClientToken ${token} exceeds 64 ASCII characters`) };
    }
    const known = state.clientTokens.get(token);
    if (!known) return undefined;
    const { ClientToken: _token, ...request } = call.input;
    if (known.request !== canonical(request)) {
      return {
        error: awsError(
          'IdempotentParameterMismatch',
          `Client token ${token} was used before with other parameters`,
        ),
      };
    }
    return { output: known.output };
  },
  after(call, output, state) {
    if (call.operation !== 'RunInstances') return;
    const token = str(call.input.ClientToken);
    const { ClientToken: _token, ...request } = call.input;
    if (token && !state.clientTokens.has(token))
      state.clientTokens.set(token, { request: canonical(request), output });
  },
};

const FORBIDDEN_IN_NAMES = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u;
/** 1..80 characters, none of the forbidden punctuation, whitespace or control characters (C0, DEL, C1). */
const validExecutionName = (name: string) =>
  name.length >= 1 &&
  name.length <= 80 &&
  !FORBIDDEN_IN_NAMES.test(name) &&
  [...name].every((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code > 0x1f && (code < 0x7f || code > 0x9f);
  });

/**
 * Execution names are unique per state machine for 90 days: the same name with the same input while that
 * execution runs returns it; once it is closed, or with another input, ExecutionAlreadyExists. Names are
 * 1..80 characters without whitespace, brackets, wildcards or the listed punctuation ("Step Functions
 * service quotas").
 */
export const executionNames: Rule = {
  id: 'sfn-execution-names',
  doc: {
    title: 'StartExecution (AWS Step Functions API Reference)',
    url: 'https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html',
  },
  summary:
    'StartExecution with a name used in the last 90 days answers ExecutionAlreadyExists unless that execution runs with the same input; names ≤ 80 allowed characters',
  async before(call, state, peers) {
    if (call.service !== 'sfn' || call.operation !== 'StartExecution') return undefined;
    const name = str(call.input.name);
    if (!name) return undefined;
    if (!validExecutionName(name)) {
      return { error: awsError('InvalidName', `Invalid Name: '${name}'`) };
    }
    const machine = str(call.input.stateMachineArn);
    const input = str(call.input.input) || '{}';
    const previous = state.executions.get(machine)?.get(name);
    if (previous === undefined) return undefined;
    const arn = `${machine.replace(':stateMachine:', ':execution:')}:${name}`;
    const running = (await peers.executionStatus(arn)) === 'RUNNING';
    if (running && previous === input) return undefined;
    return { error: awsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`) };
  },
  after(call, _output, state) {
    if (call.service !== 'sfn' || call.operation !== 'StartExecution') return;
    const machine = str(call.input.stateMachineArn);
    const names = state.executions.get(machine) ?? new Map<string, string>();
    if (!names.has(str(call.input.name))) names.set(str(call.input.name), str(call.input.input) || '{}');
    state.executions.set(machine, names);
  },
};

/**
 * A new instance profile is not usable at once: "After you create an IAM role, it may take several seconds
 * for the permissions to propagate. If your first attempt to launch an instance with a role fails, wait a few
 * seconds before trying again." EC2 then answers InvalidParameterValue (Invalid IAM Instance Profile name).
 */
export const instanceProfilePropagation: Rule = {
  id: 'iam-instance-profile-propagation',
  doc: {
    title: 'IAM roles for Amazon EC2 (launch an instance with an IAM role)',
    url: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html',
  },
  summary:
    'the first two RunInstances with an instance profile created in this account answer InvalidParameterValue (Invalid IAM Instance Profile name)',
  before(call, state) {
    if (call.operation !== 'RunInstances') return undefined;
    const profile = call.input.IamInstanceProfile as { Name?: string; Arn?: string } | undefined;
    const name = profile?.Name ?? profile?.Arn?.split('/').pop();
    const left = name ? state.unpropagatedProfiles.get(name) : undefined;
    if (!name || !left) return undefined;
    state.unpropagatedProfiles.set(name, left - 1);
    return {
      error: awsError(
        'InvalidParameterValue',
        `Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
      ),
    };
  },
  after(call, _output, state) {
    if (call.service === 'iam' && call.operation === 'AddRoleToInstanceProfile')
      state.unpropagatedProfiles.set(str(call.input.InstanceProfileName), 2);
  },
};

/** Parameter values: 4 KB in the standard tier, 8 KB in the advanced (and Intelligent-Tiering up to it). */
export const parameterSizes: Rule = {
  id: 'ssm-parameter-size',
  doc: {
    title: 'Managing parameter tiers (AWS Systems Manager)',
    url: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
  },
  summary:
    'PutParameter over 4,096 characters in the standard tier (8,192 advanced or Intelligent-Tiering) answers ValidationException',
  before(call) {
    if (call.service !== 'ssm' || call.operation !== 'PutParameter') return undefined;
    const length = str(call.input.Value).length;
    const tier = str(call.input.Tier) || 'Standard';
    const limit = tier === 'Standard' ? 4096 : 8192;
    if (length <= limit) return undefined;
    return {
      error: awsError(
        'ValidationException',
        tier === 'Standard'
          ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.'
          : `Advanced tier parameters support a maximum parameter value of 8192 characters (got ${length}).`,
      ),
    };
  },
};

export const SSM_STDOUT_LIMIT = 24_000;
export const SSM_STDERR_LIMIT = 8_000;

/** GetCommandInvocation returns the first 24,000 characters of stdout and 8,000 of stderr. */
export const commandOutputCaps: Rule = {
  id: 'ssm-output-caps',
  doc: {
    title: 'GetCommandInvocation (AWS Systems Manager API Reference)',
    url: 'https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetCommandInvocation.html',
  },
  summary: 'GetCommandInvocation returns at most 24,000 characters of stdout and 8,000 of stderr',
  after(call, output) {
    if (call.service !== 'ssm' || call.operation !== 'GetCommandInvocation') return;
    output.StandardOutputContent = str(output.StandardOutputContent).slice(0, SSM_STDOUT_LIMIT);
    output.StandardErrorContent = str(output.StandardErrorContent).slice(0, SSM_STDERR_LIMIT);
  },
};

/** ELB names: ≤ 32 alphanumerics or hyphens, no hyphen first or last; a load balancer's not "internal-…". */
export function elbNameProblem(name: string, kind: 'load balancer' | 'target group'): string | undefined {
  if (name.length < 1 || name.length > 32) return `${kind} name ${name} is not 1..32 characters`;
  if (!/^[A-Za-z0-9-]+$/.test(name)) return `${kind} name ${name} has characters other than A-Z, a-z, 0-9, -`;
  if (name.startsWith('-') || name.endsWith('-')) return `${kind} name ${name} begins or ends with a hyphen`;
  if (kind === 'load balancer' && name.startsWith('internal-'))
    return `load balancer name ${name} begins with "internal-"`;
  return undefined;
}

export const elbNames: Rule = {
  id: 'elb-names',
  doc: {
    title: 'CreateLoadBalancer / CreateTargetGroup (Elastic Load Balancing API Reference)',
    url: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html',
  },
  summary:
    'CreateLoadBalancer and CreateTargetGroup names must be 1..32 of [A-Za-z0-9-], no hyphen first or last, a load balancer not "internal-…" (ValidationError)',
  before(call) {
    if (call.service !== 'elbv2') return undefined;
    const kind =
      call.operation === 'CreateLoadBalancer'
        ? 'load balancer'
        : call.operation === 'CreateTargetGroup'
          ? 'target group'
          : undefined;
    const problem = kind && elbNameProblem(str(call.input.Name), kind);
    return problem ? { error: awsError('ValidationError', problem) } : undefined;
  },
};

/** "Listeners per Network Load Balancer: 50, not adjustable" (Quotas for your Network Load Balancers). */
export const NLB_LISTENER_QUOTA = 50;

/**
 * CreateListener on a load balancer that already has 50 listeners fails with TooManyListeners ("You've
 * reached the limit on the number of listeners per load balancer", CreateListener errors); moto creates it.
 */
export const nlbListenerQuota: Rule = {
  id: 'nlb-listener-quota',
  doc: {
    title: 'Quotas for your Network Load Balancers (Listeners per Network Load Balancer: 50, not adjustable)',
    url: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html',
  },
  summary: `CreateListener on a Network Load Balancer that has ${NLB_LISTENER_QUOTA} listeners answers TooManyListeners`,
  async before(call, _state, peers) {
    if (call.service !== 'elbv2' || call.operation !== 'CreateListener') return undefined;
    const count = await peers.listenerCount(str(call.input.LoadBalancerArn));
    if (count < NLB_LISTENER_QUOTA) return undefined;
    return {
      error: awsError(
        'TooManyListeners',
        "You've reached the limit on the number of listeners per load balancer.",
      ),
    };
  },
  // Two CreateListener calls racing past the count at 49 would both pass: counted one at a time per load balancer.
  isolate: (call) =>
    call.service === 'elbv2' && call.operation === 'CreateListener'
      ? `listeners:${str(call.input.LoadBalancerArn)}`
      : undefined,
};

/**
 * RunInstances at a private address another interface holds fails with InvalidIPAddress.InUse (moto answers
 * a bare HTTP 500).
 */
export const addressInUse: Rule = {
  id: 'ec2-address-in-use',
  doc: {
    title: 'Error codes for the Amazon EC2 API (InvalidIPAddress.InUse)',
    url: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html',
  },
  summary:
    'RunInstances at a private IP another interface of the subnet holds answers InvalidIPAddress.InUse',
  async before(call, _state, peers) {
    if (call.operation !== 'RunInstances') return undefined;
    const nic = ((call.input.NetworkInterfaces ?? []) as Output[])[0];
    const ip = str(nic?.PrivateIpAddress);
    const subnet = str(nic?.SubnetId);
    if (!ip || !subnet || !(await peers.addressInUse(subnet, ip))) return undefined;
    return { error: awsError('InvalidIPAddress.InUse', `Address ${ip} is in use.`) };
  },
};

/**
 * CloudWatch's request limits moto does not check: DeleteAlarms names at most 100 alarms, PutMetricData carries
 * at most 1,000 metrics, an alarm name is 1–255 characters and a dashboard name at most 255 of A–Z, a–z, 0–9,
 * "-" and "_" (Amazon CloudWatch API Reference: DeleteAlarms, PutMetricData, PutMetricAlarm, PutDashboard).
 */
export const cloudwatchLimits: Rule = {
  id: 'cloudwatch-request-limits',
  doc: {
    title: 'Amazon CloudWatch API Reference: DeleteAlarms, PutMetricData, PutMetricAlarm, PutDashboard',
    url: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html',
  },
  summary:
    'CloudWatch refuses DeleteAlarms of more than 100 names, PutMetricData of more than 1,000 metrics, alarm names over 255 characters and dashboard names outside [A-Za-z0-9_-]{1,255}',
  before(call) {
    if (call.service !== 'cloudwatch') return undefined;
    const refuse = (message: string) => ({ error: awsError('ValidationError', message) });
    const names = (call.input.AlarmNames ?? []) as unknown[];
    if (call.operation === 'DeleteAlarms' && names.length > 100)
      return refuse(`1 validation error detected: AlarmNames has ${names.length} members, at most 100`);
    const data = (call.input.MetricData ?? []) as unknown[];
    if (call.operation === 'PutMetricData' && data.length > 1000)
      return refuse(`1 validation error detected: MetricData has ${data.length} members, at most 1000`);
    const alarm = str(call.input.AlarmName);
    if (call.operation === 'PutMetricAlarm' && (alarm.length < 1 || alarm.length > 255))
      return refuse(`1 validation error detected: AlarmName must be 1 to 255 characters (${alarm.length})`);
    const dashboard = str(call.input.DashboardName);
    if (call.operation === 'PutDashboard' && !/^[A-Za-z0-9_-]{1,255}$/.test(dashboard))
      return refuse(`The value for field DashboardName contains invalid characters: ${dashboard}`);
    return undefined;
  },
};

/** Every rule, in the order they apply. */
/**
 * DynamoDB runs each request on a table in isolation: "transactional operations provide serializable
 * isolation" between TransactWriteItems and PutItem/UpdateItem/DeleteItem, and a transaction cancelled by
 * a condition changes nothing, nobody else's write included. moto's server answers requests on threads,
 * and a TransactWriteItems that fails restores a deep copy of every table taken when it began — undoing a
 * write another thread committed meanwhile (seen here: a claim of the SNS path vanished when the sweep's
 * claim was cancelled). Requests on one table reach moto one at a time; our read-then-write interleavings
 * stay as concurrent as on AWS.
 */
export const dynamodbIsolation: Rule = {
  id: 'dynamodb-request-isolation',
  doc: {
    title: 'Amazon DynamoDB Transactions: How it works (Isolation levels for DynamoDB transactions)',
    url: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html',
  },
  summary:
    "one DynamoDB request at a time per table at moto (AWS isolates them; moto's failed transaction restores every table, undoing concurrent writes)",
  isolate(call) {
    if (call.service !== 'dynamodb') return undefined;
    const items = (call.input.TransactItems ?? []) as Record<string, { TableName?: unknown }>[];
    const tables = items.flatMap((item) => Object.values(item).map((body) => str(body.TableName)));
    // Every table of the account: a failed transaction restores them all at moto.
    return tables.length > 0 || str(call.input.TableName) ? 'dynamodb' : undefined;
  },
};

export const RULES: Rule[] = [
  dynamodbIsolation,
  elbNames,
  nlbListenerQuota,
  parameterSizes,
  executionNames,
  clientTokens,
  instanceProfilePropagation,
  addressInUse,
  eventualConsistency,
  commandOutputCaps,
  cloudwatchLimits,
];
