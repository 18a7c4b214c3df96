/**
 * What AWS authorizes for one API call: every (action, resource ARN, context) the call is judged on, as the
 * Service Authorization Reference lists them ("Actions, resources, and condition keys for Amazon EC2",
 * …Elastic Load Balancing V2, …Systems Manager, …Step Functions, …IAM, …SNS):
 *  - each resource the call names or creates, with its tags (aws:ResourceTag/…, and ssm:resourceTag/… for
 *    Run Command) or, for a resource being created, the tags of the request (aws:RequestTag/…, aws:TagKeys);
 *  - tag-on-create: ec2:CreateTags (ec2:CreateAction) / elasticloadbalancing:AddTags
 *    (elasticloadbalancing:CreateAction) for each resource the request tags;
 *  - calls AWS makes with the caller's credentials: iam:PassRole for an instance profile's role; the EC2
 *    reads and iam:CreateServiceLinkedRole of "Elastic Load Balancing API permissions".
 * Tags and relations (an interface's instance and subnet) are read from moto through `Lookup`.
 */
import type { AwsCall } from './rules';

export const ACCOUNT = '123456789012';

export interface AuthRequest {
  action: string;
  /** An ARN, or "*" for actions without resource-level permissions. */
  resource: string;
  context: Record<string, string | string[]>;
}

export type Tags = Record<string, string>;

export interface Lookup {
  /** Tags of an EC2 resource by ID (vpc-…, subnet-…, sg-…, i-…, eni-…, rtb-…, igw-…, eipalloc-…, nat-…, vpce-svc-…). */
  ec2Tags(id: string): Promise<Tags>;
  /** An interface's instance (if attached) and subnet. */
  networkInterface(id: string): Promise<{ instanceId?: string; subnetId?: string }>;
  /** A route table association's table and subnet. */
  association(id: string): Promise<{ routeTableId?: string; subnetId?: string }>;
  /** Tags of ELB resources by ARN (AWS's form). */
  elbTags(arn: string): Promise<Tags>;
  /** Owner alias or account of an image ("amazon" for Amazon's public AMIs). */
  imageOwner(imageId: string): Promise<string>;
  /** The role an instance profile carries. */
  profileRole(profileName: string): Promise<string | undefined>;
  /** Tags of a Secrets Manager secret by name or ARN. */
  secretTags(id: string): Promise<Tags>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const strs = (v: unknown) => (Array.isArray(v) ? v.map(str).filter(Boolean) : v ? [str(v)] : []);

/** moto's ELB ARNs say `app` for network load balancers; AWS's say `net` (docs/emulators.md). */
export const awsElbArn = (arn: string) =>
  arn.replace(':loadbalancer/app/', ':loadbalancer/net/').replace(':listener/app/', ':listener/net/');

function ec2Arn(region: string, type: string, id: string, account = ACCOUNT): string {
  return `arn:aws:ec2:${region}:${account}:${type}/${id}`;
}

const resourceTagContext = (tags: Tags, prefix = 'aws:ResourceTag') =>
  Object.fromEntries(Object.entries(tags).map(([k, v]) => [`${prefix}/${k}`, v]));

function requestTagContext(tags: Tags): Record<string, string | string[]> {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  return {
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    'aws:TagKeys': keys,
  };
}

/** EC2 TagSpecifications → resource type → tags. */
function tagSpecs(input: Record<string, unknown>): Map<string, Tags> {
  const out = new Map<string, Tags>();
  for (const spec of (input.TagSpecifications ?? []) as {
    ResourceType?: string;
    Tags?: { Key?: string; Value?: string }[];
  }[]) {
    const tags: Tags = {};
    for (const t of spec.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
    out.set(spec.ResourceType ?? '', { ...(out.get(spec.ResourceType ?? '') ?? {}), ...tags });
  }
  return out;
}

function elbRequestTags(input: Record<string, unknown>): Tags {
  const tags: Tags = {};
  for (const t of (input.Tags ?? []) as { Key?: string; Value?: string }[])
    if (t.Key) tags[t.Key] = t.Value ?? '';
  return tags;
}

const EC2_TYPE_BY_PREFIX: [string, string][] = [
  ['vpc-', 'vpc'],
  ['subnet-', 'subnet'],
  ['sg-', 'security-group'],
  ['i-', 'instance'],
  ['eni-', 'network-interface'],
  ['rtb-', 'route-table'],
  ['igw-', 'internet-gateway'],
  ['eipalloc-', 'elastic-ip'],
  ['nat-', 'natgateway'],
  ['vpce-svc-', 'vpc-endpoint-service'],
];
const ec2TypeOf = (id: string) => EC2_TYPE_BY_PREFIX.find(([p]) => id.startsWith(p))?.[1] ?? 'unknown';

export async function authorizationRequests(
  call: AwsCall,
  region: string,
  lookup: Lookup,
): Promise<AuthRequest[]> {
  const builder = BUILDERS[call.service]?.[call.operation];
  if (builder) return builder(call.input, region, lookup);
  const prefix = IAM_PREFIX[call.service] ?? call.service;
  if (/^(Describe|List)/.test(call.operation) || WILDCARD_ONLY.has(`${prefix}:${call.operation}`)) {
    return [{ action: `${prefix}:${call.operation}`, resource: '*', context: {} }];
  }
  throw new Error(
    `iam model: no authorization table entry for ${prefix}:${call.operation}; add one (Service Authorization Reference)`,
  );
}

export const IAM_PREFIX: Record<string, string> = {
  ec2: 'ec2',
  elbv2: 'elasticloadbalancing',
  ssm: 'ssm',
  iam: 'iam',
  sns: 'sns',
  sfn: 'states',
  dynamodb: 'dynamodb',
  secretsmanager: 'secretsmanager',
  cloudwatch: 'cloudwatch',
};

/** Actions that support no resource-level permissions (Resource "*" only), besides the Describe and List calls. */
const WILDCARD_ONLY = new Set(['ssm:GetCommandInvocation']);

type Builder = (input: Record<string, unknown>, region: string, lookup: Lookup) => Promise<AuthRequest[]>;

/** One existing EC2 resource by ID, with its tags. */
async function ec2Existing(action: string, region: string, id: string, lookup: Lookup): Promise<AuthRequest> {
  return {
    action,
    resource: ec2Arn(region, ec2TypeOf(id), id),
    context: resourceTagContext(await lookup.ec2Tags(id)),
  };
}

/** A resource the call creates (placeholder ID), with the request's tags for it, and its tag-on-create. */
function ec2Created(action: string, region: string, type: string, tags: Tags): AuthRequest[] {
  const operation = action.split(':')[1] ?? '';
  const resource = ec2Arn(region, type, `${type}-new`);
  const created: AuthRequest = { action, resource, context: requestTagContext(tags) };
  if (Object.keys(tags).length === 0) return [created];
  return [
    created,
    {
      action: 'ec2:CreateTags',
      resource,
      context: { ...requestTagContext(tags), 'ec2:CreateAction': operation },
    },
  ];
}

/** An EC2 operation on the resources named by the given input fields (each ID judged with its tags). */
function ec2On(operation: string, ...fields: string[]): Builder {
  return async (input, region, lookup) => {
    const ids = fields.flatMap((f) => strs(input[f]));
    return Promise.all(ids.map((id) => ec2Existing(`ec2:${operation}`, region, id, lookup)));
  };
}

const ec2 = (operation: string) => `ec2:${operation}`;

const EC2_BUILDERS: Record<string, Builder> = {
  CreateVpc: async (input, region) =>
    ec2Created(ec2('CreateVpc'), region, 'vpc', tagSpecs(input).get('vpc') ?? {}),
  CreateSubnet: async (input, region, lookup) => [
    ...ec2Created(ec2('CreateSubnet'), region, 'subnet', tagSpecs(input).get('subnet') ?? {}),
    await ec2Existing(ec2('CreateSubnet'), region, str(input.VpcId), lookup),
  ],
  CreateSecurityGroup: async (input, region, lookup) => [
    ...ec2Created(
      ec2('CreateSecurityGroup'),
      region,
      'security-group',
      tagSpecs(input).get('security-group') ?? {},
    ),
    await ec2Existing(ec2('CreateSecurityGroup'), region, str(input.VpcId), lookup),
  ],
  CreateRouteTable: async (input, region, lookup) => [
    ...ec2Created(ec2('CreateRouteTable'), region, 'route-table', tagSpecs(input).get('route-table') ?? {}),
    await ec2Existing(ec2('CreateRouteTable'), region, str(input.VpcId), lookup),
  ],
  CreateInternetGateway: async (input, region) =>
    ec2Created(
      ec2('CreateInternetGateway'),
      region,
      'internet-gateway',
      tagSpecs(input).get('internet-gateway') ?? {},
    ),
  AllocateAddress: async (input, region) =>
    ec2Created(ec2('AllocateAddress'), region, 'elastic-ip', tagSpecs(input).get('elastic-ip') ?? {}),
  CreateNatGateway: async (input, region, lookup) => [
    ...ec2Created(ec2('CreateNatGateway'), region, 'natgateway', tagSpecs(input).get('natgateway') ?? {}),
    await ec2Existing(ec2('CreateNatGateway'), region, str(input.SubnetId), lookup),
    ...(input.AllocationId
      ? [await ec2Existing(ec2('CreateNatGateway'), region, str(input.AllocationId), lookup)]
      : []),
  ],
  AuthorizeSecurityGroupIngress: async (input, region, lookup) => [
    await ec2Existing(ec2('AuthorizeSecurityGroupIngress'), region, str(input.GroupId), lookup),
    // the rule the call creates (untagged)
    {
      action: ec2('AuthorizeSecurityGroupIngress'),
      resource: ec2Arn(region, 'security-group-rule', 'sgr-new'),
      context: {},
    },
  ],
  RevokeSecurityGroupIngress: ec2On('RevokeSecurityGroupIngress', 'GroupId'),
  CreateRoute: ec2On('CreateRoute', 'RouteTableId'),
  AssociateRouteTable: ec2On('AssociateRouteTable', 'RouteTableId', 'SubnetId', 'GatewayId'),
  DisassociateRouteTable: async (input, region, lookup) => {
    const { routeTableId, subnetId } = await lookup.association(str(input.AssociationId));
    const ids = [routeTableId, subnetId].filter((x): x is string => Boolean(x));
    return Promise.all(ids.map((id) => ec2Existing(ec2('DisassociateRouteTable'), region, id, lookup)));
  },
  AttachInternetGateway: ec2On('AttachInternetGateway', 'InternetGatewayId', 'VpcId'),
  DetachInternetGateway: ec2On('DetachInternetGateway', 'InternetGatewayId', 'VpcId'),
  ModifyVpcAttribute: ec2On('ModifyVpcAttribute', 'VpcId'),
  DescribeVpcAttribute: ec2On('DescribeVpcAttribute', 'VpcId'),
  DeleteVpc: ec2On('DeleteVpc', 'VpcId'),
  DeleteSubnet: ec2On('DeleteSubnet', 'SubnetId'),
  DeleteSecurityGroup: ec2On('DeleteSecurityGroup', 'GroupId'),
  DeleteRouteTable: ec2On('DeleteRouteTable', 'RouteTableId'),
  DeleteInternetGateway: ec2On('DeleteInternetGateway', 'InternetGatewayId'),
  ReleaseAddress: ec2On('ReleaseAddress', 'AllocationId'),
  DeleteNatGateway: ec2On('DeleteNatGateway', 'NatGatewayId'),
  StartInstances: ec2On('StartInstances', 'InstanceIds'),
  TerminateInstances: ec2On('TerminateInstances', 'InstanceIds'),
  CreateTags: async (input, region, lookup) => {
    const tags = Object.fromEntries(
      ((input.Tags ?? []) as { Key?: string; Value?: string }[]).map((t) => [t.Key ?? '', t.Value ?? '']),
    );
    return Promise.all(
      strs(input.Resources).map(async (id) => {
        const judged = await ec2Existing(ec2('CreateTags'), region, id, lookup);
        return { ...judged, context: { ...judged.context, ...requestTagContext(tags) } };
      }),
    );
  },
  DeleteTags: async (input, region, lookup) => {
    const keys = ((input.Tags ?? []) as { Key?: string }[]).map((t) => t.Key ?? '');
    return Promise.all(
      strs(input.Resources).map(async (id) => {
        const judged = await ec2Existing(ec2('DeleteTags'), region, id, lookup);
        return { ...judged, context: { ...judged.context, 'aws:TagKeys': keys } };
      }),
    );
  },
  ModifyNetworkInterfaceAttribute: async (input, region, lookup) => {
    // the interface, its instance and subnet, and every group of the new set
    const eni = str(input.NetworkInterfaceId);
    const { instanceId, subnetId } = await lookup.networkInterface(eni);
    const ids = [eni, instanceId, subnetId, ...strs(input.Groups)].filter((x): x is string => Boolean(x));
    return Promise.all(
      ids.map((id) => ec2Existing(ec2('ModifyNetworkInterfaceAttribute'), region, id, lookup)),
    );
  },
  RunInstances: async (input, region, lookup) => {
    const action = ec2('RunInstances');
    const specs = tagSpecs(input);
    const nic = ((input.NetworkInterfaces ?? []) as Record<string, unknown>[])[0] ?? {};
    const groups = [...strs(nic.Groups), ...strs(input.SecurityGroupIds)];
    const subnet = str(nic.SubnetId) || str(input.SubnetId);
    const image = str(input.ImageId);
    const requests: AuthRequest[] = [
      ...ec2Created(action, region, 'instance', specs.get('instance') ?? {}),
      ...ec2Created(action, region, 'volume', specs.get('volume') ?? {}),
      ...ec2Created(action, region, 'network-interface', specs.get('network-interface') ?? {}),
      {
        action,
        resource: `arn:aws:ec2:${region}::image/${image}`,
        context: { 'ec2:Owner': await lookup.imageOwner(image) },
      },
      ...(await Promise.all([subnet, ...groups].map((id) => ec2Existing(action, region, id, lookup)))),
    ];
    const profile = input.IamInstanceProfile as { Name?: string; Arn?: string } | undefined;
    const profileName = profile?.Name ?? profile?.Arn?.split('/').pop();
    const role = profileName ? await lookup.profileRole(profileName) : undefined;
    if (role) {
      requests.push({
        action: 'iam:PassRole',
        resource: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      });
    }
    return requests;
  },
  CreateVpcEndpointServiceConfiguration: async (input, region) =>
    ec2Created(
      ec2('CreateVpcEndpointServiceConfiguration'),
      region,
      'vpc-endpoint-service',
      tagSpecs(input).get('vpc-endpoint-service') ?? {},
    ),
  ModifyVpcEndpointServiceConfiguration: ec2On('ModifyVpcEndpointServiceConfiguration', 'ServiceId'),
  ModifyVpcEndpointServicePermissions: ec2On('ModifyVpcEndpointServicePermissions', 'ServiceId'),
  DescribeVpcEndpointServicePermissions: ec2On('DescribeVpcEndpointServicePermissions', 'ServiceId'),
  AcceptVpcEndpointConnections: ec2On('AcceptVpcEndpointConnections', 'ServiceId'),
  RejectVpcEndpointConnections: ec2On('RejectVpcEndpointConnections', 'ServiceId'),
  DeleteVpcEndpointServiceConfigurations: ec2On('DeleteVpcEndpointServiceConfigurations', 'ServiceIds'),
  CreateVpcEndpointConnectionNotification: ec2On('CreateVpcEndpointConnectionNotification', 'ServiceId'),
  DeleteVpcEndpointConnectionNotifications: async () => [
    { action: ec2('DeleteVpcEndpointConnectionNotifications'), resource: '*', context: {} },
  ],
};

const elb = (operation: string) => `elasticloadbalancing:${operation}`;

/** "Elastic Load Balancing API permissions": what ELB calls with the caller's credentials. */
function elbOnBehalf(actions: string[]): AuthRequest[] {
  return actions.map((action) => ({ action, resource: '*', context: {} }));
}

async function elbExisting(action: string, arn: string, lookup: Lookup): Promise<AuthRequest> {
  const aws = awsElbArn(arn);
  return { action, resource: aws, context: resourceTagContext(await lookup.elbTags(aws)) };
}

function elbCreated(action: string, resource: string, tags: Tags): AuthRequest[] {
  const operation = action.split(':')[1] ?? '';
  const created: AuthRequest = { action, resource, context: requestTagContext(tags) };
  if (Object.keys(tags).length === 0) return [created];
  return [
    created,
    {
      action: elb('AddTags'),
      resource,
      context: { ...requestTagContext(tags), 'elasticloadbalancing:CreateAction': operation },
    },
  ];
}

const ELB_BUILDERS: Record<string, Builder> = {
  CreateLoadBalancer: async (input, region) => [
    ...elbCreated(
      elb('CreateLoadBalancer'),
      `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/net/${str(input.Name)}/0123456789abcdef`,
      elbRequestTags(input),
    ),
    ...elbOnBehalf([
      'ec2:DescribeAccountAttributes',
      'ec2:DescribeAddresses',
      'ec2:DescribeInternetGateways',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
    ]),
    {
      action: 'iam:CreateServiceLinkedRole',
      resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
      context: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' },
    },
  ],
  CreateTargetGroup: async (input, region) => [
    ...elbCreated(
      elb('CreateTargetGroup'),
      `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:targetgroup/${str(input.Name)}/0123456789abcdef`,
      elbRequestTags(input),
    ),
    ...elbOnBehalf(['ec2:DescribeInternetGateways', 'ec2:DescribeVpcs']),
  ],
  CreateListener: async (input, region, lookup) => {
    const lb = awsElbArn(str(input.LoadBalancerArn));
    const [, , , , , rest = ''] = lb.split(':');
    const listener = `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:${rest.replace('loadbalancer/', 'listener/')}/0123456789abcdef`;
    return [
      await elbExisting(elb('CreateListener'), lb, lookup),
      ...elbCreated(elb('CreateListener'), listener, elbRequestTags(input)).slice(1),
    ];
  },
  ModifyListener: async (input, _region, lookup) => [
    await elbExisting(elb('ModifyListener'), str(input.ListenerArn), lookup),
  ],
  ModifyListenerAttributes: async (input, _region, lookup) => [
    await elbExisting(elb('ModifyListenerAttributes'), str(input.ListenerArn), lookup),
  ],
  ModifyLoadBalancerAttributes: async (input, _region, lookup) => [
    await elbExisting(elb('ModifyLoadBalancerAttributes'), str(input.LoadBalancerArn), lookup),
  ],
  RegisterTargets: async (input, _region, lookup) => [
    await elbExisting(elb('RegisterTargets'), str(input.TargetGroupArn), lookup),
    ...elbOnBehalf([
      'ec2:DescribeInstances',
      'ec2:DescribeInternetGateways',
      'ec2:DescribeSubnets',
      'ec2:DescribeVpcs',
    ]),
  ],
  DeleteLoadBalancer: async (input, _region, lookup) => [
    await elbExisting(elb('DeleteLoadBalancer'), str(input.LoadBalancerArn), lookup),
  ],
  // DeleteListener: the listener (listener/net*), with its tags (Service Authorization Reference, ELB).
  DeleteListener: async (input, _region, lookup) => [
    await elbExisting(elb('DeleteListener'), str(input.ListenerArn), lookup),
  ],
  DeleteTargetGroup: async (input, _region, lookup) => [
    await elbExisting(elb('DeleteTargetGroup'), str(input.TargetGroupArn), lookup),
  ],
  AddTags: async (input, _region, lookup) =>
    Promise.all(
      strs(input.ResourceArns).map(async (arn) => {
        const judged = await elbExisting(elb('AddTags'), arn, lookup);
        return { ...judged, context: { ...judged.context, ...requestTagContext(elbRequestTags(input)) } };
      }),
    ),
};

const ssmParameter = (region: string, name: string) => {
  const account = name.startsWith('/aws/service/') ? '' : ACCOUNT;
  return `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
};

const SSM_BUILDERS: Record<string, Builder> = {
  GetParameter: async (input, region) => [
    { action: 'ssm:GetParameter', resource: ssmParameter(region, str(input.Name)), context: {} },
  ],
  // A parameter created with Tags needs ssm:AddTagsToResource as well (AWS::SSM::Parameter, CloudFormation
  // User Guide: "To create an SSM parameter, you must have the IAM permissions ssm:PutParameter and
  // ssm:AddTagsToResource"; an AccessDenied on AddTagsToResource is what a role without it meets).
  PutParameter: async (input, region) => [
    { action: 'ssm:PutParameter', resource: ssmParameter(region, str(input.Name)), context: {} },
    ...(Array.isArray(input.Tags) && input.Tags.length > 0
      ? [{ action: 'ssm:AddTagsToResource', resource: ssmParameter(region, str(input.Name)), context: {} }]
      : []),
  ],
  DeleteParameters: async (input, region) =>
    strs(input.Names).map((name) => ({
      action: 'ssm:DeleteParameters',
      resource: ssmParameter(region, name),
      context: {},
    })),
  GetParametersByPath: async (input, region) => [
    { action: 'ssm:GetParametersByPath', resource: ssmParameter(region, str(input.Path)), context: {} },
  ],
  SendCommand: async (input, region, lookup) => [
    {
      action: 'ssm:SendCommand',
      resource: `arn:aws:ssm:${region}::document/${str(input.DocumentName)}`,
      context: {},
    },
    ...(await Promise.all(
      strs(input.InstanceIds).map(async (id) => {
        const tags = await lookup.ec2Tags(id);
        return {
          action: 'ssm:SendCommand',
          resource: ec2Arn(region, 'instance', id),
          context: { ...resourceTagContext(tags), ...resourceTagContext(tags, 'ssm:resourceTag') },
        };
      }),
    )),
  ],
};

const SFN_BUILDERS: Record<string, Builder> = {
  StartExecution: async (input) => [
    { action: 'states:StartExecution', resource: str(input.stateMachineArn), context: {} },
  ],
  ListExecutions: async (input) => [
    { action: 'states:ListExecutions', resource: str(input.stateMachineArn), context: {} },
  ],
  DescribeExecution: async (input) => [
    { action: 'states:DescribeExecution', resource: str(input.executionArn), context: {} },
  ],
};

const dynamodbTable = (region: string, name: string) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${name}`;
const onTable =
  (operation: string): Builder =>
  async (input, region) => [
    { action: `dynamodb:${operation}`, resource: dynamodbTable(region, str(input.TableName)), context: {} },
  ];
/**
 * TransactWriteItems has no IAM action of its own: each item is judged as its underlying operation
 * (Put → PutItem, Update → UpdateItem, Delete → DeleteItem, ConditionCheck → ConditionCheckItem) on its
 * table ("Using IAM with DynamoDB transactions", Amazon DynamoDB Developer Guide).
 */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};
const transactWrite: Builder = async (input, region) =>
  ((input.TransactItems as Record<string, { TableName?: unknown }>[] | undefined) ?? []).flatMap((item) =>
    Object.entries(item).map(([kind, body]) => {
      const action = TRANSACT_ACTIONS[kind];
      if (!action) throw new Error(`iam model: unknown TransactWriteItems action ${kind}`);
      return {
        action: `dynamodb:${action}`,
        resource: dynamodbTable(region, str(body.TableName)),
        context: {},
      };
    }),
  );

const DYNAMODB_BUILDERS: Record<string, Builder> = {
  GetItem: onTable('GetItem'),
  PutItem: onTable('PutItem'),
  DeleteItem: onTable('DeleteItem'),
  UpdateItem: onTable('UpdateItem'),
  Query: onTable('Query'),
  TransactWriteItems: transactWrite,
};

/**
 * Secrets Manager ("Actions, resources, and condition keys for AWS Secrets Manager"): a secret's ARN is
 * `secret:<name>-<6 random characters>`, so a name stands for `<name>-??????`. CreateSecret with Tags also
 * needs secretsmanager:TagResource ("CreateSecret", AWS Secrets Manager API Reference).
 */
const secretArn = (region: string, id: string) =>
  id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${id}-AbCdEf`;
const tagsOf = (input: Record<string, unknown>): Tags =>
  Object.fromEntries(
    ((input.Tags ?? []) as { Key?: string; Value?: string }[]).map((t) => [t.Key ?? '', t.Value ?? '']),
  );
const onSecret =
  (operation: string): Builder =>
  async (input, region, lookup) => [
    {
      action: `secretsmanager:${operation}`,
      resource: secretArn(region, str(input.SecretId)),
      context: resourceTagContext(await lookup.secretTags(str(input.SecretId))),
    },
  ];
/** A create that names its resource and may tag it: with Tags, `<service>:TagResource` is judged too. */
function createWithTags(action: string, resource: string, input: Record<string, unknown>): AuthRequest[] {
  const tags = tagsOf(input);
  const context = requestTagContext(tags);
  const service = action.split(':')[0] ?? '';
  return [
    { action, resource, context },
    ...(Object.keys(tags).length > 0 ? [{ action: `${service}:TagResource`, resource, context }] : []),
  ];
}
const SECRETS_BUILDERS: Record<string, Builder> = {
  CreateSecret: async (input, region) =>
    createWithTags('secretsmanager:CreateSecret', secretArn(region, str(input.Name)), input),
  DescribeSecret: onSecret('DescribeSecret'),
  GetResourcePolicy: onSecret('GetResourcePolicy'),
  PutResourcePolicy: onSecret('PutResourcePolicy'),
  DeleteSecret: onSecret('DeleteSecret'),
  GetSecretValue: onSecret('GetSecretValue'),
};

/**
 * CloudWatch ("Actions, resources, and condition keys for Amazon CloudWatch"): alarms are
 * `arn:…:cloudwatch:<region>:<account>:alarm:<name>` and dashboards `arn:…:cloudwatch::<account>:dashboard/<name>`
 * (no region). DescribeAlarms is judged on the alarms it names, or on the name prefix it filters by; PutMetricAlarm
 * with Tags also needs cloudwatch:TagResource ("PutMetricAlarm", Amazon CloudWatch API Reference); PutMetricData
 * names no resource (Resource "*") and carries cloudwatch:namespace.
 */
const alarmArn = (region: string, name: string) => `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`;
const dashboardArn = (name: string) => `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${name}`;
const CLOUDWATCH_BUILDERS: Record<string, Builder> = {
  DescribeAlarms: async (input, region) => {
    const names = strs(input.AlarmNames);
    const resources = names.length > 0 ? names : [`${str(input.AlarmNamePrefix)}*`];
    return resources.map((name) => ({
      action: 'cloudwatch:DescribeAlarms',
      resource: alarmArn(region, name),
      context: {},
    }));
  },
  PutMetricAlarm: async (input, region) =>
    createWithTags('cloudwatch:PutMetricAlarm', alarmArn(region, str(input.AlarmName)), input),
  DeleteAlarms: async (input, region) =>
    strs(input.AlarmNames).map((name) => ({
      action: 'cloudwatch:DeleteAlarms',
      resource: alarmArn(region, name),
      context: {},
    })),
  GetDashboard: async (input) => [
    { action: 'cloudwatch:GetDashboard', resource: dashboardArn(str(input.DashboardName)), context: {} },
  ],
  PutDashboard: async (input) => [
    { action: 'cloudwatch:PutDashboard', resource: dashboardArn(str(input.DashboardName)), context: {} },
  ],
  DeleteDashboards: async (input) =>
    strs(input.DashboardNames).map((name) => ({
      action: 'cloudwatch:DeleteDashboards',
      resource: dashboardArn(name),
      context: {},
    })),
  PutMetricData: async (input) => [
    {
      action: 'cloudwatch:PutMetricData',
      resource: '*',
      context: { 'cloudwatch:namespace': str(input.Namespace) },
    },
  ],
};

const BUILDERS: Record<string, Record<string, Builder>> = {
  cloudwatch: CLOUDWATCH_BUILDERS,
  secretsmanager: SECRETS_BUILDERS,
  ec2: EC2_BUILDERS,
  elbv2: ELB_BUILDERS,
  ssm: SSM_BUILDERS,
  sfn: SFN_BUILDERS,
  dynamodb: DYNAMODB_BUILDERS,
};
