/**
 * The CLI says which account it acts on (STS GetCallerIdentity) before it acts: unit tests that run a
 * command mock that answer. Call `answerCaller()` in beforeEach (it resets the mock first).
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';

export const sts = mockClient(STSClient);

export function answerCaller(account = '123456789012'): void {
  sts.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: account, Arn: `arn:aws:iam::${account}:user/operator` });
}
