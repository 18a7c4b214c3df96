import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AcceptContext,
  type AcceptPolicy,
  auditRecord,
  classifyUnsuccessfulCode,
  decideConnection,
  type EndpointConnection,
  fromEc2Connection,
  interpretUnsuccessful,
  planConnections,
  unresolvedOutcomes,
} from '../../../functions/lib/domain/accept-policy';
import { openWindow } from '../../../functions/lib/domain/accept-window';
import { SpecValidationError } from '../../../functions/lib/errors';

const TIDB = '123456789012';
const STRANGER = '999999999999';
const SERVICE = 'vpce-svc-0123456789abcdef0';
const reject: AcceptPolicy = { allowedAccounts: [TIDB], onUnknown: 'reject' };
const leave: AcceptPolicy = { allowedAccounts: [TIDB], onUnknown: 'leave' };

/** A window wide enough for every batch here: these tests are about owners; windows have their own file. */
const OPEN: AcceptContext = {
  window: openWindow({ minutes: 60, count: 10 }, 0, 'test'),
  records: new Map(),
  now: 1,
  outsideWindow: 'leave',
};

const pending = (owner: string | undefined, id = 'vpce-0a'): EndpointConnection => ({
  vpcEndpointId: id,
  vpcEndpointOwner: owner,
  vpcEndpointState: 'pendingAcceptance',
});

describe('decideConnection', () => {
  it.each<[string, EndpointConnection, AcceptPolicy, string, string]>([
    ['allow-listed and pending', pending(TIDB), reject, 'accept', `owner ${TIDB} is on the allow list`],
    [
      'allow-listed, SDK enum spelling',
      { ...pending(TIDB), vpcEndpointState: 'PendingAcceptance' },
      leave,
      'accept',
      '',
    ],
    [
      'unknown owner, policy reject',
      pending(STRANGER),
      reject,
      'reject',
      `owner ${STRANGER} is not on the allow`,
    ],
    [
      'unknown owner, policy leave',
      pending(STRANGER),
      leave,
      'leave',
      'policy leaves unknown owners pending',
    ],
    ['owner missing, policy reject', pending(undefined), reject, 'reject', 'owner is missing'],
    ['owner missing, policy leave', pending(undefined), leave, 'leave', 'owner is missing'],
    [
      'owner a prefix of an allowed one',
      pending(TIDB.slice(0, 11)),
      reject,
      'reject',
      'not on the allow list',
    ],
    [
      'no endpoint ID',
      { ...pending(TIDB), vpcEndpointId: undefined },
      reject,
      'none',
      'without VpcEndpointId',
    ],
    ['no state', { ...pending(TIDB), vpcEndpointState: undefined }, reject, 'none', 'state (missing)'],
    [
      'available, unknown owner',
      { ...pending(STRANGER), vpcEndpointState: 'available' },
      reject,
      'none',
      'review',
    ],
  ])('%s', (_name, connection, policy, decision, reason) => {
    // Act
    const result = decideConnection(connection, policy);
    // Assess
    expect(result.decision).toBe(decision);
    expect(result.reason).toContain(reason);
  });

  it.each([
    'available',
    'Available',
    'pending',
    'rejected',
    'deleting',
    'deleted',
    'failed',
    'expired',
    'partial',
  ])('does nothing for an allow-listed endpoint in state %s', (state) => {
    const result = decideConnection({ ...pending(TIDB), vpcEndpointState: state }, reject);
    expect(result).toEqual({ decision: 'none', reason: `state ${state} is not pendingAcceptance` });
  });

  it('property: never accepts an owner off the list, in any state, under any policy', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('pendingAcceptance', 'PendingAcceptance', 'available', 'rejected', 'deleted', ''),
        fc.constantFrom<AcceptPolicy['onUnknown']>('reject', 'leave'),
        (owner, state, onUnknown) => {
          fc.pre(owner !== TIDB);
          const connection = { vpcEndpointId: 'vpce-1', vpcEndpointOwner: owner, vpcEndpointState: state };
          expect(decideConnection(connection, { allowedAccounts: [TIDB], onUnknown }).decision).not.toBe(
            'accept',
          );
        },
      ),
    );
  });

  it('property: an allow-listed owner is accepted exactly when pending acceptance', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pendingAcceptance', 'PENDINGACCEPTANCE', 'available', 'pending', 'x'),
        (state) => {
          const decision = decideConnection({ ...pending(TIDB), vpcEndpointState: state }, reject).decision;
          expect(decision === 'accept').toBe(state.toLowerCase() === 'pendingacceptance');
        },
      ),
    );
  });
});

describe('planConnections (one service, one batch)', () => {
  const batch: EndpointConnection[] = [
    pending(TIDB, 'vpce-1'),
    pending(STRANGER, 'vpce-2'),
    { ...pending(TIDB, 'vpce-3'), vpcEndpointState: 'available' },
    pending(TIDB, 'vpce-1'),
    { ...pending(TIDB, 'vpce-4'), serviceId: 'vpce-svc-other' },
    { ...pending(TIDB, 'vpce-5'), serviceId: SERVICE },
    pending(undefined, 'vpce-6'),
  ];

  it('splits into accept and reject lists, without duplicates or other services', () => {
    // Act
    const plan = planConnections(SERVICE, batch, reject, OPEN);
    // Assess
    expect(plan).toMatchObject({
      serviceId: SERVICE,
      accept: ['vpce-1', 'vpce-5'],
      reject: ['vpce-2', 'vpce-6'],
    });
    expect(plan.leave).toEqual([]);
  });

  it('leaves unknown owners pending when the policy says so', () => {
    const plan = planConnections(SERVICE, batch, leave, OPEN);
    expect(plan).toMatchObject({ accept: ['vpce-1', 'vpce-5'], reject: [], leave: ['vpce-2', 'vpce-6'] });
  });

  it('writes one audit record per connection, none for nothing', () => {
    // Act
    const plan = planConnections(SERVICE, batch, reject, OPEN);
    // Assess
    expect(plan.audit.map((a) => [a.vpcEndpointId, a.decision])).toEqual([
      ['vpce-1', 'accept'],
      ['vpce-2', 'reject'],
      ['vpce-3', 'none'],
      ['vpce-1', 'accept'],
      ['vpce-4', 'none'],
      ['vpce-5', 'accept'],
      ['vpce-6', 'reject'],
    ]);
    expect(plan.audit[4]?.reason).toBe(`belongs to service vpce-svc-other, not ${SERVICE}`);
    expect(planConnections(SERVICE, [], reject, OPEN)).toEqual({
      serviceId: SERVICE,
      outsideWindow: [],
      accept: [],
      claims: [],
      reject: [],
      leave: [],
      audit: [],
    });
  });

  it.each<[string, AcceptPolicy, string]>([
    [
      'an ARN instead of an account ID',
      { allowedAccounts: ['arn:aws:iam::123456789012:root'], onUnknown: 'reject' },
      'allowedAccounts[0]',
    ],
    [
      'an 11-digit account',
      { allowedAccounts: [TIDB, '12345678901'], onUnknown: 'reject' },
      'allowedAccounts[1]',
    ],
    ['an unknown onUnknown', { allowedAccounts: [TIDB], onUnknown: 'accept' as 'reject' }, 'onUnknown'],
  ])('refuses a policy with %s, naming the field', (_name, policy, path) => {
    // Act
    const act = () => planConnections(SERVICE, [pending(TIDB)], policy, OPEN);
    // Assess
    expect(act).toThrow(SpecValidationError);
    expect(act).toThrow(path);
  });
});

describe('audit records and SDK items', () => {
  it('builds a plain audit record with nulls for missing fields', () => {
    const record = auditRecord(SERVICE, { vpcEndpointId: 'vpce-9' }, { decision: 'none', reason: 'r' });
    expect(record).toEqual({
      serviceId: SERVICE,
      vpcEndpointId: 'vpce-9',
      vpcEndpointOwner: null,
      vpcEndpointState: null,
      decision: 'none',
      reason: 'r',
      by: null,
    });
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('maps a DescribeVpcEndpointConnections item', () => {
    const item = {
      VpcEndpointId: 'vpce-1',
      VpcEndpointOwner: TIDB,
      VpcEndpointState: 'pendingAcceptance',
      ServiceId: SERVICE,
    };
    expect(fromEc2Connection(item)).toEqual({
      vpcEndpointId: 'vpce-1',
      vpcEndpointOwner: TIDB,
      vpcEndpointState: 'pendingAcceptance',
      serviceId: SERVICE,
      createdAt: undefined,
    });
    expect(planConnections(SERVICE, [fromEc2Connection(item)], reject, OPEN).accept).toEqual(['vpce-1']);
  });
});

describe('interpretUnsuccessful (Accept/Reject results)', () => {
  it.each([undefined, []])('every requested endpoint is done when Unsuccessful is %j', (unsuccessful) => {
    expect(interpretUnsuccessful('accept', ['vpce-1', 'vpce-2'], unsuccessful)).toEqual([
      { vpcEndpointId: 'vpce-1', action: 'accept', outcome: 'done' },
      { vpcEndpointId: 'vpce-2', action: 'accept', outcome: 'done' },
    ]);
  });

  it('surfaces each unsuccessful endpoint with its code and message', () => {
    // Prepare
    const unsuccessful = [
      { ResourceId: 'vpce-2', Error: { Code: 'InvalidVpcEndpointId.NotFound', Message: 'gone' } },
      { ResourceId: 'vpce-3', Error: { Code: 'RequestLimitExceeded', Message: 'slow down' } },
      { ResourceId: 'vpce-9', Error: { Code: 'Mystery', Message: 'what' } },
      { Error: { Code: 'InvalidState' } },
      { ResourceId: 'vpce-4' },
    ];
    // Act
    const outcomes = interpretUnsuccessful('reject', ['vpce-1', 'vpce-2', 'vpce-3', 'vpce-4'], unsuccessful);
    // Assess
    expect(outcomes).toEqual([
      { vpcEndpointId: 'vpce-1', action: 'reject', outcome: 'done' },
      {
        vpcEndpointId: 'vpce-2',
        action: 'reject',
        outcome: 'gone',
        code: 'InvalidVpcEndpointId.NotFound',
        message: 'gone',
      },
      {
        vpcEndpointId: 'vpce-3',
        action: 'reject',
        outcome: 'retryable',
        code: 'RequestLimitExceeded',
        message: 'slow down',
      },
      { vpcEndpointId: 'vpce-4', action: 'reject', outcome: 'failed', code: 'Unknown', message: '' },
      { vpcEndpointId: 'vpce-9', action: 'reject', outcome: 'failed', code: 'Mystery', message: 'what' },
      {
        vpcEndpointId: '(no ResourceId)',
        action: 'reject',
        outcome: 'state-changed',
        code: 'InvalidState',
        message: '',
      },
    ]);
    expect(unresolvedOutcomes(outcomes).map((o) => o.vpcEndpointId)).toEqual(['vpce-3', 'vpce-4', 'vpce-9']);
  });

  it.each([
    ['InvalidVpcEndpointId.NotFound', 'gone'],
    ['InvalidVpcEndpoint.NotFound', 'gone'],
    ['InvalidState', 'state-changed'],
    ['IncorrectState', 'state-changed'],
    ['RequestLimitExceeded', 'retryable'],
    ['ThrottlingException', 'retryable'],
    ['InternalError', 'retryable'],
    ['ServiceUnavailable', 'retryable'],
    ['UnauthorizedOperation', 'failed'],
    ['InvalidParameterValue', 'failed'],
    ['NotFoundish', 'failed'],
  ])('classifies %s as %s', (code, outcome) => {
    expect(classifyUnsuccessfulCode(code)).toBe(outcome);
  });
});
