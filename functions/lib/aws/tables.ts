/**
 * What the DynamoDB adapters share (roll-locks.ts, accept-records.ts): a missing table named as the
 * deployment's configuration, a failed condition expression read as an answer (false) instead of an error,
 * and — for a local run only — the table created in the stack's shape.
 */
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '../errors';
import { dynamodbClient } from './clients/dynamodb';
import { call, hasCode } from './errors';

export interface TableRef {
  region: string;
  name: string;
  /** The Lambda environment variable that names it, for the error a missing table gives. */
  env: string;
}

/** A call on the table; a missing table is the deployment's configuration, named. */
export async function onTable<T>(table: TableRef, operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await call(operation, send);
  } catch (error) {
    if (hasCode(error, 'ResourceNotFoundException'))
      throw new ConfigurationError(`table ${table.name} does not exist (${table.env})`, { cause: error });
    throw error;
  }
}

/** A write with a condition expression: false when the condition did not hold (nothing written). */
export async function conditional(
  table: TableRef,
  operation: string,
  send: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await onTable(table, operation, send);
    return true;
  } catch (error) {
    if (hasCode(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

/**
 * For a local run only (the deployed stack declares its tables in infra/): `table`, created when absent,
 * on-demand, with a string hash key and an optional string range key.
 */
export async function ensureTable(
  region: string,
  table: string,
  keys: { hash: string; range?: string },
): Promise<void> {
  const db = dynamodbClient(region);
  try {
    await call('DescribeTable', () => db.send(new DescribeTableCommand({ TableName: table })));
    return;
  } catch (error) {
    if (!hasCode(error, 'ResourceNotFoundException')) throw error;
  }
  const names = [keys.hash, ...(keys.range ? [keys.range] : [])];
  await call('CreateTable', () =>
    db.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: names.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: keys.hash, KeyType: 'HASH' },
          ...(keys.range ? [{ AttributeName: keys.range, KeyType: 'RANGE' as const }] : []),
        ],
      }),
    ),
  );
}
