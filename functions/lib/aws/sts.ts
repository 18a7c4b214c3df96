/** STS adapter: who the caller is (the CLI says which account it is about to act on before it acts). */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { stsClient } from './clients/sts';
import { call } from './errors';

export interface CallerIdentity {
  account: string;
  arn: string;
}

/** GetCallerIdentity needs no permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). */
export async function callerIdentity(region: string): Promise<CallerIdentity> {
  const out = await call('GetCallerIdentity', () => stsClient(region).send(new GetCallerIdentityCommand({})));
  return { account: out.Account ?? 'unknown', arn: out.Arn ?? 'unknown' };
}
