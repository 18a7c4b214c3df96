/**
 * The accept table (domain/accept-window.ts): per cluster (hash key `cluster`), one `window` entry (the
 * latest accept window) and one `endpoint#<vpce-id>` entry per connection kafka-plc accepted or rejected,
 * with why (range key `entry`). Reads are strongly consistent (Query ConsistentRead: "Read consistency",
 * Amazon DynamoDB Developer Guide); every write that could race carries a condition expression.
 *
 * A window acceptance is claimed with TransactWriteItems ("Amazon DynamoDB Transactions: How it works"):
 * the window's `remaining` decremented (condition: still this window, a slot left, not expired) and the
 * endpoint's record created (condition: none yet), both or neither. IAM judges each action as its
 * underlying UpdateItem / PutItem ("Using IAM with DynamoDB transactions"). A cancelled transaction is
 * not told apart by its CancellationReasons (documented for Java only): the state is read again instead.
 */
import {
  DeleteItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { AcceptRecord, AcceptWindow } from '../domain/accept-window';
import { AwsThrottledError } from '../errors';
import { dynamodbClient } from './clients/dynamodb';
import { hasCode } from './errors';
import { conditional, ensureTable, onTable, type TableRef } from './tables';

const db = (region: string) => dynamodbClient(region);
const ref = (region: string, name: string): TableRef => ({ region, name, env: 'ACCEPT_TABLE' });

const WINDOW_ENTRY = 'window';
const endpointEntry = (vpcEndpointId: string) => `endpoint#${vpcEndpointId}`;

type Item = Record<string, { S?: string; N?: string } | undefined>;

function windowItem(cluster: string, w: AcceptWindow) {
  return {
    cluster: { S: cluster },
    entry: { S: WINDOW_ENTRY },
    id: { S: w.id },
    openedAt: { N: String(w.openedAt) },
    closesAt: { N: String(w.closesAt) },
    count: { N: String(w.count) },
    remaining: { N: String(w.remaining) },
    openedBy: { S: w.openedBy },
  };
}

function recordItem(cluster: string, r: AcceptRecord) {
  return {
    cluster: { S: cluster },
    entry: { S: endpointEntry(r.vpcEndpointId) },
    vpcEndpointId: { S: r.vpcEndpointId },
    decision: { S: r.decision },
    at: { N: String(r.at) },
    by: { S: r.by },
    reason: { S: r.reason },
  };
}

const num = (item: Item, key: string) => Number(item[key]?.N ?? 0);
const str = (item: Item, key: string) => item[key]?.S ?? '';

export interface AcceptState {
  window: AcceptWindow | undefined;
  records: Map<string, AcceptRecord>;
}

/** The cluster's window and records, strongly consistent. */
export async function readAcceptState(region: string, table: string, cluster: string): Promise<AcceptState> {
  const state: AcceptState = { window: undefined, records: new Map() };
  let start: Record<string, never> | undefined;
  do {
    const out = await onTable(ref(region, table), 'Query', () =>
      db(region).send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#c = :c',
          ExpressionAttributeNames: { '#c': 'cluster' },
          ExpressionAttributeValues: { ':c': { S: cluster } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of (out.Items ?? []) as Item[]) {
      if (str(item, 'entry') === WINDOW_ENTRY) {
        state.window = {
          id: str(item, 'id'),
          openedAt: num(item, 'openedAt'),
          closesAt: num(item, 'closesAt'),
          count: num(item, 'count'),
          remaining: num(item, 'remaining'),
          openedBy: str(item, 'openedBy'),
        };
      } else {
        const decision = str(item, 'decision') === 'accept' ? 'accept' : 'reject';
        const record: AcceptRecord = {
          vpcEndpointId: str(item, 'vpcEndpointId'),
          decision,
          at: num(item, 'at'),
          by: str(item, 'by'),
          reason: str(item, 'reason'),
        };
        state.records.set(record.vpcEndpointId, record);
      }
    }
    start = out.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return state;
}

/**
 * Writes the cluster's window. `firstOnly`: only if the cluster never had one (provisioning's window,
 * which a re-run must not reopen); false when it had.
 */
export function putWindow(
  region: string,
  table: string,
  cluster: string,
  window: AcceptWindow,
  options: { firstOnly: boolean },
): Promise<boolean> {
  return conditional(ref(region, table), 'PutItem', () =>
    db(region).send(
      new PutItemCommand({
        TableName: table,
        Item: windowItem(cluster, window),
        ...(options.firstOnly
          ? { ConditionExpression: 'attribute_not_exists(#e)', ExpressionAttributeNames: { '#e': 'entry' } }
          : {}),
      }),
    ),
  );
}

/**
 * Records a decision unless one is recorded for that endpoint already (false when one was); `replace`: a
 * person's decision (kafka-plc accept), written over a recorded rejection that never took effect.
 */
export function putRecord(
  region: string,
  table: string,
  cluster: string,
  record: AcceptRecord,
  options: { replace?: boolean } = {},
): Promise<boolean> {
  return conditional(ref(region, table), 'PutItem', () =>
    db(region).send(
      new PutItemCommand({
        TableName: table,
        Item: recordItem(cluster, record),
        ...(options.replace
          ? {}
          : { ConditionExpression: 'attribute_not_exists(#e)', ExpressionAttributeNames: { '#e': 'entry' } }),
      }),
    ),
  );
}

/** claimed: this call took the slot; recorded: the endpoint has a record (another path decided it); closed: no slot. */
export type ClaimResult = 'claimed' | 'recorded' | 'closed';

/** Takes one slot of `windowId` for `record` (an accept), atomically with writing the record. */
export async function claimInWindow(
  region: string,
  table: string,
  cluster: string,
  windowId: string,
  record: AcceptRecord,
): Promise<ClaimResult> {
  try {
    await onTable(ref(region, table), 'TransactWriteItems', () =>
      db(region).send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: table,
                Key: { cluster: { S: cluster }, entry: { S: WINDOW_ENTRY } },
                // Every name aliased: DynamoDB refuses reserved words in expressions ("Reserved words in
                // DynamoDB", Amazon DynamoDB Developer Guide), and aliases make the check moot.
                UpdateExpression: 'SET #r = #r - :one',
                ConditionExpression: '#id = :w AND #r > :zero AND #until > :now',
                ExpressionAttributeNames: { '#id': 'id', '#r': 'remaining', '#until': 'closesAt' },
                ExpressionAttributeValues: {
                  ':one': { N: '1' },
                  ':zero': { N: '0' },
                  ':w': { S: windowId },
                  ':now': { N: String(record.at) },
                },
              },
            },
            {
              Put: {
                TableName: table,
                Item: recordItem(cluster, record),
                ConditionExpression: 'attribute_not_exists(#e)',
                ExpressionAttributeNames: { '#e': 'entry' },
              },
            },
          ],
        }),
      ),
    );
    return 'claimed';
  } catch (error) {
    if (!hasCode(error, 'TransactionCanceledException')) throw error;
  }
  // Cancelled: a condition failed, or a concurrent transaction on the same items (TransactionConflict).
  // The state, read again, says which; a conflict with nothing decided yet is thrown (retried).
  const now = await readAcceptState(region, table, cluster);
  if (now.records.has(record.vpcEndpointId)) return 'recorded';
  const w = now.window;
  if (!w || w.id !== windowId || w.remaining <= 0 || w.closesAt <= record.at) return 'closed';
  throw new AwsThrottledError(
    `TransactWriteItems: claiming ${record.vpcEndpointId} in ${windowId} conflicted with a concurrent write; retry`,
  );
}

/** Removes every entry of the cluster (teardown); returns how many there were. */
export async function deleteClusterEntries(region: string, table: string, cluster: string): Promise<number> {
  const state = await readAcceptState(region, table, cluster);
  const entries = [...(state.window ? [WINDOW_ENTRY] : []), ...[...state.records.keys()].map(endpointEntry)];
  for (const entry of entries) {
    await onTable(ref(region, table), 'DeleteItem', () =>
      db(region).send(
        new DeleteItemCommand({ TableName: table, Key: { cluster: { S: cluster }, entry: { S: entry } } }),
      ),
    );
  }
  return entries.length;
}

/** For a local run only (the deployed stack has infra/accept-windows.yml): the table in the stack's shape. */
export function ensureAcceptTable(region: string, table: string): Promise<void> {
  return ensureTable(region, table, { hash: 'cluster', range: 'entry' });
}
