/**
 * The roll lock table (domain/roll-lock.ts): one item per cluster, key `cluster`. Every write carries a
 * condition expression and reads are strongly consistent (GetItem ConsistentRead: "Read consistency",
 * Amazon DynamoDB Developer Guide — an eventually consistent read could miss a lock just taken). A failed
 * condition is an answer (false), not an error.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LockItem } from '../domain/roll-lock';
import { dynamodbClient } from './clients/dynamodb';
import { conditional, ensureTable, onTable, type TableRef } from './tables';

const db = (region: string) => dynamodbClient(region);
const ref = (region: string, name: string): TableRef => ({ region, name, env: 'ROLL_LOCK_TABLE' });

function item(lock: LockItem) {
  return {
    cluster: { S: lock.cluster },
    holder: { S: lock.holder },
    holderStartedAt: { N: String(lock.holderStartedAt) },
    uniqueName: { S: lock.uniqueName },
  };
}

export async function readLock(
  region: string,
  table: string,
  cluster: string,
): Promise<LockItem | undefined> {
  const out = await onTable(ref(region, table), 'GetItem', () =>
    db(region).send(
      new GetItemCommand({ TableName: table, Key: { cluster: { S: cluster } }, ConsistentRead: true }),
    ),
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
  return conditional(ref(region, table), 'PutItem', () =>
    db(region).send(new PutItemCommand({ TableName: table, Item: item(lock), ...condition })),
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
  return conditional(ref(region, table), 'DeleteItem', () =>
    db(region).send(
      new DeleteItemCommand({
        TableName: table,
        Key: { cluster: { S: cluster } },
        ConditionExpression: 'holder = :me',
        ExpressionAttributeValues: { ':me': { S: holder } },
      }),
    ),
  );
}

/** For a local run only (the deployed stack has infra/roll-lock.yml): the table in the stack's shape. */
export function ensureLockTable(region: string, table: string): Promise<void> {
  return ensureTable(region, table, { hash: 'cluster' });
}
