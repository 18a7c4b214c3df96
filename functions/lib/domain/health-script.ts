/**
 * The cluster health reader: a bash script that runs Kafka 3.7's own tools (real clients nobody here
 * wrote, speaking every API including DescribeQuorum) against the brokers' INTERNAL listeners and prints
 * their output in marked sections. It runs on a broker through SSM Run Command (no Lambda in the VPC, no
 * client library to keep in step with the brokers), or locally against a test cluster: the same script
 * either way, parsed by kafka-tool-output.ts.
 *
 * Only a tool's standard output goes into its section. Its standard error (log4j warnings such as
 * "Connection to node 3 could not be established" while a broker restarts, the JVM's notes) goes to the
 * script's standard error: mixed into a section it made the parsers reject a healthy cluster's output
 * (seen on Kafka 3.7.1). A tool that fails still fails the parse: its section gets a
 * `kafka-plc: <class> exited <code>` line and the tool's error text, which no parser accepts, so a failed
 * tool can never read as "no topics".
 */
import { KAFKA_HOME } from './broker-script';
import type { ToolOutputs } from './kafka-tool-output';
import type { Plan } from './plan';
import { shellQuote } from './shell';

export const SECTIONS = {
  topicsDescribe: 'topics-describe',
  topicsSummary: 'topics-summary',
  coReplicas: 'co-replicas',
  quorumReplication: 'quorum-replication',
  brokerApiVersions: 'broker-api-versions',
} as const;

/** The section only a roll's caught-up check has (renderHealthScript's `elect`): what its election did. */
export const ELECTION_SECTION = 'election';

const MARK = '### kafka-plc section';

/**
 * Characters of partition lines (with their topic lines) the topics section may hold. With the quorum's
 * voter rows (≤ 6 lines) and one line per broker of broker-api-versions (~60 characters; 3,000 for 49
 * brokers), the whole output stays under 20,000 characters, well inside the 24,000 SSM returns.
 */
export const TOPICS_CHAR_BUDGET = 12_000;

/**
 * The decisions read only the partitions that are not fully replicated: a partition whose ISR holds all its
 * replicas, which has a leader and from which no reassignment removes a replica can neither refuse a restart
 * (at or under min ISR needs ISR < replicas, or RF ≤ min ISR, which only warns) nor keep a broker from being
 * caught up. So the broker keeps those out: it prints a partition line only when its Isr has fewer ids than
 * its Replicas, its Leader is none or TopicCommand's `Removing Replicas:` is not empty (a replica being removed
 * does not count towards min ISR, so even a full ISR may refuse), each
 * preceded once by its topic line (for the topic's min.insync.replicas), up to TOPICS_CHAR_BUDGET characters;
 * the rest is counted. Any other line (a failed tool's words) passes, so it still fails the parse. The
 * counts go to their own section: `described <n> listed <n> omitted <n>`.
 * A batch roll must also know which brokers share a partition, fully replicated ones included (two replicas of
 * one partition never restart together): that goes to the co-replicas section, each pair of brokers holding
 * replicas of a common partition once, as `<id> <higher id> <higher id> …` — at most 1,176 pairs for 49
 * brokers, under 4,000 characters whatever the partition count.
 * Given a file name (`-v insync=…`), it also writes there `yes` when it listed and omitted nothing — every
 * partition has its whole replica set in the ISR, a leader, and no replica being removed — or `no`.
 */
const TOPICS_FILTER = `
function ids(text) { return text == "" ? 0 : split(text, parts, ","); }
BEGIN { FS = "\t"; used = 0; described = 0; listed = 0; omitted = 0; topic = ""; shown = 0 }
/^Topic:/ { topic = $0; shown = 0; next }
/^\tTopic:/ {
  described++
  leader = ""; replicas = ""; isr = ""; removing = 0
  for (i = 1; i <= NF; i++) {
    if ($i ~ /^Leader: /) leader = substr($i, 9)
    else if ($i ~ /^Replicas: /) replicas = substr($i, 11)
    else if ($i ~ /^Isr: /) isr = substr($i, 6)
    else if ($i ~ /^Removing Replicas: ./) removing = 1
  }
  nr = split(replicas, r, ",")
  for (a = 1; a <= nr; a++) for (b = 1; b <= nr; b++) if (r[a] + 0 < r[b] + 0) pair[r[a] + 0, r[b] + 0] = 1
  if (leader != "none" && ids(isr) >= ids(replicas) && !removing) next
  need = length($0) + 1 + (shown ? 0 : length(topic) + 1)
  if (used + need > budget) { omitted++; next }
  if (!shown) { print topic; shown = 1 }
  print
  used += need
  listed++
  next
}
{ print }
END {
  if (insync != "") print (listed + omitted == 0 ? "yes" : "no") > insync
  printf "%s %s\\n", mark, "${SECTIONS.topicsSummary}"
  printf "described %d listed %d omitted %d\\n", described, listed, omitted
  printf "%s %s\\n", mark, "${SECTIONS.coReplicas}"
  for (k in pair) { split(k, ab, SUBSEP); peers[ab[1]] = peers[ab[1]] " " ab[2] }
  for (id in peers) print id peers[id]
}`;

/** The quorum's header and its voters (Leader, Follower rows); observers (every broker) are not read. */
const QUORUM_FILTER = 'NR == 1 || /(^|\t)(Leader|Follower) *(\t|$)/ || !/\t/';

export function internalBootstrap(plan: Plan): string {
  return plan.brokers.map((b) => `${b.privateIp}:${plan.kafka.ports.internal}`).join(',');
}

/** The start both scripts share: where the tools are, `run_tool` and `tool_result` with their error handling. */
function toolPrelude(plan: Plan, bootstrap: string, what: string): string[] {
  return [
    '#!/usr/bin/env bash',
    `# kafka-plc: ${what} of cluster ${plan.clusterName} with Kafka's own tools.`,
    'set -uo pipefail',
    `readonly BOOTSTRAP=${shellQuote(bootstrap)}`,
    `KAFKA_HOME="\${KAFKA_PLC_KAFKA_HOME:-${KAFKA_HOME}}"`,
    'JAVA_OPTS="${KAFKA_PLC_TOOL_JAVA_OPTS:--Xmx128m}"',
    'WORK="$(mktemp -d)"',
    'trap \'rm -rf -- "$WORK"\' EXIT',
    "# The tools log WARN and above to standard error (as Kafka's own tools-log4j.properties does).",
    'cat > "$WORK/log4j.properties" << \'KAFKA_PLC_LOG4J\'',
    'log4j.rootLogger=WARN, stderr',
    'log4j.appender.stderr=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stderr.Target=System.err',
    'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'KAFKA_PLC_LOG4J',
    '# run_tool NAME CLASS ARGS…: runs the tool; its standard output, standard error, class and exit code go to',
    '# $WORK/NAME.out, .err, .class and .code (so several may run at once).',
    'run_tool() {',
    '  local name="$1" class="$2" code=0',
    '  shift 2',
    '  printf \'%s\' "$class" > "$WORK/$name.class"',
    '  # shellcheck disable=SC2086 # JAVA_OPTS holds several options',
    '  java $JAVA_OPTS "-Dlog4j.configuration=file:$WORK/log4j.properties" -cp "$KAFKA_HOME/libs/*" "$class" "$@" \\',
    '    > "$WORK/$name.out" 2> "$WORK/$name.err" || code=$?',
    '  printf \'%s\' "$code" > "$WORK/$name.code"',
    '}',
    "# tool_result NAME: the tool's standard output (for its section); its standard error to ours, and into the",
    '# section (after a marker no parser accepts) only when the tool failed; returns its exit code.',
    'tool_result() {',
    '  local name="$1" code',
    '  code="$(cat -- "$WORK/$name.code")"',
    '  cat -- "$WORK/$name.out"',
    '  cat -- "$WORK/$name.err" >&2',
    '  if [ "$code" -ne 0 ]; then',
    '    printf \'kafka-plc: %s exited %s\\n\' "$(cat -- "$WORK/$name.class")" "$code"',
    '    tail -c 3000 -- "$WORK/$name.err"',
    '  fi',
    '  return "$code"',
    '}',
  ];
}

/**
 * `elect_preferred`: Kafka's LeaderElectionCommand, `--election-type PREFERRED --all-topic-partitions`, so
 * leadership goes back to the brokers a batch just restarted instead of staying on the others until
 * `auto.leader.rebalance.enable` gets to it (every 300 s). It changes only which in-sync replica leads;
 * partitions whose preferred replica already leads are left (`Valid replica already elected`), and so are
 * those whose preferred replica is not available (PreferredLeaderNotAvailable only is success: the next
 * election covers them). Returns 1 on any other error, with the tool's output in $WORK/elect.*.
 */
const ELECT_PREFERRED = [
  'elect_preferred() {',
  '  run_tool elect org.apache.kafka.tools.LeaderElectionCommand --bootstrap-server "$BOOTSTRAP" \\',
  '    --election-type PREFERRED --all-topic-partitions',
  '  [ "$(cat -- "$WORK/elect.code")" -eq 0 ] && return 0',
  "  # Partitions whose preferred replica is not available (restarting in the roll's next batch) keep their",
  '  # leader: the election after that batch moves them. That alone is no failure; any other error is.',
  '  # (grep -c reads all its input: an early exit could fail the pipe with SIGPIPE under pipefail)',
  '  grep -q "could not be elected" "$WORK/elect.err" &&',
  '    [ "$(grep "Suppressed: " "$WORK/elect.err" | grep -cv "PreferredLeaderNotAvailableException")" -eq 0 ]',
  '}',
];

export interface HealthScriptOptions {
  /**
   * A roll's check that its batch (one broker or more) caught up: once the read has run, when every partition is
   * fully in sync (the topics filter listed and omitted nothing), elect the preferred leaders in the same command
   * (`elect_preferred`) and say so in the election section — `elected`, `not elected` with the tool's last
   * words, or `not run` — instead of a second Run Command after it. The read's sections are unchanged.
   */
  elect?: boolean;
}

export function renderHealthScript(
  plan: Plan,
  bootstrap = internalBootstrap(plan),
  options: HealthScriptOptions = {},
): string {
  const insync = options.elect ? ' -v insync="$WORK/in-sync"' : '';
  return [
    ...toolPrelude(
      plan,
      bootstrap,
      options.elect ? 'read the health, then elect preferred leaders' : 'read the health (read-only)',
    ),
    ...(options.elect ? ELECT_PREFERRED : []),
    'section() {',
    `  printf '%s %s\\n' '${MARK}' "$1"`,
    '}',
    'status=0',
    '# Only what the roll decides on leaves the broker (SSM returns 24,000 characters of output): the',
    '# partitions that are not fully replicated, the voters, one line per broker.',
    '# The three tools at once (each a JVM of its own): the read takes the longest of them, not their sum.',
    'run_tool topics org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --describe &',
    'run_tool quorum org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$BOOTSTRAP" describe --replication &',
    'run_tool brokers kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$BOOTSTRAP" &',
    'wait',
    `section ${SECTIONS.topicsDescribe}`,
    `tool_result topics | awk -v budget=${TOPICS_CHAR_BUDGET} -v mark=${shellQuote(MARK)}${insync} ${shellQuote(TOPICS_FILTER)} || status=1`,
    `section ${SECTIONS.quorumReplication}`,
    `tool_result quorum | awk ${shellQuote(QUORUM_FILTER)} || status=1`,
    `section ${SECTIONS.brokerApiVersions}`,
    "tool_result brokers | grep -v '^[[:space:]]' || status=1",
    ...(options.elect
      ? [
          `section ${ELECTION_SECTION}`,
          '# Only on a read that succeeded and found every partition fully in sync: the preferred replicas lead again.',
          'if [ "$status" -ne 0 ] || [ "$(cat -- "$WORK/in-sync" 2> /dev/null)" != yes ]; then',
          "  echo 'not run: partitions not fully in sync'",
          'elif elect_preferred; then',
          '  echo elected',
          'else',
          '  printf \'not elected: LeaderElectionCommand exited %s\\n\' "$(cat -- "$WORK/elect.code")"',
          '  tail -c 1000 -- "$WORK/elect.err"',
          'fi',
        ]
      : []),
    'section end',
    'exit "$status"',
    '',
  ].join('\n');
}

export interface TopicsSummary {
  described: number;
  listed: number;
  omitted: number;
}

/** The counts line of the topics-summary section; undefined when it is not there. */
export function parseTopicsSummary(text: string): TopicsSummary | undefined {
  const match = /^described (\d+) listed (\d+) omitted (\d+)$/m.exec(text);
  if (!match) return undefined;
  return { described: Number(match[1]), listed: Number(match[2]), omitted: Number(match[3]) };
}

/**
 * The co-replicas section: for each broker, the brokers it shares at least one partition with (both ways,
 * ascending); undefined when a line is not `<id> <id> …`, so unreadable output never reads as "no pairs".
 */
export function parseCoReplicas(text: string): Record<number, number[]> | undefined {
  const peers = new Map<number, Set<number>>();
  const add = (a: number, b: number) => peers.set(a, (peers.get(a) ?? new Set()).add(b));
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    if (!/^\d+( \d+)+$/.test(line.trim())) return undefined;
    const [id, ...others] = line.trim().split(' ').map(Number);
    for (const other of others) {
      add(id as number, other);
      add(other, id as number);
    }
  }
  return Object.fromEntries(
    [...peers.entries()].sort(([a], [b]) => a - b).map(([id, set]) => [id, [...set].sort((a, b) => a - b)]),
  );
}

/** What the election section says (renderHealthScript's `elect`): run or not, elected or not, and why. */
export interface ElectionOutcome {
  ran: boolean;
  elected: boolean;
  detail: string;
}

export function parseElection(text: string): ElectionOutcome | undefined {
  const [first = '', ...rest] = text.split('\n');
  if (first === 'elected') return { ran: true, elected: true, detail: 'elected' };
  if (first.startsWith('not run: ')) return { ran: false, elected: false, detail: first.slice(9) };
  if (first.startsWith('not elected: '))
    return { ran: true, elected: false, detail: [first.slice(13), ...rest].join('\n').trim() };
  return undefined;
}

/** Splits the script's output into the tool outputs; a missing section is reported by name. */
export function splitHealthOutput(text: string): ToolOutputs & {
  topicsSummary: TopicsSummary | undefined;
  coReplicas: Record<number, number[]> | undefined;
  /** Only in the output of a read with `elect`. */
  election: ElectionOutcome | undefined;
  missing: string[];
} {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${MARK} `)) {
      current = [];
      sections.set(line.slice(MARK.length + 1).trim(), current);
    } else current?.push(line);
  }
  const get = (name: string) => (sections.get(name) ?? []).join('\n').trim();
  const missing = Object.values(SECTIONS).filter((name) => !sections.has(name));
  return {
    topicsDescribe: get(SECTIONS.topicsDescribe),
    quorumReplication: get(SECTIONS.quorumReplication),
    brokerApiVersions: get(SECTIONS.brokerApiVersions),
    topicsSummary: parseTopicsSummary(get(SECTIONS.topicsSummary)),
    coReplicas: parseCoReplicas(get(SECTIONS.coReplicas)),
    election: sections.has(ELECTION_SECTION) ? parseElection(get(ELECTION_SECTION)) : undefined,
    missing: sections.has('end') ? missing : [...missing, 'end'],
  };
}

/**
 * A roll's preferred-leader election on its own (`elect_preferred`), for when the health read that saw the
 * batch caught up did not elect (renderHealthScript's `elect`: its partitions were not all in sync yet).
 */
export function renderElectionScript(plan: Plan, bootstrap = internalBootstrap(plan)): string {
  return [
    ...toolPrelude(plan, bootstrap, 'elect the preferred leaders'),
    ...ELECT_PREFERRED,
    'if elect_preferred; then',
    '  cat -- "$WORK/elect.out"',
    '  grep -q \'could not be elected\' "$WORK/elect.err" &&',
    "    echo 'kafka-plc: partitions whose preferred replica is not available yet keep their leader'",
    '  exit 0',
    'fi',
    'tool_result elect',
    'exit 1',
    '',
  ].join('\n');
}
