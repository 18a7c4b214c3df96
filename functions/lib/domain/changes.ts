/**
 * `kafka-plc plan --live` (pure): the differences `kafka-plc status` finds between the plan and the account
 * (domain/drift.ts, the one diff engine), read as the changes a `provision` would make — Terraform's idiom:
 * `+` create, `~` change, `-` remove. Ill health is not a change (status reports it). Each change says what
 * makes it: provision in place, a roll (one broker at a time), or nothing (it cannot be made in place:
 * `provision` refuses the spec and names the field, planned and live values).
 */
import type { Finding } from './drift';

export type ChangeMaker = 'provision' | 'roll' | 'unsupported';

export interface Change {
  op: '+' | '~' | '-';
  resource: string;
  field: string;
  planned: string;
  live: string;
  by: ChangeMaker;
  /** Why it cannot be made in place, or how it is made when not by provision. */
  note?: string;
}

/** Fields no run changes in place: the resource would have to be replaced, with what runs on it. */
const NOT_IN_PLACE: Record<string, string> = {
  cidr: 'a VPC or subnet CIDR cannot change in place: create a new cluster (another clusterName) and move to it',
  azId: "a subnet's AZ cannot change: create a new cluster (another clusterName) and move to it",
  privateIp: "a broker's private IP is its identity in the KRaft quorum: it cannot change in place",
  instanceType:
    'provisioning does not resize running brokers: stop, modify and start each broker yourself (one at a time, ' +
    'after kafka-plc status shows the cluster healthy), or keep the live type in the spec',
  port: "a target group's port cannot change: a new target group and listener are needed",
};

/** Changed by the roll, one broker at a time, never by provision. */
const BY_ROLL: Record<string, string> = {
  configuration: 'kafka-plc roll re-renders and restarts one broker at a time',
  'brokers advertise': 'kafka-plc roll (or set-unique-name) brings the brokers to the parameter',
};

function make(finding: Finding, op: Change['op']): Change {
  const { resource, field, planned, live } = finding;
  const rolled = BY_ROLL[field];
  if (op === '~' && NOT_IN_PLACE[field])
    return { op, resource, field, planned, live, by: 'unsupported', note: NOT_IN_PLACE[field] };
  if (rolled) return { op, resource, field, planned, live, by: 'roll', note: rolled };
  return { op, resource, field, planned, live, by: 'provision' };
}

/** The changes a provision (or a roll) would make, in the diff engine's order (network first). */
export function changesFrom(findings: readonly Finding[]): Change[] {
  const changes: Change[] = [];
  for (const finding of findings) {
    if (finding.kind !== 'drift') continue;
    if (finding.live === 'missing') changes.push(make(finding, '+'));
    else if (finding.planned === 'absent') changes.push(make(finding, '-'));
    else changes.push(make(finding, '~'));
  }
  return changes;
}

export function unsupportedChanges(changes: readonly Change[]): Change[] {
  return changes.filter((c) => c.by === 'unsupported');
}

/** One terminal line per change: `+ listener 9096: exists (→ tg)`, `~ broker b1: instanceType t3.large → m5.large`. */
export function changeLine(change: Change): string {
  const marker =
    change.by === 'unsupported' ? '  ✗ cannot change in place' : change.by === 'roll' ? '  (by a roll)' : '';
  if (change.op === '+')
    return `+ ${change.resource}${change.field === 'exists' || change.field === 'instance' ? '' : `: ${change.field}`}${change.planned === 'present' ? '' : ` ${change.planned}`}${marker}`;
  if (change.op === '-')
    return `- ${change.resource}${change.field === 'exists' ? '' : `: ${change.field}`} ${change.live}${marker}`;
  return `~ ${change.resource}: ${change.field} ${change.live} → ${change.planned}${marker}`;
}

/** Counts as Terraform prints them: "2 to add, 1 to change, 0 to remove (1 cannot change in place)". */
export function changeSummary(changes: readonly Change[]): string {
  const count = (op: Change['op']) => changes.filter((c) => c.op === op).length;
  const blocked = unsupportedChanges(changes).length;
  return `${count('+')} to add, ${count('~')} to change, ${count('-')} to remove${blocked > 0 ? ` (${blocked} cannot change in place)` : ''}`;
}
