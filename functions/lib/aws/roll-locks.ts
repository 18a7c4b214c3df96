/**
 * The roll lock table (domain/roll-lock.ts): one item per cluster, key `cluster`. Every write carries a
 * condition expression and reads are strongly consistent (GetItem ConsistentRead: "Read consistency",
 * Amazon DynamoDB Developer Guide — an eventually consistent read could miss a lock just taken). A failed
 * condition is an answer (false), not an error.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LockItem } from '../domain/roll-lock';
import { ConfigurationError } from '../errors';
import { dynamodbClient } from './clients/dynamodb';
import { call, hasCode } from './errors';

const db = (region: string) => dynamodbClient(region);

function item(lock: LockItem) {
  return {
    cluster: { S: lock.cluster },
    holder: { S: lock.holder },
    holderStartedAt: { N: String(lock.holderStartedAt) },
    uniqueName: { S: lock.uniqueName },
  };
}

/** A call on the table; a missing table is the deployment's configuration, named. */
async function onTable<T>(operation: string, send: () => Promise<T>, table: string): Promise<T> {
  try {
    return await call(operation, send);
  } catch (error) {
    if (hasCode(error, 'ResourceNotFoundException'))
      throw new ConfigurationError(`roll lock table ${table} does not exist (ROLL_LOCK_TABLE)`, {
        cause: error,
      });
    throw error;
  }
}

async function conditional(operation: string, send: () => Promise<unknown>, table: string): Promise<boolean> {
  try {
    await onTable(operation, send, table);
    return true;
  } catch (error) {
    if (hasCode(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

export async function readLock(
  region: string,
  table: string,
  cluster: string,
): Promise<LockItem | undefined> {
  const out = await onTable(
    'GetItem',
    () =>
      db(region).send(
        new GetItemCommand({ TableName: table, Key: { cluster: { S: cluster } }, ConsistentRead: true }),
      ),
    table,
  );
  const found = out.Item;
  if (!found) return undefined;
  return {
    cluster,
    holder: found.holder?.S ?? '',
    holderStartedAt: Number(found.holderStartedAt?.N ?? 0),
    uniqueName: found.uniqueName?.S ?? '',
  };
}

/** Writes `lock` if the condition holds (a PutItem with a condition expression). */
function conditionalPut(
  region: string,
  table: string,
  lock: LockItem,
  condition: Pick<
    ConstructorParameters<typeof PutItemCommand>[0],
    'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
): Promise<boolean> {
  return conditional(
    'PutItem',
    () => db(region).send(new PutItemCommand({ TableName: table, Item: item(lock), ...condition })),
    table,
  );
}

/** Takes a free lock; false when another execution holds it. */
export function createLock(region: string, table: string, lock: LockItem): Promise<boolean> {
  return conditionalPut(region, table, lock, {
    ConditionExpression: 'attribute_not_exists(#c)',
    ExpressionAttributeNames: { '#c': 'cluster' },
  });
}

/** Takes the lock over from `stale` only; false when it no longer holds it (another took it first). */
export function replaceLock(region: string, table: string, lock: LockItem, stale: string): Promise<boolean> {
  return conditionalPut(region, table, lock, {
    ConditionExpression: 'holder = :stale',
    ExpressionAttributeValues: { ':stale': { S: stale } },
  });
}

/** Gives the lock back if `holder` holds it; false when it does not (nothing deleted). */
export function deleteLock(region: string, table: string, cluster: string, holder: string): Promise<boolean> {
  return conditional(
    'DeleteItem',
    () =>
      db(region).send(
        new DeleteItemCommand({
          TableName: table,
          Key: { cluster: { S: cluster } },
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':me': { S: holder } },
        }),
      ),
    table,
  );
}

/**
 * For a local run only (the deployed stack has infra/roll-lock.yml): the table, created when absent, in the
 * stack's shape (key `cluster`, on-demand).
 */
export async function ensureLockTable(region: string, table: string): Promise<void> {
  try {
    await call('DescribeTable', () => db(region).send(new DescribeTableCommand({ TableName: table })));
    return;
  } catch (error) {
    if (!hasCode(error, 'ResourceNotFoundException')) throw error;
  }
  await call('CreateTable', () =>
    db(region).send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'cluster', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'cluster', KeyType: 'HASH' }],
      }),
    ),
  );
}
