/**
 * Reading IAM out of the packaged CloudFormation template for static checks (stack.test.ts): every statement
 * with where it lives, each function's role, the Service Authorization Reference's resource types. Whether a
 * role allows what its function calls is judged at each call in the emulator, by a real policy evaluator
 * (test/aws-model/iam.ts).
 */
import { readdirSync } from 'node:fs';

export type Template = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Conditions?: Record<string, unknown>;
  Parameters?: Record<string, unknown>;
};

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface Located {
  /** e.g. `EnsureNetworkRole/ensureNetwork`, `ConnectionNotificationTopicPolicy`. */
  where: string;
  statement: Statement;
}

export const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

type PolicyDoc = { Statement?: Statement | Statement[] };

/** Every policy statement of the template: role inline policies, managed policies, resource policies. */
export function allStatements(template: Template): Located[] {
  const found: Located[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const policies = (props.Policies ?? []) as { PolicyName?: string; PolicyDocument: PolicyDoc }[];
    for (const policy of policies) {
      for (const statement of list(policy.PolicyDocument.Statement))
        found.push({ where: `${id}/${policy.PolicyName ?? ''}`, statement });
    }
    const document = props.PolicyDocument as PolicyDoc | undefined;
    if (document) for (const statement of list(document.Statement)) found.push({ where: id, statement });
  }
  return found;
}

/** Function key (from `kafka-plc-<stage>-<key>`) → the logical ID of its role. */
export function functionRoles(template: Template): Map<string, string> {
  const roles = new Map<string, string>();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = String(resource.Properties?.FunctionName ?? '');
    const key = name.replace(/^kafka-plc-[^-]+-/, '');
    const role = resource.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    roles.set(key, role?.['Fn::GetAtt']?.[0] ?? '(no role in this template)');
  }
  return roles;
}

export interface ActionFacts {
  /** Resource types the action can be scoped to; empty = no resource-level permissions ("*" only). */
  resourceTypes: string[];
}

/**
 * The Service Authorization Reference as cfn-lint ships it (cfnlint/data/AdditionalSpecs/Policies.json,
 * installed into .venv by scripts/setup-tools.sh): per service and action, the resource types.
 */
export async function authorizationReference(
  venv: string,
): Promise<(action: string) => ActionFacts | undefined> {
  const lib = `${venv}/lib`;
  const python = readdirSync(lib).find((d) => d.startsWith('python'));
  const path = `${lib}/${python}/site-packages/cfnlint/data/AdditionalSpecs/Policies.json`;
  const { readFile } = await import('node:fs/promises');
  const data = JSON.parse(await readFile(path, 'utf8')) as Record<
    string,
    { Actions: Record<string, { Resources?: string[] }> }
  >;
  return (action) => {
    const [service = '', name = ''] = action.split(':');
    const entry = data[service]?.Actions[name.toLowerCase()];
    return entry ? { resourceTypes: entry.Resources ?? [] } : undefined;
  };
}

/** `Fn::Sub: arn:…:ec2:…:network-interface/*` → `network-interface` (best effort, for messages and exceptions). */
export function resourceTypeOf(resource: unknown): string {
  const text =
    typeof resource === 'string'
      ? resource
      : JSON.stringify((resource as Record<string, unknown>)?.['Fn::Sub'] ?? resource);
  const match = /:([a-z0-9-]+)\/[^"]*$/.exec(text.replace(/"$/, ''));
  return match?.[1] ?? text;
}
