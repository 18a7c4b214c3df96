/**
 * SSM Run Command for the real-Kafka harness: the one place where this machine stands in for EC2.
 *
 * An HTTP endpoint in front of the AWS emulator (moto). The SDK clients of our Lambdas reach it through
 * AWS_ENDPOINT_URL like any AWS endpoint; it answers the SSM operations our adapters make for instances
 * that are harness brokers (EC2 tags kafka-plc:cluster and kafka-plc:node-id, read from the emulator) and
 * forwards every other request to the emulator unchanged:
 *  - SendCommand (AWS-RunShellScript): the script is written to `_script.sh` and run with `sh -c <path>`,
 *    as the SSM agent's aws:runShellScript plugin does (amazon-ssm-agent, agent/plugins/runscript:
 *    ScriptName "_script.sh", ShellCommand "sh", ShellArguments ["-c"]), so its shebang picks bash;
 *    `executionTimeout` ends it (status TimedOut, "Execution Timed Out").
 *  - GetCommandInvocation: Pending → InProgress → Success (exit 0) / Failed; standard output cut at
 *    24,000 characters and standard error at 8,000 ("GetCommandInvocation", AWS Systems Manager API
 *    Reference: StandardOutputContent "the first 24,000 characters", StandardErrorContent "the first 8,000").
 *  - ListCommands (by instance, newest first, 50 per page with NextToken, as MaxResults' default),
 *    ListCommandInvocations, DescribeInstanceInformation (PingStatus Online for a broker whose host is up).
 *
 * The host differs from an EC2 broker in what one machine cannot be: its address and directories. The
 * Lambdas render scripts for the AWS plan (private IPs from the VPC CIDR, listeners on 0.0.0.0, log.dirs
 * /var/lib/kafka/data, Kafka in /opt/kafka, config in /etc/kafka); here each broker is a loopback address
 * and a directory. So before a script runs, each planned private IP becomes its broker's loopback address,
 * 0.0.0.0 this host's own, and /var/lib/kafka/data this broker's data directory (`hostView`); Kafka's home,
 * the config and systemd directories come from the overrides the scripts already read (KAFKA_PLC_*), and
 * `systemctl` is a stand-in that asks the harness to stop/start the broker's JVM (SIGTERM, a controlled
 * shutdown, as systemd does with the unit's KillSignal). A test checks that hostView turns the Lambdas'
 * script into exactly the one the harness renders for that host: nothing else is changed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CREDENTIALS_FILE } from '../../functions/lib/domain/consumer-auth';
import { BROKER_CONF_DIR } from '../../functions/lib/domain/kafka-config';
import { DEFAULT_LOG_DIRS, type Plan } from '../../functions/lib/domain/plan';
import { SSM_STDERR_LIMIT, SSM_STDOUT_LIMIT } from '../aws-model/rules';
import { installAwsCli } from './aws-cli';
import { TOOL_JAVA_OPTS } from './kafka-jvm';

/** What the executor needs of the harness (test/kafka/harness.ts KafkaCluster). */
export interface BrokerHosts {
  brokers: { nodeId: number; dir: string }[];
  /** Loopback address of a broker. */
  addressOf(nodeId: number): string;
  isRunning(nodeId: number): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (systemd's TimeoutStopSec); `how` says which ended it. */
  stopBroker(
    nodeId: number,
    graceMs?: number,
  ): Promise<{ how: 'exited' | 'killed'; exitCode: number | null }>;
  startBroker(nodeId: number): Promise<unknown>;
  restartBroker(nodeId: number): Promise<unknown>;
}

export interface ExecutorOptions {
  /** The emulator every other request goes to. */
  upstream: string;
  hosts: BrokerHosts;
  /** The plan the Lambdas compute for the cluster (AWS addresses and paths). */
  awsPlan: Plan;
  kafkaHome: string;
}

export interface ExecutedCommand {
  commandId: string;
  instanceId: string;
  nodeId: number;
  comment: string;
  requestedAt: number;
  status: 'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut';
  statusDetails: string;
  responseCode: number;
  stdout: string;
  stderr: string;
  startedAt?: number;
  endedAt?: number;
  timeoutSeconds: number;
  done: Promise<void>;
}

export interface ServiceAction {
  nodeId: number;
  verb: string;
  /** What the harness answered (a BrokerRestart for restart). */
  result: unknown;
}

export interface RunCommandExecutor {
  endpoint: string;
  /** Every command run on a broker host, oldest first. */
  commands: ExecutedCommand[];
  /** What the systemctl stand-in carried out (is-active queries not included), oldest first. */
  serviceActions: ServiceAction[];
  /** Secret IDs brokers read through the aws stand-in, oldest first. */
  secretReads: string[];
  /**
   * Forgets every command run so far, as SSM does once its retention has passed (command history is kept for
   * a limited time: ListCommands, ListCommandInvocations and GetCommandInvocation no longer return them);
   * `commands` keeps them for the test.
   */
  expireHistory(): void;
  /**
   * A fault: the next `systemctl stop` of `nodeId` gives Kafka `graceMs` for its controlled shutdown, then
   * SIGKILL — what systemd does when the shutdown outlasts TimeoutStopSec.
   */
  cutNextStop(nodeId: number, graceMs: number): void;
  stop(): Promise<void>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The script as it runs on broker `nodeId`'s host here: every planned private IP replaced by that broker's
 * loopback address (whole addresses only), the wildcard listener address by this host's, the default
 * log directory by this broker's.
 */
export function hostView(script: string, awsPlan: Plan, hosts: BrokerHosts, nodeId: number): string {
  let text = script;
  const own = hosts.addressOf(nodeId);
  const dir = hosts.brokers.find((b) => b.nodeId === nodeId)?.dir;
  if (!dir) throw new Error(`b${nodeId} is not a harness broker`);
  for (const broker of awsPlan.brokers) {
    const pattern = new RegExp(`(?<![\\d.])${escapeRegExp(broker.privateIp)}(?![\\d])`, 'g');
    text = text.replace(pattern, hosts.addressOf(broker.nodeId));
  }
  text = text.replace(/(?<![\d.])0\.0\.0\.0(?![\d])/g, own);
  text = text.replaceAll(`${BROKER_CONF_DIR}/${CREDENTIALS_FILE}`, join(dir, 'conf', CREDENTIALS_FILE));
  return text.replaceAll(DEFAULT_LOG_DIRS, join(dir, 'data'));
}

/**
 * `systemctl` on a broker host (systemctl-stand-in.sh): asks the executor to act on the broker's JVM. In bash, its HTTP request
 * over bash's own /dev/tcp: systemd's systemctl answers in milliseconds, and a roll calls it five times a
 * restart (enable, is-active, stop, show, start) — a Node stand-in took 0.1 s idle, several times that with six
 * brokers on two cores, and slowed every restart the benches measure by seconds.
 */
const SYSTEMCTL = readFileSync(new URL('systemctl-stand-in.sh', import.meta.url), 'utf8');

const PAGE = 50;
const AGENT_PICKUP_MS = 100;

export async function startRunCommandExecutor(options: ExecutorOptions): Promise<RunCommandExecutor> {
  const { hosts, awsPlan } = options;
  const work = mkdtempSync(join(tmpdir(), 'kafka-plc-run-command-'));
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'systemctl'), SYSTEMCTL);
  chmodSync(join(bin, 'systemctl'), 0o755);
  installAwsCli(bin);
  // Each host's systemd unit directory (KAFKA_PLC_SYSTEMD_DIR), made once.
  for (const broker of hosts.brokers) mkdirSync(join(broker.dir, 'systemd'), { recursive: true });
  const ec2 = new EC2Client({
    endpoint: options.upstream,
    region: awsPlan.region,
    credentials: { accessKeyId: 'executor', secretAccessKey: 'executor' },
  });
  const nodeOfInstance = new Map<string, number | null>();
  const commands: ExecutedCommand[] = [];
  /** Secret IDs the brokers read through the aws stand-in, in order. */
  const secretReads: string[] = [];
  /** Commands before this index have left SSM's history (expireHistory). */
  let expiredBefore = 0;
  const history = () => commands.slice(expiredBefore);
  const serviceActions: ServiceAction[] = [];
  /** Each broker's last stop (what `systemctl show` reports) and the stops cut short by cutNextStop. */
  const lastStop = new Map<number, { how: 'exited' | 'killed'; exitCode: number | null }>();
  const cutStops = new Map<number, number>();
  const children = new Set<ChildProcess>();
  let port = 0;

  /** The harness broker an instance is, from its tags in the emulator; null when it is none. */
  async function nodeOf(instanceId: string): Promise<number | null> {
    const known = nodeOfInstance.get(instanceId);
    if (known !== undefined) return known;
    let node: number | null = null;
    try {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const tags = new Map(
        (out.Reservations?.[0]?.Instances?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']),
      );
      const id = Number(tags.get('kafka-plc:node-id'));
      if (tags.get('kafka-plc:cluster') === awsPlan.clusterName && hosts.brokers.some((b) => b.nodeId === id))
        node = id;
    } catch {
      node = null;
    }
    nodeOfInstance.set(instanceId, node);
    return node;
  }

  function hostEnv(nodeId: number): NodeJS.ProcessEnv {
    const dir = hosts.brokers.find((b) => b.nodeId === nodeId)?.dir ?? '';
    return {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      KAFKA_PLC_KAFKA_HOME: options.kafkaHome,
      KAFKA_PLC_CONF_DIR: join(dir, 'conf'),
      KAFKA_PLC_SYSTEMD_DIR: join(dir, 'systemd'),
      KAFKA_PLC_INSTALL: 'no',
      KAFKA_PLC_USER: 'kafka-plc-harness-no-such-user',
      KAFKA_PLC_TOOL_JAVA_OPTS: TOOL_JAVA_OPTS.join(' '),
      KAFKA_PLC_SYSTEMCTL_URL: `http://127.0.0.1:${port}/systemctl/${nodeId}`,
      KAFKA_PLC_AWS_CLI_URL: `http://127.0.0.1:${port}/aws-cli/${nodeId}`,
    };
  }

  function run(command: ExecutedCommand, script: string): void {
    const dir = join(work, command.commandId);
    mkdirSync(dir);
    const path = join(dir, '_script.sh');
    writeFileSync(path, hostView(script, awsPlan, hosts, command.nodeId));
    chmodSync(path, 0o700);
    let resolve: () => void = () => undefined;
    command.done = new Promise((r) => {
      resolve = r;
    });
    // The agent picks a command up after a moment: until then the invocation is Pending.
    setTimeout(() => {
      command.status = 'InProgress';
      command.statusDetails = 'InProgress';
      command.startedAt = Date.now();
      const child = spawn('sh', ['-c', path], {
        cwd: dir,
        env: hostEnv(command.nodeId),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        kill(child, 'SIGKILL');
      }, command.timeoutSeconds * 1000);
      child.stdout?.on('data', (chunk: Buffer) => {
        command.stdout += chunk.toString('utf8');
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        command.stderr += chunk.toString('utf8');
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        children.delete(child);
        command.endedAt = Date.now();
        command.responseCode = timedOut ? -1 : (code ?? -1);
        if (timedOut) {
          command.status = 'TimedOut';
          command.statusDetails = 'ExecutionTimedOut';
        } else {
          command.status = code === 0 ? 'Success' : 'Failed';
          command.statusDetails = command.status;
        }
        resolve();
      });
    }, AGENT_PICKUP_MS);
  }

  async function sendCommand(body: Record<string, unknown>): Promise<unknown | undefined> {
    const ids = (body.InstanceIds as string[] | undefined) ?? [];
    const nodes = await Promise.all(ids.map(nodeOf));
    if (ids.length === 0 || nodes.some((n) => n === null)) return undefined;
    if (ids.length !== 1)
      throw new AwsError('InvalidParameters', 'the executor runs one instance per command');
    if (body.DocumentName !== 'AWS-RunShellScript')
      throw new AwsError(
        'InvalidDocument',
        `document ${String(body.DocumentName)} is not AWS-RunShellScript`,
      );
    const comment = String(body.Comment ?? '');
    if (comment.length > 100)
      throw new AwsError('ValidationException', 'Comment is longer than 100 characters');
    const parameters = (body.Parameters ?? {}) as Record<string, string[]>;
    const script = (parameters.commands ?? []).join('\n');
    if (!script) throw new AwsError('InvalidParameters', 'commands is required');
    const timeoutSeconds = Number(parameters.executionTimeout?.[0] ?? 3600);
    const command: ExecutedCommand = {
      commandId: randomUUID(),
      instanceId: ids[0] as string,
      nodeId: nodes[0] as number,
      comment,
      requestedAt: Date.now(),
      status: 'Pending',
      statusDetails: 'Pending',
      responseCode: -1,
      stdout: '',
      stderr: '',
      timeoutSeconds,
      done: Promise.resolve(),
    };
    commands.push(command);
    run(command, script);
    return { Command: commandShape(command, body) };
  }

  function commandShape(c: ExecutedCommand, body?: Record<string, unknown>) {
    const terminal = c.status !== 'Pending' && c.status !== 'InProgress';
    return {
      CommandId: c.commandId,
      DocumentName: 'AWS-RunShellScript',
      Comment: c.comment,
      InstanceIds: [c.instanceId],
      RequestedDateTime: c.requestedAt / 1000,
      Status: c.status,
      StatusDetails: c.statusDetails,
      TargetCount: 1,
      CompletedCount: terminal ? 1 : 0,
      ErrorCount: c.status === 'Failed' ? 1 : 0,
      DeliveryTimedOutCount: 0,
      ...(body ? { Parameters: body.Parameters } : {}),
    };
  }

  async function getInvocation(body: Record<string, unknown>) {
    const command = history().find((c) => c.commandId === body.CommandId && c.instanceId === body.InstanceId);
    if (!command) {
      if ((await nodeOf(String(body.InstanceId))) === null) return undefined;
      throw new AwsError('InvocationDoesNotExist', 'no such invocation');
    }
    return {
      CommandId: command.commandId,
      InstanceId: command.instanceId,
      Comment: command.comment,
      DocumentName: 'AWS-RunShellScript',
      PluginName: 'aws:runShellScript',
      ResponseCode: command.responseCode,
      Status: command.status,
      StatusDetails: command.statusDetails,
      ExecutionStartDateTime: command.startedAt ? new Date(command.startedAt).toISOString() : '',
      ExecutionEndDateTime: command.endedAt ? new Date(command.endedAt).toISOString() : '',
      StandardOutputContent: command.stdout.slice(0, SSM_STDOUT_LIMIT),
      StandardErrorContent: command.stderr.slice(0, SSM_STDERR_LIMIT),
    };
  }

  async function listCommands(body: Record<string, unknown>) {
    const instanceId = body.InstanceId as string | undefined;
    if (!instanceId || (await nodeOf(instanceId)) === null) return undefined;
    const all = history()
      .filter((c) => c.instanceId === instanceId)
      .reverse();
    const from = Number(body.NextToken ?? 0);
    const size = Number(body.MaxResults ?? PAGE);
    const page = all.slice(from, from + size);
    return {
      Commands: page.map((c) => commandShape(c)),
      ...(from + size < all.length ? { NextToken: String(from + size) } : {}),
    };
  }

  async function listInvocations(body: Record<string, unknown>) {
    const instanceId = body.InstanceId as string | undefined;
    if (!instanceId || (await nodeOf(instanceId)) === null) return undefined;
    const matching = history()
      .filter((c) => c.instanceId === instanceId && (!body.CommandId || c.commandId === body.CommandId))
      .reverse();
    return {
      CommandInvocations: matching.map((c) => ({
        CommandId: c.commandId,
        InstanceId: c.instanceId,
        Comment: c.comment,
        DocumentName: 'AWS-RunShellScript',
        RequestedDateTime: c.requestedAt / 1000,
        Status: c.status,
        StatusDetails: c.statusDetails,
      })),
    };
  }

  async function describeInstanceInformation(body: Record<string, unknown>) {
    const filters = (body.Filters as { Key: string; Values: string[] }[] | undefined) ?? [];
    const ids = filters.find((f) => f.Key === 'InstanceIds')?.Values ?? [];
    const nodes = await Promise.all(ids.map(nodeOf));
    if (ids.length === 0 || nodes.some((n) => n === null)) return undefined;
    return {
      InstanceInformationList: ids.map((id, i) => ({
        InstanceId: id,
        PingStatus: hosts.brokers.some((b) => b.nodeId === nodes[i]) ? 'Online' : 'ConnectionLost',
        PlatformType: 'Linux',
        PlatformName: 'Amazon Linux',
        ResourceType: 'EC2Instance',
      })),
    };
  }

  const handlers: Record<string, (body: Record<string, unknown>) => Promise<unknown | undefined>> = {
    SendCommand: sendCommand,
    GetCommandInvocation: getInvocation,
    ListCommands: listCommands,
    ListCommandInvocations: listInvocations,
    DescribeInstanceInformation: describeInstanceInformation,
  };

  async function systemctl(
    nodeId: number,
    verb: string,
    property: string,
    res: ServerResponse,
  ): Promise<void> {
    const running = hosts.isRunning(nodeId);
    if (verb === 'is-active') {
      res.writeHead(running ? 200 : 409).end(running ? 'active\n' : 'inactive\n');
      return;
    }
    if (verb === 'show') {
      // What systemd tells of the last stop: Result=timeout when SIGTERM was not enough (SIGKILL, as systemd
      // after TimeoutStopSec), the JVM's exit status (143 after SIGTERM) as ExecMainStatus
      const stop = lastStop.get(nodeId);
      const values: Record<string, string> = {
        Result: stop?.how === 'killed' ? 'timeout' : 'success',
        ExecMainStatus: String(stop?.exitCode ?? (stop?.how === 'killed' ? 9 : 0)),
      };
      const value = values[property];
      if (value === undefined)
        res.writeHead(400).end(`systemctl stand-in: property ${property} is not supported\n`);
      else res.writeHead(200).end(`${value}\n`);
      return;
    }
    let result: unknown;
    if (verb === 'restart') result = await hosts.restartBroker(nodeId);
    else if (verb === 'start') result = running ? null : await hosts.startBroker(nodeId);
    else if (verb === 'stop') {
      const grace = cutStops.get(nodeId);
      cutStops.delete(nodeId);
      const stopped = running ? await hosts.stopBroker(nodeId, grace) : null;
      if (stopped) lastStop.set(nodeId, stopped);
      result = stopped;
    } else {
      res.writeHead(400).end(`systemctl stand-in: verb ${verb} is not supported\n`);
      return;
    }
    serviceActions.push({ nodeId, verb, result });
    res.writeHead(200).end();
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const service = /^\/systemctl\/(\d+)$/.exec(url.pathname);
    if (service) {
      await systemctl(
        Number(service[1]),
        url.searchParams.get('verb') ?? '',
        url.searchParams.get('property') ?? '',
        res,
      );
      return;
    }
    if (/^\/aws-cli\/\d+$/.test(url.pathname)) {
      // The broker's AWS CLI call, recorded and passed to the emulator as it came.
      secretReads.push(String(req.headers['x-kafka-plc-secret-id'] ?? ''));
      req.url = '/';
      await forward(req, body, res);
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AmazonSSM.') ? target.slice('AmazonSSM.'.length) : '';
    const handler = handlers[operation];
    if (handler) {
      try {
        const answer = await handler(JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>);
        if (answer !== undefined) {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(answer));
          return;
        }
      } catch (error) {
        if (error instanceof AwsError) {
          res
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': error.code })
            .end(JSON.stringify({ __type: error.code, message: error.message }));
          return;
        }
        throw error;
      }
    }
    await forward(req, body, res);
  }

  async function forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value === undefined || key === 'host' || key === 'content-length' || key === 'connection') continue;
      headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const answer = await fetch(`${options.upstream}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
    });
    const out: Record<string, string> = {};
    answer.headers.forEach((value, key) => {
      if (key !== 'content-encoding' && key !== 'transfer-encoding' && key !== 'content-length')
        out[key] = value;
    });
    res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    commands,
    secretReads,
    serviceActions,
    expireHistory() {
      expiredBefore = commands.length;
    },
    cutNextStop(nodeId, graceMs) {
      cutStops.set(nodeId, graceMs);
    },
    async stop() {
      for (const child of children) kill(child, 'SIGKILL');
      await Promise.allSettled(commands.map((c) => c.done));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      ec2.destroy();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
