/**
 * SSM teardown adapter: every parameter under the cluster's path `/kafka-plc/<name>/` (the unique name,
 * the applied spec, whatever is added there later), listed first so that none left costs no delete call.
 */
import { DeleteParametersCommand, GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { ssmClient } from './clients/ssm';
import { call } from './errors';

const ssm = (region: string) => ssmClient(region);

/** Every parameter under `path` (recursively) with its value. */
export async function parameterEntriesUnder(
  region: string,
  path: string,
): Promise<{ name: string; value: string }[]> {
  const entries: { name: string; value: string }[] = [];
  let token: string | undefined;
  do {
    const out = await call('GetParametersByPath', () =>
      ssm(region).send(new GetParametersByPathCommand({ Path: path, Recursive: true, NextToken: token })),
    );
    for (const p of out.Parameters ?? []) if (p.Name) entries.push({ name: p.Name, value: p.Value ?? '' });
    token = out.NextToken;
  } while (token);
  return entries;
}

export async function parametersUnder(region: string, path: string): Promise<string[]> {
  return (await parameterEntriesUnder(region, path)).map((entry) => entry.name);
}

/** Deletes the named parameters (10 per call); names already gone come back as invalid and are ignored. */
export async function deleteParameters(region: string, names: string[]): Promise<string[]> {
  const deleted: string[] = [];
  for (let i = 0; i < names.length; i += 10) {
    const out = await call('DeleteParameters', () =>
      ssm(region).send(new DeleteParametersCommand({ Names: names.slice(i, i + 10) })),
    );
    deleted.push(...(out.DeletedParameters ?? []));
  }
  return deleted;
}
