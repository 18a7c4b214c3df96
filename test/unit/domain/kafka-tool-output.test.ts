import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  healthSnapshotFromToolOutput,
  parseBrokerApiVersions,
  parseQuorumReplication,
  parseQuorumStatus,
  parseTopicsDescribe,
  type ToolOutputs,
} from '../../../functions/lib/domain/kafka-tool-output';
import { canRollNow, isCaughtUp, replicationFactor } from '../../../functions/lib/domain/roll';
import { KafkaToolOutputError } from '../../../functions/lib/errors';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/kafka-output/${name}`, import.meta.url), 'utf8');

/** ToolsUtils.prettyPrintTable: each cell padded to its column's width, then a tab (after the last cell too). */
function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `${r.map((c, i) => `${c.padEnd(widths[i] ?? 0)}\t`).join('')}\n`).join('');
}

const HEADER = ['NodeId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status'];

describe('parseTopicsDescribe (TopicCommand 3.7)', () => {
  it('reads topic and partition lines, as printed by printDescription', () => {
    // Prepare
    const text = [
      'Topic: orders\tTopicId: Zk2m6V1sQp6c3YzQ0eYg9A\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,cleanup.policy=compact,delete',
      '\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3',
      '\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 2,3,1\tIsr: ',
      'Topic: plain\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \tMarkedForDeletion: true',
      '\tTopic: plain\tPartition: 0\tLeader: 3\tReplicas: 3,4\tIsr: 3\tAdding Replicas: 4\tRemoving Replicas: \tMarkedForDeletion: true',
      '',
    ].join('\n');
    // Act
    const topics = parseTopicsDescribe(text);
    // Assess
    expect(topics).toEqual([
      {
        name: 'orders',
        topicId: 'Zk2m6V1sQp6c3YzQ0eYg9A',
        partitionCount: 2,
        replicationFactor: 3,
        configs: { 'min.insync.replicas': '2', 'cleanup.policy': 'compact,delete' },
        markedForDeletion: false,
        partitions: [
          { topic: 'orders', partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] },
          { topic: 'orders', partition: 1, leader: null, replicas: [2, 3, 1], isr: [] },
        ],
      },
      {
        name: 'plain',
        topicId: null,
        partitionCount: 1,
        replicationFactor: 1,
        configs: {},
        markedForDeletion: true,
        partitions: [
          { topic: 'plain', partition: 0, leader: 3, replicas: [3, 4], isr: [3], addingReplicas: [4] },
        ],
      },
    ]);
    expect(replicationFactor(topics[1]!.partitions[0]!)).toBe(1);
  });

  it('reads a reassignment: Adding and Removing Replicas, either printed empty (TopicCommand prints both)', () => {
    const text =
      'Topic: t\tTopicId: x\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: \n' +
      '\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2,3,4\tIsr: 1,2,3\tAdding Replicas: 4\tRemoving Replicas: 3\n' +
      '\tTopic: t\tPartition: 1\tLeader: 2\tReplicas: 2,3,4\tIsr: 2,3\tAdding Replicas: 4\tRemoving Replicas: \n';
    expect(parseTopicsDescribe(text)[0]?.partitions).toEqual([
      {
        topic: 't',
        partition: 0,
        leader: 1,
        replicas: [1, 2, 3, 4],
        isr: [1, 2, 3],
        addingReplicas: [4],
        removingReplicas: [3],
      },
      { topic: 't', partition: 1, leader: 2, replicas: [2, 3, 4], isr: [2, 3], addingReplicas: [4] },
    ]);
  });

  it('tolerates the fields 3.8+ adds (Elr, LastKnownElr) and CRLF line ends', () => {
    const text =
      'Topic: t\tTopicId: x\tPartitionCount: 1\tReplicationFactor: 2\tConfigs: \r\n' +
      '\tTopic: t\tPartition: 0\tLeader: 2\tReplicas: 2,1\tIsr: 2,1\tElr: N/A\tLastKnownElr: N/A\r\n';
    expect(parseTopicsDescribe(text)[0]?.partitions).toEqual([
      { topic: 't', partition: 0, leader: 2, replicas: [2, 1], isr: [2, 1] },
    ]);
  });

  it('reads a partition line whose leading tab was lost', () => {
    const text =
      'Topic: t\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: \nTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1';
    expect(parseTopicsDescribe(text)[0]?.partitions).toHaveLength(1);
  });

  it('returns no topics for empty output only when allowed', () => {
    expect(parseTopicsDescribe('', { allowEmpty: true })).toEqual([]);
    expect(() => parseTopicsDescribe('')).toThrow('empty output');
    expect(() => parseTopicsDescribe('garbage', { allowEmpty: true })).toThrow(KafkaToolOutputError);
  });

  const topicLine = 'Topic: t\tTopicId: x\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: ';
  const p0 = '\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3';
  const p1 = '\tTopic: t\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1';

  it.each([
    ['whitespace only', ' \n\t\n', 'empty output'],
    [
      'the tool error text',
      'Error while executing topic command : Timed out waiting for a node assignment.',
      'line 1',
    ],
    [
      'a Java stack trace',
      'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException',
      'line 1',
    ],
    ['a partition line before any topic', `${p0}\n${topicLine}`, 'outside its topic'],
    ['a truncated topic', `${topicLine}\n${p0}\n`, 'PartitionCount 2 but 1 lines'],
    [
      'a truncated topic followed by another',
      `${topicLine}\n${p0}\nTopic: u\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: `,
      'PartitionCount 2',
    ],
    ['a partition listed twice', `${topicLine}\n${p0}\n${p0}`, 'listed twice'],
    ['a topic described twice', `${topicLine}\n${p0}\n${p1}\n${topicLine}\n${p0}\n${p1}`, 'described twice'],
    [
      'a partition of another topic',
      `${topicLine}\n${p0.replace('Topic: t', 'Topic: u')}`,
      'outside its topic',
    ],
    [
      'a partition number that is not one',
      `${topicLine}\n${p0.replace('Partition: 0', 'Partition: zero')}`,
      'Partition is not an integer',
    ],
    [
      'a broker ID that is not one',
      `${topicLine}\n${p0.replace('Isr: 1,2,3', 'Isr: 1,two')}`,
      'Isr is not an integer',
    ],
    ['no replicas', `${topicLine}\n${p0.replace('Replicas: 1,2,3', 'Replicas: ')}`, 'without replicas'],
    ['a missing Isr field', `${topicLine}\n${p0.replace('\tIsr: 1,2,3', '')}`, 'missing field Isr'],
    ['a missing Configs field', topicLine.replace('\tConfigs: ', ''), 'missing field Configs'],
    ['a bad config entry', topicLine.replace('Configs: ', 'Configs: =2'), 'unrecognised config entry'],
    ['a field without a colon', `${topicLine}\n${p0}\tstray`, 'unrecognised field'],
    ['a field twice', `${topicLine}\n${p0}\tIsr: 1`, 'field Isr appears twice'],
    ['HTML', '<html><body>502 Bad Gateway</body></html>', 'unrecognised field'],
  ])('fails clearly on %s', (_name, text, message) => {
    // Act
    const act = () => parseTopicsDescribe(text);
    // Assess
    expect(act).toThrow(KafkaToolOutputError);
    expect(act).toThrow(message);
  });

  it('names the tool and the line in the error', () => {
    try {
      parseTopicsDescribe(`${topicLine}\n${p0}\n\tTopic: t\tPartition: 1\tLeader: x\tReplicas: 1\tIsr: 1`);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(KafkaToolOutputError);
      expect((error as KafkaToolOutputError).tool).toBe('kafka-topics --describe');
      expect((error as Error).message).toMatch(
        /^kafka-topics --describe: Leader is not an integer: "x" \(line 3\)$/,
      );
    }
  });
});

describe('parseQuorumReplication (MetadataQuorumCommand 3.7)', () => {
  it('reads the padded, tab-terminated table: leader first, followers, observers; -1 → null', () => {
    // Prepare
    const text = table([
      HEADER,
      ['1', '520', '0', '1732550400000', '1732550400000', 'Leader'],
      ['2', '518', '2', '1732550399800', '1732550399700', 'Follower'],
      ['3', '400', '120', '-1', '-1', 'Follower'],
      ['4', '520', '0', '1732550399900', '1732550399900', 'Observer'],
    ]);
    expect(text.split('\n')[0]).toBe(
      'NodeId\tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t',
    );
    // Act
    const quorum = parseQuorumReplication(text);
    // Assess
    expect(quorum).toEqual({
      leaderId: 1,
      voters: [
        {
          nodeId: 1,
          logEndOffset: 520,
          lag: 0,
          lastFetchTimestamp: 1732550400000,
          lastCaughtUpTimestamp: 1732550400000,
        },
        {
          nodeId: 2,
          logEndOffset: 518,
          lag: 2,
          lastFetchTimestamp: 1732550399800,
          lastCaughtUpTimestamp: 1732550399700,
        },
        { nodeId: 3, logEndOffset: 400, lag: 120, lastFetchTimestamp: null, lastCaughtUpTimestamp: null },
      ],
      observers: [
        {
          nodeId: 4,
          logEndOffset: 520,
          lag: 0,
          lastFetchTimestamp: 1732550399900,
          lastCaughtUpTimestamp: 1732550399900,
        },
      ],
    });
  });

  it('reads the 3.8+ table with a DirectoryId column', () => {
    const text = table([
      ['NodeId', 'DirectoryId', ...HEADER.slice(1)],
      ['2', 'pYg3wY5BQ4qQ1f0w9y2Z8g', '10', '0', '1732550400000', '1732550400000', 'Leader'],
      ['1', 'AAAAAAAAAAAAAAAAAAAAAA', '10', '0', '1732550400000', '1732550400000', 'Follower'],
    ]);
    expect(parseQuorumReplication(text)).toMatchObject({
      leaderId: 2,
      voters: [{ nodeId: 2 }, { nodeId: 1 }],
    });
  });

  const leader = ['1', '5', '0', '1732550400000', '1732550400000', 'Leader'];

  it.each([
    ['empty output', '', 'empty output'],
    [
      'the no-leader stack trace',
      'No value present\njava.util.NoSuchElementException: No value present',
      'header lacks',
    ],
    [
      '--human-readable timestamps',
      table([HEADER, [...leader.slice(0, 3), '12 ms ago', '12 ms ago', 'Leader']]),
      'without --human-readable',
    ],
    ['a header without Status', table([HEADER.slice(0, 5), leader.slice(0, 5)]), 'header lacks Status'],
    ['a short row', `${table([HEADER, leader])}2\t5\t0\n`, '3 cells, header has 6'],
    [
      'an unknown status',
      table([HEADER, leader, ['2', '5', '0', '1', '1', 'Candidate']]),
      'unknown Status "Candidate"',
    ],
    ['two leaders', table([HEADER, leader, ['2', ...leader.slice(1)]]), 'two Leader rows'],
    ['no leader', table([HEADER, ['2', '5', '0', '1', '1', 'Follower']]), 'no Leader row'],
    ['a node twice', table([HEADER, leader, ['1', '5', '0', '1', '1', 'Follower']]), 'node 1 listed twice'],
    [
      'a non-numeric offset',
      table([HEADER, ['1', 'n/a', '0', '1', '1', 'Leader']]),
      'LogEndOffset is not an integer',
    ],
    [
      'an offset beyond 2^53',
      table([HEADER, ['1', '9007199254740993', '0', '1', '1', 'Leader']]),
      'not an integer',
    ],
    ['only the header', table([HEADER]), 'no Leader row'],
  ])('fails clearly on %s', (_name, text, message) => {
    const act = () => parseQuorumReplication(text);
    expect(act).toThrow(KafkaToolOutputError);
    expect(act).toThrow(message);
  });
});

describe('parseQuorumStatus (MetadataQuorumCommand 3.7)', () => {
  const status = (voters: string, observers = '[]') =>
    [
      'ClusterId:              MkU3OEVBNTcwNTJENDM2Qk',
      'LeaderId:               2',
      'LeaderEpoch:            7',
      'HighWatermark:          48211',
      'MaxFollowerLag:         1',
      'MaxFollowerLagTimeMs:   371',
      `CurrentVoters:          ${voters}`,
      `CurrentObservers:       ${observers}`,
    ].join('\n');

  it('reads every key; voters as printed by Utils.mkString', () => {
    expect(parseQuorumStatus(status('[1,2,3]', '[4,5]'))).toEqual({
      clusterId: 'MkU3OEVBNTcwNTJENDM2Qk',
      leaderId: 2,
      leaderEpoch: 7,
      highWatermark: 48211,
      maxFollowerLag: 1,
      maxFollowerLagTimeMs: 371,
      currentVoters: [1, 2, 3],
      currentObservers: [4, 5],
    });
  });

  it('reads the 3.9+ voter objects', () => {
    const voters = '[{"id": 1, "directoryId": "x", "endpoints": ["CONTROLLER://b1:29092"]}, {"id": 3}]';
    expect(parseQuorumStatus(status(voters)).currentVoters).toEqual([1, 3]);
  });

  it.each([
    ['a missing key', status('[1,2,3]').replace(/^HighWatermark.*$/m, ''), 'missing HighWatermark'],
    ['a voter list that is not one', status('1,2,3'), 'CurrentVoters is not a list of node IDs'],
    [
      'a line that is not Key: value',
      `${status('[1]')}\nat org.apache.kafka.tools.MetadataQuorumCommand`,
      'not a "Key: value" line',
    ],
    [
      'a non-numeric leader',
      status('[1]').replace('LeaderId:               2', 'LeaderId: none'),
      'LeaderId is not an integer',
    ],
    ['empty output', '\n', 'empty output'],
  ])('fails clearly on %s', (_name, text, message) => {
    const act = () => parseQuorumStatus(text);
    expect(act).toThrow(KafkaToolOutputError);
    expect(act).toThrow(message);
  });
});

describe('parseBrokerApiVersions (BrokerApiVersionsCommand 3.7)', () => {
  const block = '(\n\tProduce(0): 0 to 10 [usable: 10],\n\tPushTelemetry(72): 0 [usable: 0]\n)';

  it('lists every broker of the metadata, answering or not', () => {
    // Prepare
    const text =
      `10.0.0.10:9092 (id: 1 rack: usw2-az1) -> ${block}\n` +
      '10.0.64.10:9092 (id: 2 rack: null) -> ERROR: org.apache.kafka.common.errors.DisconnectException\n' +
      `b3.example:9092 (id: 3 rack: usw2-az3 isFenced: true) -> ${block}\n`;
    // Act / Assess
    expect(parseBrokerApiVersions(text)).toEqual([
      {
        nodeId: 1,
        host: '10.0.0.10',
        port: 9092,
        rack: 'usw2-az1',
        fenced: null,
        answered: true,
        error: null,
      },
      {
        nodeId: 2,
        host: '10.0.64.10',
        port: 9092,
        rack: null,
        fenced: null,
        answered: false,
        error: 'org.apache.kafka.common.errors.DisconnectException',
      },
      {
        nodeId: 3,
        host: 'b3.example',
        port: 9092,
        rack: 'usw2-az3',
        fenced: true,
        answered: true,
        error: null,
      },
    ]);
  });

  it.each([
    ['empty output', '', 'empty output'],
    ['an unclosed API list', `10.0.0.10:9092 (id: 1 rack: null) -> ${block.slice(0, -2)}`, 'not closed'],
    [
      'a broker twice',
      `h:1 (id: 1 rack: null) -> ${block}\nh:2 (id: 1 rack: null) -> ${block}`,
      'broker 1 listed twice',
    ],
    [
      'an API line without indentation',
      'h:1 (id: 1 rack: null) -> (\nProduce(0): 0 to 10\n)',
      'without indentation',
    ],
    [
      'a connection error',
      'Exception in thread "main" java.lang.RuntimeException: Request METADATA failed',
      'not a broker line',
    ],
    ['an unknown result after the arrow', 'h:1 (id: 1 rack: null) -> maybe', 'not a broker line'],
  ])('fails clearly on %s', (_name, text, message) => {
    const act = () => parseBrokerApiVersions(text);
    expect(act).toThrow(KafkaToolOutputError);
    expect(act).toThrow(message);
  });
});

describe('healthSnapshotFromToolOutput', () => {
  const outputs = (): ToolOutputs => ({
    topicsDescribe: fixture('topics-describe.txt'),
    quorumReplication: fixture('quorum-replication.txt'),
    brokerApiVersions: fixture('broker-api-versions.txt'),
  });

  it('registers only brokers that answered and are not fenced', () => {
    // Prepare
    const brokers =
      'h:1 (id: 1 rack: null) -> (\n\tProduce(0): 0 to 10 [usable: 10]\n)\n' +
      'h:2 (id: 2 rack: null) -> ERROR: java.io.IOException: timed out\n' +
      'h:3 (id: 3 rack: null isFenced: true) -> (\n\tProduce(0): 0 to 10 [usable: 10]\n)\n';
    // Act
    const s = healthSnapshotFromToolOutput(
      { ...outputs(), brokerApiVersions: brokers },
      { brokerMinInsyncReplicas: 2 },
    );
    // Assess
    expect(s.registeredBrokers).toEqual([1]);
  });

  it('takes min.insync.replicas from the topic Configs, else the broker value given', () => {
    // Prepare
    const topics =
      'Topic: a\tPartitionCount: 1\tReplicationFactor: 3\tConfigs: min.insync.replicas=3\n' +
      '\tTopic: a\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2,3\n' +
      'Topic: b\tPartitionCount: 1\tReplicationFactor: 3\tConfigs: \n' +
      '\tTopic: b\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: 1,2\n';
    // Act
    const s = healthSnapshotFromToolOutput(
      { ...outputs(), topicsDescribe: topics },
      { brokerMinInsyncReplicas: 2 },
    );
    // Assess
    expect(s.topicMinInsyncReplicas).toEqual({ a: 3 });
    expect(s.brokerMinInsyncReplicas).toBe(2);
    expect(canRollNow(s, 1)).toEqual({
      ok: false,
      reason: expect.stringContaining('ISR at min.insync.replicas with node 1 in it: b-0'),
    });
  });

  it.each([
    [
      'a broken min.insync.replicas',
      {
        topicsDescribe: 'Topic: a\tPartitionCount: 0\tReplicationFactor: 1\tConfigs: min.insync.replicas=two',
      },
      'min.insync.replicas=two',
    ],
    [
      'garbage in any one output',
      { quorumReplication: 'Connection to node -1 could not be established.' },
      'header lacks',
    ],
    ['no topics', { topicsDescribe: '' }, 'empty output'],
  ])('fails on %s', (_name, override, message) => {
    const act = () =>
      healthSnapshotFromToolOutput({ ...outputs(), ...override }, { brokerMinInsyncReplicas: 2 });
    expect(act).toThrow(KafkaToolOutputError);
    expect(act).toThrow(message);
  });

  it('accepts a cluster without topics only when told', () => {
    const s = healthSnapshotFromToolOutput(
      { ...outputs(), topicsDescribe: '' },
      { brokerMinInsyncReplicas: 2, allowNoTopics: true },
    );
    expect(s.partitions).toEqual([]);
  });

  it.each([0, 1.5, Number.NaN])('rejects brokerMinInsyncReplicas %s', (value) => {
    expect(() => healthSnapshotFromToolOutput(outputs(), { brokerMinInsyncReplicas: value })).toThrow(
      RangeError,
    );
  });
});

/**
 * Real captures from Kafka 3.7.1 (test/fixtures/kafka-output/README.md). Only what any capture from a
 * healthy cluster of the seed's shape satisfies is checked, so a new capture keeps these passing.
 */
describe('fixtures: a healthy 3-node cluster', () => {
  const snapshot = () =>
    healthSnapshotFromToolOutput(
      {
        topicsDescribe: fixture('topics-describe.txt'),
        quorumReplication: fixture('quorum-replication.txt'),
        brokerApiVersions: fixture('broker-api-versions.txt'),
      },
      { brokerMinInsyncReplicas: 2 },
    );

  it('parses topics with min.insync.replicas=2 printed, RF 3, full ISR and a leader everywhere', () => {
    const topics = parseTopicsDescribe(fixture('topics-describe.txt'));
    expect(topics.length).toBeGreaterThan(0);
    expect(topics.some((t) => t.configs['min.insync.replicas'] === '2')).toBe(true);
    for (const p of topics.flatMap((t) => t.partitions)) {
      expect({ p, rf: p.replicas.length, isr: [...p.isr].sort() }).toEqual({
        p,
        rf: 3,
        isr: [...p.replicas].sort(),
      });
      expect(p.leader).not.toBeNull();
    }
  });

  it("prints the brokers' static min.insync.replicas in every topic's Configs: the fallback is not used", () => {
    const s = snapshot();
    const topics = parseTopicsDescribe(fixture('topics-describe.txt')).map((t) => t.name);
    expect(topics).toEqual(expect.arrayContaining(['test-topic', '__consumer_offsets']));
    expect(Object.keys(s.topicMinInsyncReplicas).sort()).toEqual([...topics].sort());
    expect(new Set(Object.values(s.topicMinInsyncReplicas))).toEqual(new Set([2]));
  });

  it('parses three voters, one the leader, and the status agrees', () => {
    const replication = parseQuorumReplication(fixture('quorum-replication.txt'));
    const status = parseQuorumStatus(fixture('quorum-status.txt'));
    expect(replication.voters.map((v) => v.nodeId).sort()).toEqual([1, 2, 3]);
    expect(status.currentVoters.sort()).toEqual([1, 2, 3]);
    expect(status.leaderId).toBe(replication.leaderId);
  });

  it('lists brokers 1, 2 and 3, all answering', () => {
    const brokers = parseBrokerApiVersions(fixture('broker-api-versions.txt'));
    expect(brokers.map((b) => [b.nodeId, b.answered]).sort()).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
  });

  it('is caught up on every broker, and a non-controller voter may roll', () => {
    // Prepare
    const s = snapshot();
    const follower = [1, 2, 3].find((id) => id !== s.activeControllerId)!;
    // Act / Assess
    expect(s.registeredBrokers).toEqual([1, 2, 3]);
    for (const id of [1, 2, 3])
      expect(isCaughtUp(s, id, { quorumFetchTimeoutMs: 5000 })).toEqual({ ok: true });
    expect(canRollNow(s, follower, { quorumFetchTimeoutMs: 5000, brokerIds: [1, 2, 3] })).toEqual({
      ok: true,
      warnings: [],
    });
  });

  it('refuses the roll once a broker has left the ISRs (the same capture, one broker fenced)', () => {
    // Prepare: broker 3 gone; Kafka removes it from every ISR.
    const s = snapshot();
    const without3 = {
      ...s,
      registeredBrokers: [1, 2],
      partitions: s.partitions.map((p) => ({ ...p, isr: p.isr.filter((id) => id !== 3) })),
    };
    // Act
    const check = canRollNow(without3, 1, { quorumFetchTimeoutMs: 5000 });
    // Assess
    expect(check).toEqual({ ok: false, reason: expect.stringContaining('broker(s) 3 not registered') });
    expect(check).toEqual({
      ok: false,
      reason: expect.stringContaining('ISR at min.insync.replicas with node 1 in it'),
    });
    expect(isCaughtUp(without3, 3)).toEqual({ ok: false, reason: expect.stringContaining('not registered') });
  });
});
