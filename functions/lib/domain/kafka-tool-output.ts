/**
 * Pure parsers for the text the Kafka 3.7 command-line tools print, and the HealthSnapshot built from them.
 * Formats as printed by the Kafka 3.7 sources:
 *  - `kafka-topics.sh --describe`: core/src/main/scala/kafka/admin/TopicCommand.scala, TopicDescription and
 *    PartitionDescription.printDescription: `Topic: t\tTopicId: u\tPartitionCount: n\tReplicationFactor: n\t
 *    Configs: k=v,…` (only non-default entries; a value from server.properties is STATIC_BROKER_CONFIG, so
 *    it is printed) and `\tTopic: t\tPartition: p\tLeader: id|none\tReplicas: a,b\tIsr: a,b` with optional
 *    `Adding Replicas:`/`Removing Replicas:`/`MarkedForDeletion:`. The Java TopicCommand of 3.8+
 *    (tools/…/TopicCommand.java) adds `Elr:`/`LastKnownElr:`; unknown well-formed fields are ignored.
 *  - `kafka-metadata-quorum.sh describe --replication` and `--status`:
 *    tools/src/main/java/org/apache/kafka/tools/MetadataQuorumCommand.java. The replication table comes from
 *    ToolsUtils.prettyPrintTable: each cell padded with spaces to its column's width, then a tab (also after
 *    the last cell). Columns NodeId LogEndOffset Lag LastFetchTimestamp LastCaughtUpTimestamp Status
 *    (3.8+ adds DirectoryId, ignored); rows Leader, Followers, Observers; -1 = unknown timestamp.
 *    `--human-readable` ("N ms ago") is refused: run without it.
 *  - `kafka-broker-api-versions.sh`: core/src/main/scala/kafka/admin/BrokerApiVersionsCommand.scala, one
 *    `<Node> -> (` … `)` block per broker of the Metadata response (registered, unfenced), or
 *    `<Node> -> ERROR: …` when that broker did not answer; Node.toString is `host:port (id: N rack: R)`
 *    (4.x appends ` isFenced: b`).
 * Every parser throws KafkaToolOutputError on a line it does not recognise, a missing field, or empty
 * output: output it cannot read never becomes an empty, healthy cluster.
 */

import { KafkaToolOutputError } from '../errors';
import type { HealthSnapshot, PartitionState, QuorumReplicaState } from './roll';

export interface TopicDescription {
  name: string;
  topicId: string | null;
  partitionCount: number;
  replicationFactor: number;
  /** Non-default configuration entries as printed. */
  configs: Record<string, string>;
  markedForDeletion: boolean;
  partitions: PartitionState[];
}

export interface QuorumReplication {
  leaderId: number;
  voters: QuorumReplicaState[];
  observers: QuorumReplicaState[];
}

export interface QuorumStatus {
  clusterId: string;
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  maxFollowerLag: number;
  maxFollowerLagTimeMs: number;
  currentVoters: number[];
  currentObservers: number[];
}

export interface BrokerListing {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  /** Printed by Kafka 4.x only. */
  fenced: boolean | null;
  /** false when the tool printed `-> ERROR: …` for this broker. */
  answered: boolean;
  error: string | null;
}

const TOPICS = 'kafka-topics --describe';
const REPLICATION = 'kafka-metadata-quorum describe --replication';
const STATUS = 'kafka-metadata-quorum describe --status';
const API_VERSIONS = 'kafka-broker-api-versions';

function excerpt(line: string): string {
  const text = JSON.stringify(line);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function fail(tool: string, message: string, lineNumber?: number, line?: string): never {
  const where =
    lineNumber === undefined ? '' : ` (line ${lineNumber}${line === undefined ? '' : `: ${excerpt(line)}`})`;
  throw new KafkaToolOutputError(tool, `${message}${where}`);
}

/** Non-blank lines with their 1-based numbers; a trailing `\r` is dropped. */
function linesOf(tool: string, text: string): { n: number; line: string }[] {
  const lines = text
    .split('\n')
    .map((raw, i) => ({ n: i + 1, line: raw.replace(/\r$/, '') }))
    .filter(({ line }) => line.trim() !== '');
  if (lines.length === 0) fail(tool, 'empty output (did the command fail?)');
  return lines;
}

function int(tool: string, value: string | undefined, what: string, n: number): number {
  const text = (value ?? '').trim();
  const number = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(number)) {
    fail(tool, `${what} is not an integer: ${JSON.stringify(value ?? null)}`, n);
  }
  return number;
}

function ids(tool: string, value: string, what: string, n: number): number[] {
  return value === '' ? [] : value.split(',').map((id) => int(tool, id, what, n));
}

/** `Key: value` fields of one tab-separated line (empty cells skipped); a cell without a colon is an error. */
function fieldsOf(tool: string, line: string, n: number): Map<string, string> {
  const fields = new Map<string, string>();
  for (const cell of line.split('\t')) {
    if (cell.trim() === '') continue;
    const colon = cell.indexOf(':');
    if (colon < 1) fail(tool, `unrecognised field ${excerpt(cell)}`, n, line);
    const key = cell.slice(0, colon).trim();
    if (fields.has(key)) fail(tool, `field ${key} appears twice`, n, line);
    fields.set(key, cell.slice(colon + 1).trim());
  }
  return fields;
}

function required(tool: string, fields: Map<string, string>, key: string, n: number, line: string): string {
  const value = fields.get(key);
  if (value === undefined) fail(tool, `missing field ${key}`, n, line);
  return value;
}

/** `a=1,b=x,y` → {a: '1', b: 'x,y'}: splits only before `key=`, as values may hold commas. */
function parseConfigs(text: string, n: number, line: string): Record<string, string> {
  const configs: Record<string, string> = {};
  if (text === '') return configs;
  for (const entry of text.split(/,(?=[A-Za-z0-9._-]+=)/)) {
    const match = /^([A-Za-z0-9._-]+)=(.*)$/.exec(entry);
    if (!match?.[1]) fail(TOPICS, `unrecognised config entry ${excerpt(entry)}`, n, line);
    configs[match[1]] = match[2] ?? '';
  }
  return configs;
}

function topicLine(fields: Map<string, string>, n: number, line: string): TopicDescription {
  const get = (key: string) => required(TOPICS, fields, key, n, line);
  return {
    name: get('Topic'),
    topicId: fields.get('TopicId') ?? null,
    partitionCount: int(TOPICS, get('PartitionCount'), 'PartitionCount', n),
    replicationFactor: int(TOPICS, get('ReplicationFactor'), 'ReplicationFactor', n),
    configs: parseConfigs(get('Configs'), n, line),
    markedForDeletion: fields.get('MarkedForDeletion') === 'true',
    partitions: [],
  };
}

function partitionLine(fields: Map<string, string>, n: number, line: string): PartitionState {
  const get = (key: string) => required(TOPICS, fields, key, n, line);
  const leader = get('Leader');
  const partition: PartitionState = {
    topic: get('Topic'),
    partition: int(TOPICS, get('Partition'), 'Partition', n),
    leader: leader === 'none' ? null : int(TOPICS, leader, 'Leader', n),
    replicas: ids(TOPICS, get('Replicas'), 'Replicas', n),
    isr: ids(TOPICS, get('Isr'), 'Isr', n),
  };
  if (partition.replicas.length === 0) fail(TOPICS, 'a partition without replicas', n, line);
  const adding = fields.get('Adding Replicas');
  if (adding) partition.addingReplicas = ids(TOPICS, adding, 'Adding Replicas', n);
  const removing = fields.get('Removing Replicas');
  if (removing) partition.removingReplicas = ids(TOPICS, removing, 'Removing Replicas', n);
  return partition;
}

function checkComplete(topic: TopicDescription | undefined, n: number): void {
  if (topic && topic.partitions.length !== topic.partitionCount) {
    fail(
      TOPICS,
      `topic ${topic.name} has PartitionCount ${topic.partitionCount} but ${topic.partitions.length} lines`,
      n,
    );
  }
}

/**
 * Parses `kafka-topics.sh --describe` (not Kafka's `--under-replicated-partitions` or similar filters: those
 * print partition lines without their topic line). A cluster with no topic prints nothing; pass
 * `allowEmpty` only when the caller has seen the command exit 0. `filtered`: some partition lines were left
 * out on the broker (health-script.ts keeps each listed partition's topic line), so a topic's PartitionCount
 * is not checked against its lines.
 */
export function parseTopicsDescribe(
  text: string,
  options: { allowEmpty?: boolean; filtered?: boolean } = {},
): TopicDescription[] {
  if (text.trim() === '' && options.allowEmpty) return [];
  const topics: TopicDescription[] = [];
  for (const { n, line } of linesOf(TOPICS, text)) {
    const fields = fieldsOf(TOPICS, line, n);
    const current = topics.at(-1);
    if (fields.has('PartitionCount')) {
      if (!options.filtered) checkComplete(current, n);
      const topic = topicLine(fields, n, line);
      if (topics.some((t) => t.name === topic.name))
        fail(TOPICS, `topic ${topic.name} described twice`, n, line);
      topics.push(topic);
    } else if (fields.has('Partition')) {
      const partition = partitionLine(fields, n, line);
      if (!current || current.name !== partition.topic) {
        fail(TOPICS, `partition line of ${partition.topic} outside its topic`, n, line);
      }
      if (current.partitions.some((p) => p.partition === partition.partition)) {
        fail(TOPICS, `partition ${partition.partition} of ${partition.topic} listed twice`, n, line);
      }
      current.partitions.push(partition);
    } else {
      fail(TOPICS, 'neither a topic nor a partition line', n, line);
    }
  }
  if (!options.filtered) checkComplete(topics.at(-1), text.split('\n').length);
  return topics;
}

/** Cells of a prettyPrintTable row: split on tabs, padding trimmed, the empty cell after the last tab dropped. */
function cellsOf(line: string): string[] {
  const cells = line.split('\t').map((cell) => cell.trim());
  while (cells.length > 0 && cells.at(-1) === '') cells.pop();
  return cells;
}

const REPLICATION_COLUMNS = [
  'NodeId',
  'LogEndOffset',
  'Lag',
  'LastFetchTimestamp',
  'LastCaughtUpTimestamp',
  'Status',
];

function timestamp(value: string | undefined, what: string, n: number): number | null {
  if (value !== undefined && / ago$/.test(value)) {
    fail(
      REPLICATION,
      `${what} is human-readable (${value}); run describe --replication without --human-readable`,
      n,
    );
  }
  const ms = int(REPLICATION, value, what, n);
  return ms < 0 ? null : ms;
}

export function parseQuorumReplication(text: string): QuorumReplication {
  const [header, ...rows] = linesOf(REPLICATION, text);
  const columns = cellsOf(header?.line ?? '');
  const missing = REPLICATION_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) fail(REPLICATION, `header lacks ${missing.join(', ')}`, header?.n, header?.line);
  const result: QuorumReplication = { leaderId: -1, voters: [], observers: [] };
  const seen = new Set<number>();
  for (const { n, line } of rows) {
    const cells = cellsOf(line);
    if (cells.length !== columns.length)
      fail(REPLICATION, `${cells.length} cells, header has ${columns.length}`, n, line);
    const cell = (column: string) => cells[columns.indexOf(column)];
    const replica: QuorumReplicaState = {
      nodeId: int(REPLICATION, cell('NodeId'), 'NodeId', n),
      logEndOffset: int(REPLICATION, cell('LogEndOffset'), 'LogEndOffset', n),
      lag: int(REPLICATION, cell('Lag'), 'Lag', n),
      lastFetchTimestamp: timestamp(cell('LastFetchTimestamp'), 'LastFetchTimestamp', n),
      lastCaughtUpTimestamp: timestamp(cell('LastCaughtUpTimestamp'), 'LastCaughtUpTimestamp', n),
    };
    if (seen.has(replica.nodeId)) fail(REPLICATION, `node ${replica.nodeId} listed twice`, n, line);
    seen.add(replica.nodeId);
    const status = cell('Status');
    if (status === 'Leader') {
      if (result.leaderId >= 0) fail(REPLICATION, 'two Leader rows', n, line);
      result.leaderId = replica.nodeId;
      result.voters.unshift(replica);
    } else if (status === 'Follower') result.voters.push(replica);
    else if (status === 'Observer') result.observers.push(replica);
    else fail(REPLICATION, `unknown Status ${JSON.stringify(status)}`, n, line);
  }
  if (result.leaderId < 0) fail(REPLICATION, 'no Leader row');
  return result;
}

/** `[1,2,3]` (3.7) or `[{"id": 1, "directoryId": …, "endpoints": […]}, …]` (3.9+). */
function nodeIdList(value: string, what: string, n: number, line: string): number[] {
  if (/^\[\s*\{/.test(value)) return [...value.matchAll(/"id":\s*(\d+)/g)].map((m) => Number(m[1]));
  const match = /^\[([\d,\s]*)\]$/.exec(value);
  if (!match) fail(STATUS, `${what} is not a list of node IDs`, n, line);
  return ids(STATUS, (match[1] ?? '').replace(/\s/g, ''), what, n);
}

export function parseQuorumStatus(text: string): QuorumStatus {
  const values = new Map<string, { value: string; n: number; line: string }>();
  for (const { n, line } of linesOf(STATUS, text)) {
    const match = /^([A-Za-z]+):\s*(.*)$/.exec(line);
    if (!match?.[1]) fail(STATUS, 'not a "Key: value" line', n, line);
    values.set(match[1], { value: (match[2] ?? '').trim(), n, line });
  }
  const get = (key: string) => values.get(key) ?? fail(STATUS, `missing ${key}`);
  const num = (key: string) => int(STATUS, get(key).value, key, get(key).n);
  const list = (key: string) => nodeIdList(get(key).value, key, get(key).n, get(key).line);
  return {
    clusterId: get('ClusterId').value,
    leaderId: num('LeaderId'),
    leaderEpoch: num('LeaderEpoch'),
    highWatermark: num('HighWatermark'),
    maxFollowerLag: num('MaxFollowerLag'),
    maxFollowerLagTimeMs: num('MaxFollowerLagTimeMs'),
    currentVoters: list('CurrentVoters'),
    currentObservers: list('CurrentObservers'),
  };
}

const BROKER_HEADER = /^(.+):(\d+) \(id: (-?\d+) rack: (.+?)(?: isFenced: (true|false))?\) -> (.*)$/;

export function parseBrokerApiVersions(text: string): BrokerListing[] {
  const brokers: BrokerListing[] = [];
  let open: number | undefined;
  for (const { n, line } of linesOf(API_VERSIONS, text)) {
    if (open !== undefined) {
      if (line === ')') open = undefined;
      else if (!/^\s+\S/.test(line)) fail(API_VERSIONS, 'API version line without indentation', n, line);
      continue;
    }
    const match = BROKER_HEADER.exec(line);
    const rest = match?.[6] ?? '';
    if (!match || !(rest === '(' || rest.startsWith('ERROR: ')))
      fail(API_VERSIONS, 'not a broker line', n, line);
    const nodeId = int(API_VERSIONS, match[3], 'id', n);
    if (brokers.some((b) => b.nodeId === nodeId))
      fail(API_VERSIONS, `broker ${nodeId} listed twice`, n, line);
    brokers.push({
      nodeId,
      host: match[1] ?? '',
      port: int(API_VERSIONS, match[2], 'port', n),
      rack: match[4] === 'null' ? null : (match[4] ?? null),
      fenced: match[5] === undefined ? null : match[5] === 'true',
      answered: rest === '(',
      error: rest === '(' ? null : rest.slice('ERROR: '.length),
    });
    if (rest === '(') open = n;
  }
  if (open !== undefined) fail(API_VERSIONS, 'API version list not closed with ")"', open);
  return brokers;
}

export interface ToolOutputs {
  topicsDescribe: string;
  quorumReplication: string;
  brokerApiVersions: string;
}

/**
 * One HealthSnapshot from the three outputs. Registered = listed by broker-api-versions, answered, not
 * fenced. `brokerMinInsyncReplicas` (the broker's configured value, from the plan) is used for topics whose
 * Configs do not print min.insync.replicas: a conservative fallback.
 */
export function healthSnapshotFromToolOutput(
  outputs: ToolOutputs,
  options: {
    brokerMinInsyncReplicas: number;
    allowNoTopics?: boolean;
    /**
     * The broker listed only partitions not fully replicated, and left this many more out; which brokers
     * share a partition comes from its co-replicas section.
     */
    filtered?: { omittedPartitions: number; coReplicas: Record<number, number[]> };
  },
): HealthSnapshot {
  if (!Number.isInteger(options.brokerMinInsyncReplicas) || options.brokerMinInsyncReplicas < 1) {
    throw new RangeError(`brokerMinInsyncReplicas must be ≥ 1 (got ${options.brokerMinInsyncReplicas})`);
  }
  const topics = parseTopicsDescribe(outputs.topicsDescribe, {
    allowEmpty: options.allowNoTopics ?? false,
    filtered: options.filtered !== undefined,
  });
  const quorum = parseQuorumReplication(outputs.quorumReplication);
  const brokers = parseBrokerApiVersions(outputs.brokerApiVersions);
  const topicMinInsyncReplicas: Record<string, number> = {};
  for (const topic of topics) {
    const value = topic.configs['min.insync.replicas'];
    if (value === undefined) continue;
    const minIsr = Number(value);
    if (!Number.isInteger(minIsr) || minIsr < 1) {
      throw new KafkaToolOutputError(TOPICS, `topic ${topic.name} has min.insync.replicas=${value}`);
    }
    topicMinInsyncReplicas[topic.name] = minIsr;
  }
  return {
    registeredBrokers: brokers
      .filter((b) => b.answered && b.fenced !== true)
      .map((b) => b.nodeId)
      .sort((a, b) => a - b),
    activeControllerId: quorum.leaderId,
    voters: quorum.voters,
    partitions: topics.flatMap((t) => t.partitions),
    topicMinInsyncReplicas,
    brokerMinInsyncReplicas: options.brokerMinInsyncReplicas,
    ...(options.filtered
      ? { omittedPartitions: options.filtered.omittedPartitions, coReplicas: options.filtered.coReplicas }
      : {}),
  };
}
