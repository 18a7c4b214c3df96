/** The live plan's changes (domain/changes.ts): status's findings read as what a provision would do. */
import { describe, expect, it } from 'vitest';
import { livePlanText, previewOf, refuseUnsupported } from '../../../cli/commands/plan-live';
import {
  changeLine,
  changeSummary,
  changesFrom,
  unsupportedChanges,
} from '../../../functions/lib/domain/changes';
import type { Finding } from '../../../functions/lib/domain/drift';

const drift = (resource: string, field: string, planned: string, live: string): Finding => ({
  kind: 'drift',
  resource,
  field,
  planned,
  live,
});

describe('changesFrom', () => {
  it('missing → +, not planned → -, different → ~; ill health is not a change', () => {
    // Prepare
    const findings: Finding[] = [
      drift('listener 9096', 'exists', '→ seed-usw2-b4', 'missing'),
      drift('listener 9099', 'exists', 'absent', '→ old'),
      drift('endpoint service vpce-svc-1', 'allowed principal', 'arn:aws:iam::1:root', 'missing'),
      drift('listener 9093', 'target group', 'seed-usw2-b1', 'other'),
      { kind: 'health', resource: 'broker b2 (i-2)', field: 'state', planned: 'running', live: 'stopped' },
    ];
    // Act
    const changes = changesFrom(findings);
    // Assess
    expect(changes.map(changeLine)).toEqual([
      '+ listener 9096 → seed-usw2-b4',
      '- listener 9099 → old',
      '+ endpoint service vpce-svc-1: allowed principal arn:aws:iam::1:root',
      '~ listener 9093: target group other → seed-usw2-b1',
    ]);
    expect(changes.every((c) => c.by === 'provision')).toBe(true);
    expect(changeSummary(changes)).toBe('2 to add, 1 to change, 1 to remove');
  });

  it.each([
    ['instanceType', 'broker b1 (i-1)', 't3.large', 'm5.large'],
    ['cidr', 'vpc vpc-1', '10.0.0.0/16', '10.9.0.0/16'],
    ['azId', 'subnet broker-usw2-az1', 'usw2-az1', 'usw2-az4'],
    ['privateIp', 'broker b1 (i-1)', '10.0.0.10', '10.0.0.99'],
    ['port', 'target group seed-usw2-b1', '39092', '39093'],
  ])('%s cannot change in place: marked, and the summary counts it', (field, resource, planned, live) => {
    // Act
    const changes = changesFrom([drift(resource, field, planned, live)]);
    // Assess
    expect(unsupportedChanges(changes)).toHaveLength(1);
    expect(changeLine(changes[0] as never)).toBe(
      `~ ${resource}: ${field} ${live} → ${planned}  ✗ cannot change in place`,
    );
    expect(changes[0]?.note).toBeTruthy();
    expect(changeSummary(changes)).toBe('0 to add, 1 to change, 0 to remove (1 cannot change in place)');
  });

  it('a broker configuration and the advertised unique name are changed by a roll, not by provision', () => {
    const changes = changesFrom([
      drift('broker b1 (i-1)', 'configuration', 'aaaa', 'bbbb'),
      drift('parameter /kafka-plc/c/unique-name', 'brokers advertise', 'tidb-new', 'tidb-old'),
    ]);
    expect(changes.map((c) => c.by)).toEqual(['roll', 'roll']);
    expect(changeLine(changes[0] as never)).toBe('~ broker b1 (i-1): configuration bbbb → aaaa  (by a roll)');
    expect(unsupportedChanges(changes)).toEqual([]);
  });
});

describe("an existing broker's preview output (plan --live)", () => {
  it('the diff lines after "would change"; none when unchanged; null with the reason when absent', () => {
    const changed = [
      '2026-12-01T10:00:00Z kafka-plc[b1]: preview: /etc/kafka/server.properties would change (then a restart):',
      '--- /etc/kafka/server.properties',
      '+++ /etc/kafka/server.properties (patched)',
      '@@ -1,3 +1,3 @@',
      '-listeners=INTERNAL://0.0.0.0:9092',
      '+listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:39092',
      '',
    ].join('\n');
    expect(previewOf(changed).diff).toEqual([
      '--- /etc/kafka/server.properties',
      '+++ /etc/kafka/server.properties (patched)',
      '@@ -1,3 +1,3 @@',
      '-listeners=INTERNAL://0.0.0.0:9092',
      '+listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:39092',
    ]);
    expect(
      previewOf('x kafka-plc[b1]: preview: /etc/kafka/server.properties unchanged, no restart\n'),
    ).toEqual({ diff: [] });
    expect(previewOf('')).toEqual({
      diff: null,
      note: 'no preview in the command output (an emulator runs no command)',
    });
  });
});

describe("provision's guard (refuseUnsupported)", () => {
  const live = (changes: ReturnType<typeof changesFrom>) => ({
    cluster: 'c',
    region: 'us-west-2',
    fresh: false,
    changes,
    rollOrder: [],
    rollBatchSize: 1,
    notes: [],
  });

  it('refuses a change it cannot make in place, naming field, planned and live values', () => {
    const changes = changesFrom([drift('broker b1 (i-1)', 'instanceType', 'm5.large', 't3.large')]);
    expect(() => refuseUnsupported(live(changes), 'c.json')).toThrow(
      /broker b1 \(i-1\): instanceType: planned m5\.large, live t3\.large — provisioning does not resize/,
    );
  });

  it('sends a changed broker configuration to the roll; lets provision configure brokers with none recorded', () => {
    const running = changesFrom([drift('broker b2 (i-2)', 'configuration', 'aaaa', 'bbbb')]);
    const halfway = changesFrom([drift('broker b2 (i-2)', 'configuration', 'aaaa', 'none recorded')]);
    expect(() => refuseUnsupported(live(running), 'c.json')).toThrow(
      'broker b2 (i-2) run another configuration than this spec renders; provisioning never restarts running brokers: run "kafka-plc roll --spec c.json"',
    );
    expect(() => refuseUnsupported(live(halfway), 'c.json')).not.toThrow();
    expect(() => refuseUnsupported(live(changesFrom([])), 'c.json')).not.toThrow();
  });
});

describe('the live plan text names how the roll restarts brokers', () => {
  const plan = (rollBatchSize: number) => ({
    cluster: 'c',
    region: 'us-west-2',
    fresh: false,
    changes: changesFrom([drift('broker b1 (i-1)', 'configuration', 'aaaa', 'bbbb')]),
    rollOrder: ['b1', 'b2', 'b3'],
    rollBatchSize,
    notes: [],
  });

  it('one at a time by default, in batches of up to roll.maxBatchSize when the spec asks', () => {
    expect(livePlanText(plan(1))).toContain(
      'roll order: b1, b2, b3 (one at a time, each when Kafka says it is safe',
    );
    expect(livePlanText(plan(3))).toContain(
      "roll order: b1, b2, b3 in batches of up to 3 (each batch decided from Kafka's health when it starts",
    );
  });
});
