import type { Context } from 'aws-lambda';

export function lambdaContext(functionName = 'kafka-plc-test'): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-west-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'test-request',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
