/**
 * IAM enforced in emulator runs: every call a Lambda handler makes is judged, before it reaches moto, by a
 * real policy evaluator (@cloud-copilot/iam-simulate, on AWS's published action, resource-type and
 * condition-key tables) against that function's role *from the packaged template*, with every resource the
 * action authorizes (./authorization.ts). A denial fails the call as AWS does (UnauthorizedOperation,
 * AccessDenied…). Calls outside a handler (the test's own setup and read-back, the CLI's prerequisites) are
 * the operator's and are not judged. AGPL tooling: a devDependency, never in a Lambda bundle.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  DescribeImagesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeTagsCommand as DescribeElbTagsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { TaskFunction } from '../../functions/lib/handler';
import { onEveryCall } from '../helpers/middleware';
import {
  ACCOUNT,
  type AuthRequest,
  authorizationRequests,
  awsElbArn,
  type Lookup,
  type Tags,
} from './authorization';
import { type AwsCall, awsError } from './rules';

type Json = unknown;
export type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** The function whose handler is running (set around each handler by `asFunction`). */
const current = new AsyncLocalStorage<string>();

/** The function whose handler is running now, if any. */
export const currentFunction = (): string | undefined => current.getStore();

/** Runs `work` as function `key`: its AWS calls are judged against that function's role. */
export function asFunction<T>(key: string, work: () => T): T {
  return current.run(key, work);
}

/** For runLocal's `wrapHandler`: each Task's handler runs as its function. */
export const judgedHandler =
  (key: string, handler: TaskFunction): TaskFunction =>
  (event, context) =>
    asFunction(key, () => handler(event, context));

/** `${AWS::Region}`-style references and role ARNs of the template, as the emulated account has them. */
function resolve(value: Json, region: string, roleArns: Map<string, string>): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, region, roleArns));
  if (value && typeof value === 'object') {
    const o = value as Record<string, Json>;
    if ('Fn::Sub' in o) {
      const text = Array.isArray(o['Fn::Sub']) ? String(o['Fn::Sub'][0]) : String(o['Fn::Sub']);
      return text
        .replaceAll('${AWS::Partition}', 'aws')
        .replaceAll('${AWS::Region}', region)
        .replaceAll('${AWS::AccountId}', ACCOUNT)
        .replaceAll('${AWS::URLSuffix}', 'amazonaws.com');
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      if (attr === 'Arn' && roleArns.has(id)) return roleArns.get(id);
      // An unresolved resource would be judged against a string no request names: fail, do not guess.
      throw new Error(`iam model: cannot resolve Fn::GetAtt ${id}.${attr} in a policy (templateArns)`);
    }
    if ('Ref' in o) {
      if (o.Ref === 'AWS::AccountId') return ACCOUNT;
      if (o.Ref === 'AWS::Region') return region;
      if (o.Ref === 'AWS::Partition') return 'aws';
      const ref = roleArns.get(`Ref:${String(o.Ref)}`);
      if (ref) return ref;
      throw new Error(`iam model: cannot resolve Ref ${String(o.Ref)} in a policy (templateArns)`);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v, region, roleArns)]));
  }
  return value;
}

/**
 * The ARNs CloudFormation gives the template's named resources, as a policy refers to them: a state
 * machine's Ref ("Ref: the ARN", AWS::StepFunctions::StateMachine return values) and a table's GetAtt Arn
 * (AWS::DynamoDB::Table return values). Keys: `Ref:<id>` and `<id>` (GetAtt Arn).
 */
function templateArns(template: Template, region: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::StepFunctions::StateMachine' && typeof props.StateMachineName === 'string')
      out.set(`Ref:${id}`, `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${props.StateMachineName}`);
    if (resource.Type === 'AWS::DynamoDB::Table' && typeof props.TableName === 'string')
      out.set(id, `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${props.TableName}`);
  }
  return out;
}

export interface RolePolicies {
  roleId: string;
  policies: { name: string; policy: Json }[];
}

/**
 * Function key → its role's policies (inline and attached managed), resolved for `region`.
 * `roleArns` maps role logical IDs to the ARNs they have in the emulated account (the brokers' role).
 */
export function functionPolicies(
  template: Template,
  region: string,
  roleArns: Map<string, string>,
): Map<string, RolePolicies> {
  const out = new Map<string, RolePolicies>();
  const arns = new Map([...roleArns, ...templateArns(template, region)]);
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = String(resource.Properties?.FunctionName ?? '').replace(/^kafka-plc-[^-]+-/, '');
    const roleId =
      (resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0] ?? '';
    const role = template.Resources[roleId];
    const props = role?.Properties ?? {};
    const inline = ((props.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[]).map((p) => ({
      name: p.PolicyName,
      policy: resolve(p.PolicyDocument, region, arns),
    }));
    const managed = ((props.ManagedPolicyArns ?? []) as { Ref?: string }[]).flatMap((ref) => {
      const policy = ref.Ref ? template.Resources[ref.Ref] : undefined;
      return policy?.Type === 'AWS::IAM::ManagedPolicy'
        ? [{ name: ref.Ref ?? '', policy: resolve(policy.Properties?.PolicyDocument, region, arns) }]
        : [];
    });
    out.set(key, { roleId, policies: [...inline, ...managed] });
  }
  return out;
}

/** One role's inline policies from the template (e.g. BrokerInstanceRole, which no Lambda carries). */
export function rolePolicies(template: Template, region: string, roleId: string): RolePolicies {
  const arns = templateArns(template, region);
  const props = template.Resources[roleId]?.Properties ?? {};
  const policies = ((props.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[]).map((p) => ({
    name: p.PolicyName,
    policy: resolve(p.PolicyDocument, region, arns),
  }));
  return { roleId, policies };
}

/** A request judged against a role and the resource's own policy (a secret's resource policy). */
export async function judgeWithResourcePolicy(
  role: RolePolicies,
  request: AuthRequest,
  resourcePolicy: Json,
): Promise<string> {
  const result = (await runSimulation(
    {
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      request: {
        action: request.action,
        principal: `arn:aws:iam::${ACCOUNT}:role/${role.roleId}`,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context,
      },
    } as never,
    {},
  )) as { resultType: string; overallResult?: string; errors?: unknown };
  if (result.resultType === 'error')
    throw new Error(`iam model: cannot judge ${request.action}: ${JSON.stringify(result.errors)}`);
  return result.overallResult ?? 'ImplicitlyDenied';
}

export interface Judgement {
  functionKey: string;
  call: string;
  request: AuthRequest;
  result: string;
}

const UNVALIDATED = new Set(['elasticloadbalancing:AddTags']);

const verdicts = new Map<string, string>();

/** Decides one request against a role: Allowed, ImplicitlyDenied, ExplicitlyDenied (same request, same answer). */
export async function judge(role: RolePolicies, request: AuthRequest): Promise<string> {
  const key = JSON.stringify([role.roleId, role.policies, request]);
  const known = verdicts.get(key);
  if (known) return known;
  const verdict = await evaluate(role, request);
  verdicts.set(key, verdict);
  return verdict;
}

async function evaluate(role: RolePolicies, request: AuthRequest): Promise<string> {
  const simulation = {
    identityPolicies: role.policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: request.action,
      principal: `arn:aws:iam::${ACCOUNT}:role/${role.roleId}`,
      resource: { resource: request.resource, accountId: ACCOUNT },
      contextVariables: request.context,
    },
  };
  // AWS-owned resources (an empty account in the ARN: public AMIs and parameters, AWS-RunShellScript) are
  // outside the evaluator's ARN validation, and so is AddTags on ELBv2 resources (its tables hold the
  // Classic Load Balancer's AddTags, on `loadbalancer/<name>` only): its unvalidated evaluation judges them,
  // with the same statement, resource and condition matching.
  if (/^arn:aws:[a-z0-9-]+:[a-z0-9-]*::/.test(request.resource) || UNVALIDATED.has(request.action)) {
    return String(runUnsafeSimulation(simulation as never, {}));
  }
  const result = (await runSimulation(simulation as never, {})) as {
    resultType: string;
    overallResult?: string;
    errors?: unknown;
  };
  if (result.resultType === 'error') {
    throw new Error(
      `iam model: cannot judge ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult ?? 'ImplicitlyDenied';
}

/** The error AWS answers a denied call with, per service. */
function denial(call: AwsCall, request: AuthRequest, roleId: string): Error {
  const message = `User: arn:aws:sts::${ACCOUNT}:assumed-role/${roleId}/kafka-plc is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  const code =
    call.service === 'ec2'
      ? 'UnauthorizedOperation'
      : call.service === 'sns'
        ? 'AuthorizationError'
        : call.service === 'ssm' || call.service === 'sfn'
          ? 'AccessDeniedException'
          : 'AccessDenied';
  return awsError(code, message, 403);
}

/** Tags read from moto, per resource; forgotten when a call changes them (and with a fresh account). */
const tagCache = new Map<string, Tags>();

function forgetTagsOf(call: AwsCall): void {
  if (/^(CreateTags|DeleteTags)$/.test(call.operation))
    for (const id of (call.input.Resources ?? []) as string[]) tagCache.delete(id);
  if (/^(AddTags|RemoveTags)$/.test(call.operation))
    for (const arn of (call.input.ResourceArns ?? []) as string[]) tagCache.delete(awsElbArn(arn));
}

async function cachedTags(key: string, read: () => Promise<Tags>): Promise<Tags> {
  const known = tagCache.get(key);
  if (known) return known;
  const tags = await read();
  tagCache.set(key, tags);
  return tags;
}

function lookups(region: string): Lookup {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const ec2 = new EC2Client({ region, endpoint });
  const elb = new ElasticLoadBalancingV2Client({ region, endpoint });
  const iam = new IAMClient({ region, endpoint });
  const secrets = new SecretsManagerClient({ region, endpoint });
  const motoElbArn = (arn: string) =>
    arn.replace(':loadbalancer/net/', ':loadbalancer/app/').replace(':listener/net/', ':listener/app/');
  return {
    async ec2Tags(id) {
      const out = await ec2.send(
        new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }),
      );
      return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) as Tags;
    },
    async networkInterface(id) {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [id] }));
      const eni = out.NetworkInterfaces?.[0];
      return { instanceId: eni?.Attachment?.InstanceId, subnetId: eni?.SubnetId };
    },
    async association(id) {
      const out = await ec2.send(
        new DescribeRouteTablesCommand({
          Filters: [{ Name: 'association.route-table-association-id', Values: [id] }],
        }),
      );
      const table = out.RouteTables?.[0];
      const association = table?.Associations?.find((a) => a.RouteTableAssociationId === id);
      return { routeTableId: table?.RouteTableId, subnetId: association?.SubnetId };
    },
    elbTags: (arn) =>
      cachedTags(arn, async () => {
        const out = await elb.send(new DescribeElbTagsCommand({ ResourceArns: [motoElbArn(arn)] }));
        return Object.fromEntries(
          (out.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']),
        ) as Tags;
      }),
    async imageOwner(imageId) {
      const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
      const image = out.Images?.[0];
      return image?.ImageOwnerAlias ?? image?.OwnerId ?? '';
    },
    async secretTags(id) {
      const out = await secrets
        .send(new DescribeSecretCommand({ SecretId: id }))
        .catch(() => ({ Tags: [] as { Key?: string; Value?: string }[] }));
      return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])) as Tags;
    },
    async profileRole(name) {
      const out = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
      return out.InstanceProfile?.Roles?.[0]?.RoleName;
    },
  };
}

export interface IamEnforcement {
  /** Every request judged, in order (tests read denials and coverage from it). */
  judged: Judgement[];
  enabled: boolean;
  denied(): Judgement[];
  clear(): void;
}

let installed: IamEnforcement | undefined;

/**
 * Installs enforcement on our shared clients, once per process. `policies` is asked at each call (for the
 * client's region), so a test may swap the template (a negative case).
 */
export function installIamEnforcement(
  policies: (region: string) => Map<string, RolePolicies>,
): IamEnforcement {
  if (installed) return installed;
  const enforcement: IamEnforcement = {
    judged: [],
    enabled: true,
    denied: () => enforcement.judged.filter((j) => j.result !== 'Allowed'),
    clear() {
      enforcement.judged.length = 0;
      tagCache.clear();
    },
  };
  const lookupByRegion = new Map<string, Lookup>();
  onEveryCall('kafkaPlcIam', async (sdk, next) => {
    const call: AwsCall = { service: sdk.service, operation: sdk.operation, input: sdk.input };
    forgetTagsOf(call);
    const functionKey = current.getStore();
    if (enforcement.enabled && functionKey) {
      const region = await sdk.region();
      const lookup = lookupByRegion.get(region) ?? lookups(region);
      lookupByRegion.set(region, lookup);
      const role = policies(region).get(functionKey);
      if (!role) throw new Error(`iam model: function ${functionKey} has no role in the packaged template`);
      for (const request of await authorizationRequests(call, region, lookup)) {
        const result = await judge(role, request);
        enforcement.judged.push({ functionKey, call: `${call.service}:${call.operation}`, request, result });
        if (result !== 'Allowed') throw denial(call, request, role.roleId);
      }
    }
    return next().finally(() => forgetTagsOf(call));
  });
  installed = enforcement;
  return enforcement;
}
