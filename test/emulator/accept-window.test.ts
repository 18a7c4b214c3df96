/**
 * Accept windows on the emulator: the real provision ASL opens the cluster's first window (OpenAcceptWindow),
 * the real auto-accept Lambdas — the SNS path and the sweep, each as its packaged role, IAM judged — decide
 * connections against it with DynamoDB's conditional writes and transactions as moto serves them, and
 * teardown removes it. The consumer side (moto has no endpoint connections) is the labelled stand-in of
 * test/helpers/endpoint-connections.ts.
 */
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_ACCEPT_TABLE } from '../../cli/local-prereqs';
import { runLocal } from '../../cli/local-sfn';
import { handler as acceptConnection } from '../../functions/accept-connection/handler';
import { handler as acceptSweep } from '../../functions/accept-sweep/handler';
import { readAcceptState } from '../../functions/lib/aws/accept-records';
import { clients } from '../../functions/lib/aws/clients';
import { parseClusterSpec } from '../../functions/lib/spec';
import type { AcceptSummary } from '../../functions/lib/steps/accept';
import { openWindowNow } from '../../functions/lib/steps/accept-window';
import { acceptNamedEndpoint, listConnections } from '../../functions/lib/steps/connections';
import { asFunction } from '../aws-model/iam';
import { type Emulator, FAST, SEED, startEmulator } from '../helpers/emulator';
import { type ConnectionStandIn, serveEndpointConnections } from '../helpers/endpoint-connections';
import { lambdaContext } from '../helpers/lambda';

const REGION = 'us-west-2';
const TIDB = '123456789012';
const STRANGER = '999999999999';
const spec = parseClusterSpec(SEED);

let emulator: Emulator;
let consumers: ConnectionStandIn;
let serviceId = '';

beforeAll(async () => {
  emulator = await startEmulator();
  consumers = serveEndpointConnections();
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  // Prepare: a provisioned seed cluster (its first accept window: one connection, a day), no consumers yet
  await emulator.fresh(REGION);
  consumers.reset();
  const provisioned = await runLocal('provision', SEED, FAST);
  expect(provisioned.status, `${provisioned.error}: ${provisioned.cause}`).toBe('SUCCEEDED');
  serviceId = (provisioned.output as { endpointServiceId: string }).endpointServiceId;
  emulator.iam.clear();
});

const state = () => readAcceptState(REGION, LOCAL_ACCEPT_TABLE, spec.clusterName);
const snsPath = () =>
  asFunction('acceptConnection', () =>
    acceptConnection({ Records: [{ Sns: { Message: `{"ServiceId":"${serviceId}"}` } }] }, lambdaContext()),
  ) as Promise<AcceptSummary>;
const sweep = () =>
  asFunction('acceptSweep', () =>
    acceptSweep({ source: 'aws.events' }, lambdaContext()),
  ) as Promise<AcceptSummary>;
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);
const stateOf = (id: string) => consumers.connections.find((c) => c.vpcEndpointId === id)?.state;

describe('the accept window provisioning opens', () => {
  it('is opened once, by the provision state machine, for consumer.acceptWindow; a re-run does not reopen it', async () => {
    // Assess: the first window
    const first = (await state()).window;
    expect(first).toMatchObject({ count: 1, remaining: 1 });
    expect(first?.openedBy).toMatch(/^provisioning \(arn:aws:states:us-west-2:\d{12}:execution:/);
    expect((first?.closesAt ?? 0) - (first?.openedAt ?? 0)).toBe(24 * 60 * 60_000);
    // Act: provision again, after the window was used
    consumers.request(serviceId, TIDB, minutesAgo(1));
    await sweep();
    emulator.recorder.clear();
    const again = await runLocal('provision', SEED, FAST);
    // Assess: the same window, still used up, reported as before; not even a conditional write was tried
    expect(again.status).toBe('SUCCEEDED');
    expect((await state()).window).toEqual({ ...first, remaining: 0 });
    const until = new Date(first?.closesAt ?? 0).toISOString();
    expect((again.output as { acceptWindow: string }).acceptWindow).toBe(
      `${first?.id}: up to 1 connection(s) until ${until} (opened by ${first?.openedBy})`,
    );
    const tableCalls = emulator.recorder.calls.filter((c) => c.service === 'dynamodb');
    expect(tableCalls.map((c) => c.operation)).toContain('Query');
    expect(tableCalls.filter((c) => c.mutating)).toEqual([]);
    expect(emulator.iam.judged.some((j) => j.functionKey === 'openAcceptWindow')).toBe(true);
    expect(emulator.iam.denied()).toEqual([]);
  });
});

describe('auto-accept inside a window (SNS path and sweep, IAM judged)', () => {
  it('the SNS path and the sweep racing over two connections accept exactly the window count: the oldest', async () => {
    emulator.recorder.clear();
    for (let round = 0; round < 5; round++) {
      // Prepare: a fresh one-connection window; two endpoints of the allowed account and a stranger's
      if (round > 0) await openWindowNow(spec, { minutes: 60, count: 1 }, 'test round', LOCAL_ACCEPT_TABLE);
      consumers.reset();
      const older = consumers.request(serviceId, TIDB, minutesAgo(3));
      const newer = consumers.request(serviceId, TIDB, minutesAgo(2));
      const stranger = consumers.request(serviceId, STRANGER, minutesAgo(1));
      // Act: both triggers at once
      const [sns, swept] = await Promise.all([snsPath(), sweep()]);
      // Assess: one acceptance in all, the older endpoint; the newer left pending and reported
      expect([stateOf(older), stateOf(newer), stateOf(stranger)]).toEqual([
        'available',
        'pendingAcceptance',
        'rejected',
      ]);
      expect(consumers.accepted.get(older)).toBe(1);
      const { window, records } = await state();
      expect(window?.remaining).toBe(0);
      expect(records.get(older)).toMatchObject({ decision: 'accept', by: window?.id });
      expect(records.has(newer)).toBe(false);
      expect(records.get(stranger)).toMatchObject({ decision: 'reject', by: 'onUnknownOwner' });
      expect([...sns.outsideWindow, ...swept.outsideWindow]).toContain(newer);
    }
    // One claim carried out per round; any other attempt was cancelled by DynamoDB's conditions
    const claims = emulator.recorder.calls.filter((c) => c.operation === 'TransactWriteItems');
    expect(claims.filter((c) => !c.error)).toHaveLength(5);
    expect(claims.filter((c) => c.error).map((c) => c.error)).toEqual(
      claims.filter((c) => c.error).map(() => 'TransactionCanceledException'),
    );
    expect(emulator.iam.denied()).toEqual([]);
    const tableCalls = new Set(
      emulator.iam.judged
        .filter((j) => j.request.action.startsWith('dynamodb:'))
        .map((j) => j.request.action),
    );
    expect([...tableCalls].sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('both paths deciding the same connection at once use one slot of a two-connection window', async () => {
    // Prepare
    await openWindowNow(spec, { minutes: 60, count: 2 }, 'test', LOCAL_ACCEPT_TABLE);
    const only = consumers.request(serviceId, TIDB, minutesAgo(1));
    // Act
    await Promise.all([snsPath(), sweep()]);
    // Assess
    expect(stateOf(only)).toBe('available');
    expect(consumers.accepted.get(only)).toBe(1);
    const { window, records } = await state();
    expect(window?.remaining).toBe(1);
    expect([...records.keys()]).toEqual([only]);
  });

  it('outside a window nothing is accepted; accept-window opens one and kafka-plc accept names one', async () => {
    // Prepare: the first window used by the first connection
    const first = consumers.request(serviceId, TIDB, minutesAgo(10));
    await sweep();
    const late = consumers.request(serviceId, TIDB, minutesAgo(5));
    const named = consumers.request(serviceId, TIDB, minutesAgo(4));
    // Act 1: the sweep finds two allowed endpoints and no window
    const outside = await sweep();
    // Assess 1
    expect(stateOf(first)).toBe('available');
    expect(outside).toMatchObject({ accepted: [], outsideWindow: [late, named] });
    // Act 2: a person opens a window for one, and names the other
    await openWindowNow(spec, { minutes: 30, count: 1 }, 'kafka-plc accept-window', LOCAL_ACCEPT_TABLE);
    const inWindow = await sweep();
    await acceptNamedEndpoint(spec, named, 'dev');
    // Assess 2: each says who accepted it
    expect(inWindow.accepted).toEqual([late]);
    expect([stateOf(late), stateOf(named)]).toEqual(['available', 'available']);
    const listed = await listConnections(spec, { onUnknown: 'reject', outsideWindow: 'leave', stage: 'dev' });
    const by = Object.fromEntries(listed.connections.map((c) => [c.vpcEndpointId, c.decidedBy]));
    const windows = (await state()).window;
    expect(by[late]).toBe(windows?.id);
    expect(by[named]).toBe('kafka-plc accept');
    expect(by[first]).toMatch(/^window-/);
    expect(by[first]).not.toBe(windows?.id);
    expect(listed.acceptWindow).toContain('closed: its 1 acceptance is used');
  });

  it('teardown removes the window and every record with the endpoint service', async () => {
    // Prepare
    consumers.request(serviceId, TIDB, minutesAgo(1));
    await sweep();
    expect((await state()).records.size).toBe(1);
    // Act
    const teardown = await runLocal('teardown', SEED, FAST);
    // Assess
    expect(teardown.status, `${teardown.error}: ${teardown.cause}`).toBe('SUCCEEDED');
    const left = await clients(REGION).dynamodb.send(
      new QueryCommand({
        TableName: LOCAL_ACCEPT_TABLE,
        KeyConditionExpression: '#c = :c',
        ExpressionAttributeNames: { '#c': 'cluster' },
        ExpressionAttributeValues: { ':c': { S: spec.clusterName } },
      }),
    );
    expect(left.Items).toEqual([]);
    expect(emulator.iam.denied()).toEqual([]);
  });
});
