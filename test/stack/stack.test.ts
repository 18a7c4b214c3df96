/**
 * The deployable stack, packaged offline once for the whole file (`npm run package`): cfn-lint finds no
 * error, every IAM statement is least-privilege (no wildcards, "*" only where AWS offers no resource-level
 * permissions, mutating EC2/ELB actions scoped by tag except a listed few), functions and state machines
 * reference each other exactly, events and outputs are wired, and each bundle loads on Node 20 carrying
 * only the SDK clients its code imports.
 */

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { allStates, functionKeyOf } from '../../cli/local-sfn';
import {
  acceptTableName,
  rollLockTableName,
  STAGE_MAX,
  stateMachineName,
} from '../../functions/lib/domain/names';
import { ELECTION_BUDGET_MS, HEALTH_READ_BUDGET_MS } from '../../functions/lib/steps/health';
import { sdkClientsIn } from '../../scripts/bundle-clients';
import { ROOT } from '../helpers/tools';
import {
  type ActionFacts,
  allStatements,
  authorizationReference,
  functionRoles,
  type Located,
  list,
  resourceTypeOf,
  type Template,
} from './iam';
import { cfnLint, missingSources, type Packaged, packageStack, serverlessConfig } from './package';

const run = promisify(execFile);
const config = serverlessConfig();
const missing = missingSources();

/** Actions whose resource types do not cover our use of them, so Resource is "*", each with the reason. */
const UNSCOPED_USES: Record<string, string> = {
  'cloudwatch:PutMetricData':
    'its one resource type is a CloudWatch dataset; plain metric data names none (limited by cloudwatch:namespace)',
};

/** Mutating EC2/ELB grants allowed without a tag condition, each with the reason. */
const UNTAGGED_EXCEPTIONS: Record<string, string> = {
  'ec2:RunInstances network-interface':
    'the broker ENI is created by RunInstances without a tag; its subnet and security group are tag-scoped',
  'ec2:RunInstances image': 'public Amazon Linux AMIs cannot carry our tag; limited to ec2:Owner = amazon',
  'ec2:AuthorizeSecurityGroupIngress security-group-rule':
    'the rule is created by the call without a tag; the group it joins is tag-scoped',
  'ec2:CreateSecurityGroup vpc': "expose-existing: the user's VPC carries no cluster tag; the new group must",
  'ec2:ModifyNetworkInterfaceAttribute network-interface':
    "expose-existing: the user's broker interface carries no cluster tag; the group attached must",
  'ec2:ModifyNetworkInterfaceAttribute instance': 'expose-existing: as above, the instance of that interface',
  'ec2:ModifyNetworkInterfaceAttribute subnet': 'expose-existing: as above, the subnet of that interface',
  'ec2:ModifyNetworkInterfaceAttribute security-group':
    "teardown of an exposed cluster: the groups that stay on the user's interface are the user's (untagged)",
};
const TAG_CONDITION =
  /^(aws:RequestTag\/kafka-plc:cluster|aws:ResourceTag\/kafka-plc:cluster|ec2:CreateAction|elasticloadbalancing:CreateAction|ec2:Owner|aws:TagKeys)$/;
const isMutating = (action: string) => !/^[a-z0-9-]+:(Describe|Get|List)/.test(action);

function conditionKeys(located: Located): string[] {
  return Object.values(located.statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
}

/** Function keys named by a definition's Tasks (`Fn::GetAtt: [key, Arn]`). */
function taskFunctions(definitionFile: string): Set<string> {
  const definition = JSON.parse(readFileSync(`${ROOT}${definitionFile}`, 'utf8'));
  return new Set(allStates(definition).flatMap(([, state]) => functionKeyOf(state) ?? []));
}
/** The stage the template is packaged as (osls' default). */
const PACKAGED_STAGE = 'dev';
const machines = Object.entries(config.stepFunctions.stateMachines).map(([key, machine]) => ({
  key,
  name: machine.name.replace('${sls:stage}', PACKAGED_STAGE),
  file: /\$\{file\(([^)]+)\)\}/.exec(machine.definition)?.[1] ?? '',
}));

describe('stack sources', () => {
  it('every handler and state machine definition serverless.yml names exists', () => {
    expect(missing, `missing: ${missing.join(', ')}`).toEqual([]);
  });

  it('every function a state machine names is in serverless.yml, and every function is used', () => {
    // Prepare
    const referenced = new Set(machines.flatMap((m) => [...taskFunctions(m.file)]));
    const declared = Object.keys(config.functions);
    // Assess
    expect([...referenced].filter((key) => !declared.includes(key)).sort()).toEqual([]);
    const unused = declared.filter(
      (key) => !referenced.has(key) && !(config.functions[key]?.events ?? []).length,
    );
    expect(unused).toEqual([]);
    expect(machines.map((m) => m.name).sort()).toEqual(
      (['expose-existing', 'provision', 'roll-brokers', 'teardown'] as const).map((w) =>
        stateMachineName(PACKAGED_STAGE, w),
      ),
    );
  });

  it('gives the Lambdas that read the cluster health more time than a health read may take', () => {
    // Prepare: a poll that outlived its Lambda would end as a Lambda timeout, not as our retried error
    const readers = ['canRollNow', 'checkBrokerHealthy', 'verifyCluster', 'probeClusters'];
    // Assess
    for (const key of readers) {
      const timeout = Number(config.functions[key]?.timeout ?? 6);
      // CheckBrokerHealthy also waits for a batch's preferred-leader election after its read
      const election = key === 'checkBrokerHealthy' ? ELECTION_BUDGET_MS : 0;
      expect(timeout * 1000, key).toBeGreaterThanOrEqual(HEALTH_READ_BUDGET_MS + election + 30_000);
    }
  });

  it('deploys every definition in state-machine/', () => {
    const deployed = machines.map((m) => m.file);
    const definitions = readdirSync(`${ROOT}state-machine`)
      .filter((f) => f.endsWith('.asl.json'))
      .map((f) => `state-machine/${f}`);
    expect(definitions.filter((f) => !deployed.includes(f))).toEqual([]);
  });
});

describe.skipIf(missing.length > 0)('packaged stack', () => {
  let packaged: Packaged;
  let template: Template;
  let reference: (action: string) => ActionFacts | undefined;
  beforeAll(async () => {
    packaged = await packageStack();
    template = packaged.template;
    reference = await authorizationReference(`${ROOT}.venv`);
    console.log(
      `npm run package: ${packaged.seconds.toFixed(1)} s (0: the global setup's package was current)`,
    );
  }, 180_000);

  it('packages every function and state machine offline', () => {
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(
      Object.keys(config.functions).length,
    );
    expect(types.filter((t) => t === 'AWS::StepFunctions::StateMachine')).toHaveLength(machines.length);
    expect(template.Resources.IamRoleLambdaExecution, 'no shared Lambda role').toBeUndefined();
    for (const fn of Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x' });
    }
  });

  it('cfn-lint reports no error', async () => {
    const findings = await cfnLint();
    expect(findings.filter((f) => f.level === 'Error')).toEqual([]);
  });

  it('no statement allows "*" or a whole service', () => {
    const wide = allStatements(template).filter(
      (s) =>
        s.statement.Effect === 'Allow' &&
        list(s.statement.Action).some((a) => a === '*' || /^[^:]+:\*$/.test(a)),
    );
    expect(wide.map((s) => s.where)).toEqual([]);
    expect(allStatements(template).filter((s) => s.statement.NotAction)).toEqual([]);
  });

  it('grants on Resource "*" only actions that AWS cannot scope to a resource', () => {
    const problems = allStatements(template)
      .filter((s) => s.statement.Effect === 'Allow' && list(s.statement.Resource).includes('*'))
      .flatMap((s) =>
        list(s.statement.Action).flatMap((action) => {
          const facts = reference(action);
          if (!facts) return [`${s.where}: ${action} is not in the Service Authorization Reference`];
          if (UNSCOPED_USES[action]) return [];
          return facts.resourceTypes.length > 0 ? [`${s.where}: ${action} could be scoped`] : [];
        }),
      );
    expect(problems).toEqual([]);
  });

  it('scopes mutating EC2 and ELB actions by the cluster tag, except the listed cases', () => {
    const problems: string[] = [];
    for (const located of allStatements(template).filter((s) => s.statement.Effect === 'Allow')) {
      const tagged = conditionKeys(located).some((key) => TAG_CONDITION.test(key));
      for (const action of list(located.statement.Action).filter(
        (a) => /^(ec2|elasticloadbalancing):/.test(a) && isMutating(a),
      )) {
        for (const resource of list(located.statement.Resource)) {
          const type = resourceTypeOf(resource);
          if (resource === '*') problems.push(`${located.where}: ${action} on "*"`);
          else if (!tagged && !UNTAGGED_EXCEPTIONS[`${action} ${type}`])
            problems.push(`${located.where}: ${action} on ${type} without a tag condition`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives each function its own role, the one in infra/function-roles.yml, writing only its own logs', () => {
    // Prepare
    const source = parse(readFileSync(`${ROOT}infra/function-roles.yml`, 'utf8')) as Template;
    const roles = functionRoles(template);
    // Assess
    expect(new Set(roles.values()).size).toBe(roles.size);
    for (const [key, roleId] of roles) {
      expect(roleId, key).toBe(`${key[0]?.toUpperCase()}${key.slice(1)}Role`);
      const statements = JSON.stringify(template.Resources[roleId]?.Properties?.Policies);
      const expected = JSON.stringify(source.Resources[roleId]?.Properties?.Policies).replaceAll(
        '${sls:stage}',
        'dev',
      );
      expect(statements, `${roleId} as in infra/function-roles.yml`).toBe(expected);
      expect(statements).toContain(`log-group:/aws/lambda/kafka-plc-dev-${key}:*`);
    }
  });

  it('puts the permissionsBoundary stage parameter on every role the stack creates (none when empty)', () => {
    // Prepare
    const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role');
    // Assess: functions', the brokers' and the state machines' roles alike
    expect(roles.length).toBeGreaterThanOrEqual(Object.keys(config.functions).length + 1 + machines.length);
    for (const [id, role] of roles)
      expect(role.Properties?.PermissionsBoundary, id).toEqual({
        'Fn::If': ['PermissionsBoundaryGiven', { Ref: 'PermissionsBoundaryArn' }, { Ref: 'AWS::NoValue' }],
      });
    expect(template.Conditions?.PermissionsBoundaryGiven).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PermissionsBoundaryArn' }, ''] }],
    });
    expect(template.Parameters?.PermissionsBoundaryArn).toMatchObject({ Type: 'String', Default: '' });
  });

  it('gives every name the stage, and names stay within their limits at the longest stage', () => {
    // Prepare: each named resource, its name with the packaged stage replaced by the longest one allowed
    const LIMITS: Record<string, [string, number]> = {
      // Lambda CreateFunction: "If you specify only the function name, it is limited to 64 characters"
      'AWS::Lambda::Function': ['FunctionName', 64],
      // EventBridge PutRule: Name, 1 to 64 characters
      'AWS::Events::Rule': ['Name', 64],
      // Step Functions CreateStateMachine: name, 1 to 80 characters
      'AWS::StepFunctions::StateMachine': ['StateMachineName', 80],
      // DynamoDB CreateTable: TableName, 3 to 255 characters
      'AWS::DynamoDB::Table': ['TableName', 255],
    };
    const longest = 'x'.repeat(STAGE_MAX);
    const named = Object.values(template.Resources).flatMap((r) => {
      const limit = LIMITS[r.Type];
      const name = limit ? r.Properties?.[limit[0]] : undefined;
      return limit && typeof name === 'string' ? [{ type: r.Type, name, max: limit[1] }] : [];
    });
    // Assess: the tables are named as the CLI derives them (it reads and writes them with the operator's credentials)
    expect(template.Resources.AcceptWindowTable?.Properties?.TableName).toBe(acceptTableName(PACKAGED_STAGE));
    expect(template.Resources.RollLockTable?.Properties?.TableName).toBe(rollLockTableName(PACKAGED_STAGE));
    expect(new Set(named.map((n) => n.type)).size).toBe(Object.keys(LIMITS).length);
    for (const { type, name, max } of named) {
      expect(name, type).toContain(`kafka-plc-${PACKAGED_STAGE}-`);
      const atLongest = name.replace(`kafka-plc-${PACKAGED_STAGE}-`, `kafka-plc-${longest}-`);
      expect(atLongest.length, `${type} ${atLongest}`).toBeLessThanOrEqual(max);
    }
  });

  it('lets each state machine invoke only the functions its definition names', () => {
    for (const machine of machines) {
      // Prepare
      const sm = Object.values(template.Resources).find(
        (r) =>
          r.Type === 'AWS::StepFunctions::StateMachine' && r.Properties?.StateMachineName === machine.name,
      );
      const roleId = (sm?.Properties?.RoleArn as { 'Fn::GetAtt': [string] } | undefined)?.['Fn::GetAtt'][0];
      const statements = allStatements(template).filter((s) => s.where.startsWith(`${roleId}/`));
      // Assess
      expect(statements.flatMap((s) => list(s.statement.Action))).toEqual(['lambda:InvokeFunction']);
      const invoked = new Set(
        statements
          .flatMap((s) => list(s.statement.Resource))
          .map((r) => JSON.stringify(r).match(/"([A-Za-z0-9]+)LambdaFunction"/)?.[1]),
      );
      const expected = [...taskFunctions(machine.file)].map((k) => `${k[0]?.toUpperCase()}${k.slice(1)}`);
      expect([...invoked].sort(), machine.name).toEqual(expected.sort());
    }
  });

  it('wires the events, the topic policy, the environment and the outputs', () => {
    const resources = Object.values(template.Resources);
    const rules = resources
      .filter((r) => r.Type === 'AWS::Events::Rule')
      .map((r) => JSON.stringify(r.Properties));
    expect(rules.find((r) => r.includes('OnUniqueNameChangeLambdaFunction'))).toContain(
      '"detail":{"name":[{"wildcard":"/kafka-plc/*/unique-name"}],"operation":["Create","Update"]}',
    );
    expect(rules.find((r) => r.includes('AcceptSweepLambdaFunction'))).toContain('rate(5 minutes)');
    expect(rules.find((r) => r.includes('ProbeClustersLambdaFunction'))).toContain('rate(5 minutes)');
    const subscription = resources.find(
      (r) => r.Type === 'AWS::SNS::Subscription' && r.Properties?.Protocol === 'lambda',
    );
    expect(subscription?.Properties).toMatchObject({
      TopicArn: { Ref: 'ConnectionNotificationTopic' },
      Protocol: 'lambda',
    });
    expect(JSON.stringify(template.Resources.ConnectionNotificationTopicPolicy)).toContain(
      '"Principal":{"Service":"vpce.amazonaws.com"},"Action":"sns:Publish"',
    );
    const env = (key: string): Record<string, unknown> => {
      const fn = template.Resources[`${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`];
      return (
        (fn?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}
      );
    };
    expect(env('launchBrokers').BROKER_INSTANCE_PROFILE).toEqual({ Ref: 'BrokerInstanceProfile' });
    expect(env('ensureEndpointService').CONNECTION_TOPIC_ARN).toEqual({ Ref: 'ConnectionNotificationTopic' });
    expect(env('onUniqueNameChange').ROLL_STATE_MACHINE_ARN).toEqual({ Ref: 'RollBrokersStateMachine' });
    expect(env('ensureMonitoring').ALARM_TOPIC_ARN).toEqual({ Ref: 'AlarmTopic' });
    expect(JSON.stringify(template.Resources.AlarmTopicPolicy)).toContain(
      '"Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish"',
    );
    expect(JSON.stringify(template.Resources.AlarmTopicKey)).toContain(
      '"Service":"cloudwatch.amazonaws.com"',
    );
    // alarmEmail empty by default: the subscription exists only under its condition.
    expect(template.Resources.AlarmEmailSubscription).toMatchObject({
      Condition: 'AlarmEmailGiven',
      Properties: { Protocol: 'email' },
    });
    for (const key of Object.keys(config.functions))
      expect(env(key).POWERTOOLS_SERVICE_NAME).toBe('kafka-plc');
    const outputs = (template as unknown as { Outputs: Record<string, unknown> }).Outputs;
    for (const name of [
      'ProvisionStateMachineArn',
      'RollBrokersStateMachineArn',
      'ExposeExistingStateMachineArn',
      'TeardownStateMachineArn',
      'ConnectionNotificationTopicArn',
      'AlarmTopicArn',
    ])
      expect(outputs[name], name).toBeDefined();
  });

  it('sets every environment variable the code requires somewhere in the stack', async () => {
    const { stdout } = await run('grep', ['-rhoE', "requireEnv\\('[A-Z_]+'\\)", `${ROOT}functions`]);
    const required = new Set([...stdout.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] ?? ''));
    required.delete('AWS_REGION'); // set by Lambda itself
    const set = new Set(
      Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .flatMap((r) =>
          Object.keys((r.Properties?.Environment as { Variables?: object } | undefined)?.Variables ?? {}),
        ),
    );
    expect([...required].filter((name) => !set.has(name))).toEqual([]);
  });

  it('bundles load on Node 20, export a handler and carry only the SDK clients their code imports', async () => {
    // Prepare
    const files = [...packaged.bundles.values()].map((b) => b.file);
    const sizes = Object.fromEntries([...packaged.bundles].map(([k, b]) => [k, Math.round(b.bytes / 1024)]));
    console.log(`bundle KiB: ${JSON.stringify(sizes)}`);
    // Act
    const { stdout } = await run(process.execPath, [
      '-e',
      `for (const f of ${JSON.stringify(files)}) { if (typeof require(f).handler !== 'function') throw new Error(f); } console.log('ok');`,
    ]);
    // Assess
    expect(stdout.trim()).toBe('ok');
    const clientsIn = (key: string) =>
      sdkClientsIn(readFileSync(packaged.bundles.get(key)?.file ?? '', 'utf8'));
    expect(clientsIn('validateSpec')).toEqual(['ssm']);
    expect(clientsIn('resolveAzs')).toEqual(['ec2', 'ssm']); // ssm: the pre-flight reads the AMI parameter
    expect(clientsIn('onUniqueNameChange')).toEqual(['sfn', 'ssm']);
    expect(clientsIn('checkTargetHealth')).toEqual(['elastic-load-balancing-v2']);
    expect(clientsIn('teardownBrokers')).toEqual(['ec2']);
    expect(clientsIn('releaseRollLock')).toEqual(['dynamodb']);
    expect(clientsIn('acquireRollLock')).toEqual(['dynamodb', 'sfn', 'ssm']);
    expect(clientsIn('openAcceptWindow')).toEqual(['dynamodb']);
    expect(clientsIn('acceptSweep')).toEqual(['dynamodb', 'ec2', 'ssm']); // ssm: the owning stage
    expect(clientsIn('ensureMonitoring')).toEqual(['cloudwatch']);
    expect(clientsIn('teardownMonitoring')).toEqual(['cloudwatch']);
    expect(clientsIn('probeClusters')).toEqual(['cloudwatch', 'ec2', 'elastic-load-balancing-v2', 'ssm']);
    const sfnUsers = ['onUniqueNameChange', 'reconcileUniqueNames', 'acquireRollLock'];
    for (const key of packaged.bundles.keys()) {
      expect(clientsIn(key), key).not.toContain('iam');
      expect(clientsIn(key), key).not.toContain('sns');
      if (!sfnUsers.includes(key)) expect(clientsIn(key), key).not.toContain('sfn');
      const tableUsers = ['acceptSweep', 'acceptConnection', 'openAcceptWindow', 'teardownEndpointService'];
      if (!key.endsWith('RollLock') && !tableUsers.includes(key))
        expect(clientsIn(key), key).not.toContain('dynamodb');
    }
    expect(Math.max(...[...packaged.bundles.values()].map((b) => b.bytes))).toBeLessThan(2.5 * 1024 * 1024);
    // loading 41 bundles in one process took 69.5 s beside the real-Kafka files on a slow clean-clone run (2026-12-02)
  }, 180_000);
});
