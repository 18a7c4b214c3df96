/** SSM adapter: parameters, Run Command (send, history, invocation), managed-instance status. */
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  ListCommandsCommand,
  PutParameterCommand,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { ApiNotImplementedError } from '../errors';
import { emulatorMode, moduleLogger } from '../logger';
import { ssmClient } from './clients/ssm';
import { call, hasCode } from './errors';

const ssm = (region: string) => ssmClient(region);
const log = moduleLogger('ssm');

export async function getParameter(
  region: string,
  name: string,
): Promise<{ value: string; version: number; lastModified?: Date } | undefined> {
  try {
    const out = await call('GetParameter', () => ssm(region).send(new GetParameterCommand({ Name: name })));
    return {
      value: out.Parameter?.Value ?? '',
      version: out.Parameter?.Version ?? 0,
      lastModified: out.Parameter?.LastModifiedDate,
    };
  } catch (error) {
    if (hasCode(error, 'ParameterNotFound')) return undefined;
    throw error;
  }
}

/** Creates the parameter if absent (never overwrites): returns true when it created it. */
export async function createParameterIfAbsent(
  region: string,
  input: { name: string; value: string; description: string; tags: Record<string, string> },
): Promise<boolean> {
  if (await getParameter(region, input.name)) return false;
  try {
    await call('PutParameter', () =>
      ssm(region).send(
        new PutParameterCommand({
          Name: input.name,
          Value: input.value,
          Type: 'String',
          Description: input.description,
          Overwrite: false,
          Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      ),
    );
    return true;
  } catch (error) {
    if (hasCode(error, 'ParameterAlreadyExists')) return false;
    throw error;
  }
}

/**
 * Overwrites (or creates) a String parameter; a value over the standard tier's 4,096 characters uses
 * Intelligent-Tiering (advanced, up to 8,192: "Managing parameter tiers").
 */
export async function putParameter(region: string, name: string, value: string): Promise<number> {
  const out = await call('PutParameter', () =>
    ssm(region).send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Overwrite: true,
        ...(value.length > 4096 ? { Tier: 'Intelligent-Tiering' as const } : {}),
      }),
    ),
  );
  return out.Version ?? 0;
}

export interface CommandRecord {
  commandId: string;
  comment: string;
  status: string;
  instanceIds: string[];
  requestedAt: number;
}

/** Commands sent to an instance (newest first), as far back as SSM keeps them. */
export async function commandsFor(region: string, instanceId: string): Promise<CommandRecord[]> {
  const records: CommandRecord[] = [];
  let token: string | undefined;
  do {
    const out = await call('ListCommands', () =>
      ssm(region).send(new ListCommandsCommand({ InstanceId: instanceId, NextToken: token })),
    );
    for (const c of out.Commands ?? []) {
      records.push({
        commandId: c.CommandId ?? '',
        comment: c.Comment ?? '',
        status: c.Status ?? 'Unknown',
        instanceIds: c.InstanceIds ?? [],
        requestedAt: c.RequestedDateTime?.getTime() ?? 0,
      });
    }
    token = out.NextToken;
  } while (token);
  return records;
}

export async function sendShellScript(
  region: string,
  input: { instanceId: string; script: string; comment: string; timeoutSeconds: number },
): Promise<string> {
  const out = await call('SendCommand', () =>
    ssm(region).send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [input.instanceId],
        Comment: input.comment,
        TimeoutSeconds: 600,
        Parameters: { commands: [input.script], executionTimeout: [String(input.timeoutSeconds)] },
      }),
    ),
  );
  return out.Command?.CommandId ?? '';
}

export interface Invocation {
  status: string;
  responseCode: number;
  stdout: string;
  stderr: string;
}

export async function commandInvocation(
  region: string,
  commandId: string,
  instanceId: string,
): Promise<Invocation> {
  try {
    const out = await call('GetCommandInvocation', () =>
      ssm(region).send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })),
    );
    return {
      status: out.Status ?? 'Pending',
      responseCode: out.ResponseCode ?? -1,
      stdout: out.StandardOutputContent ?? '',
      stderr: out.StandardErrorContent ?? '',
    };
  } catch (error) {
    // Right after SendCommand the invocation may not exist yet: it is pending, not failed.
    if (hasCode(error, 'InvocationDoesNotExist'))
      return { status: 'Pending', responseCode: -1, stdout: '', stderr: '' };
    throw error;
  }
}

/**
 * Instances the SSM agent reports Online. DescribeInstanceInformation is an emulator gap (moto answers
 * HTTP 500): against an emulator only, it warns and reports every instance online.
 */
export async function onlineManagedInstances(region: string, instanceIds: string[]): Promise<Set<string>> {
  try {
    const online = new Set<string>();
    let token: string | undefined;
    do {
      const out = await call('DescribeInstanceInformation', () =>
        ssm(region).send(
          new DescribeInstanceInformationCommand({
            Filters: [{ Key: 'InstanceIds', Values: instanceIds }],
            NextToken: token,
          }),
        ),
      );
      for (const info of out.InstanceInformationList ?? []) {
        if (info.PingStatus === 'Online' && info.InstanceId) online.add(info.InstanceId);
      }
      token = out.NextToken;
    } while (token);
    return online;
  } catch (error) {
    if (error instanceof ApiNotImplementedError && emulatorMode()) {
      log.warn(
        'emulator gap: DescribeInstanceInformation is not implemented; treating running instances as SSM-managed',
        {
          operation: error.operation,
        },
      );
      return new Set(instanceIds);
    }
    throw error;
  }
}
