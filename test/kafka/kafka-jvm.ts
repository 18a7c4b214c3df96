/**
 * The Kafka JVMs of the harness, all from the jars in <kafka home>/libs: our rendered broker script (which
 * formats storage with kafka.tools.StorageTool), the brokers (kafka.Kafka), and Kafka's own command-line
 * tools as the consumer runs them. Small heaps, a serial GC and class-data-sharing archives (cds.ts): CI has
 * 2 cores. Logs go to files.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderBrokerScript } from '../../functions/lib/domain/broker-script';
import type { Plan } from '../../functions/lib/domain/plan';
import { installAwsCli } from './aws-cli';
import { sharedArchiveOptions } from './cds';
import { startProcess, type Tracked } from './processes';

const run = promisify(execFile);

/** The options the class-data-sharing archives are made with (cds.ts): a change makes setup make them again. */
export const BROKER_BASE_JAVA_OPTS = ['-Xmx384m', '-Xms128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];
export const TOOL_BASE_JAVA_OPTS = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];
export const BROKER_JAVA_OPTS = [...BROKER_BASE_JAVA_OPTS, ...sharedArchiveOptions('broker')];
export const TOOL_JAVA_OPTS = [...TOOL_BASE_JAVA_OPTS, ...sharedArchiveOptions('tool')];
/** The broker script runs as this user only if it exists; it does not, so it runs as the caller. */
const NO_SUCH_USER = 'kafka-plc-harness-no-such-user';

export function log4jProperties(logFile: string, level: string): string {
  return [
    `log4j.rootLogger=${level}, file`,
    'log4j.appender.file=org.apache.log4j.FileAppender',
    `log4j.appender.file.File=${logFile}`,
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');
}

/**
 * Runs OUR rendered broker script for one broker, as SSM would on EC2 but with the local overrides:
 * Kafka home = the jars' parent, config in brokerDir/conf, no service manager, no installs.
 * Resolves with its output; rejects with it.
 */
export function configureBroker(
  plan: Plan,
  nodeId: number,
  brokerDir: string,
  home: string,
  /** The emulator the broker's `aws` (test/kafka/aws-cli.ts) reads its cluster's secret from. */
  awsEndpoint?: string,
): Promise<string> {
  const broker = plan.brokers.find((b) => b.nodeId === nodeId);
  if (!broker) throw new Error(`no broker ${nodeId} in the plan`);
  mkdirSync(brokerDir, { recursive: true });
  const script = join(brokerDir, 'configure-broker.sh');
  writeFileSync(script, renderBrokerScript(plan, broker));
  const storageLog4j = join(brokerDir, 'storage-tool-log4j.properties');
  writeFileSync(storageLog4j, log4jProperties(join(brokerDir, 'storage-tool.log'), 'INFO'));
  const bin = join(brokerDir, 'bin');
  mkdirSync(bin, { recursive: true });
  installAwsCli(bin);
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    ...(awsEndpoint ? { KAFKA_PLC_AWS_CLI_URL: awsEndpoint } : {}),
    KAFKA_PLC_KAFKA_HOME: home,
    KAFKA_PLC_CONF_DIR: join(brokerDir, 'conf'),
    KAFKA_PLC_SERVICE_MANAGER: 'none',
    KAFKA_PLC_INSTALL: 'no',
    KAFKA_PLC_USER: NO_SUCH_USER,
    // Read by the `java` launcher of the StorageTool the script starts: small heap, log4j to a file.
    JDK_JAVA_OPTIONS: [...TOOL_JAVA_OPTS, `-Dlog4j.configuration=file:${storageLog4j}`].join(' '),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      writeFileSync(join(brokerDir, 'configure-broker.out'), output);
      if (code === 0) resolve(output);
      else reject(new Error(`broker script of b${nodeId} exited ${code}:\n${output}`));
    });
  });
}

/** Starts `java kafka.Kafka <brokerDir>/conf/server.properties`; logs in brokerDir/logs. */
export function startBroker(nodeId: number, brokerDir: string, libs: string): Tracked {
  const logs = join(brokerDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const log4j = join(brokerDir, 'log4j.properties');
  writeFileSync(log4j, log4jProperties(join(logs, 'server.log'), 'INFO'));
  return startProcess(
    `broker b${nodeId}`,
    'java',
    [
      ...BROKER_JAVA_OPTS,
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4j}`,
      `-Dkafka.logs.dir=${logs}`,
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      join(brokerDir, 'conf', 'server.properties'),
    ],
    { outputFile: join(logs, 'stdout.log') },
  );
}

/**
 * Runs one of Kafka's own command-line tools (a main class in the jars) as the consumer would: host names
 * resolve only through `hostsFile` (-Djdk.net.hosts.file). Resolves with stdout; rejects with its output.
 */
export async function runKafkaTool(
  where: { libs: string; hostsFile: string; workDir: string },
  mainClass: string,
  args: string[],
  timeoutMs = 90_000,
): Promise<string> {
  const log4j = join(where.workDir, 'tools-log4j.properties');
  writeFileSync(log4j, log4jProperties(join(where.workDir, 'tools.log'), 'WARN'));
  const javaArgs = [
    ...TOOL_JAVA_OPTS,
    `-Djdk.net.hosts.file=${where.hostsFile}`,
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    `${where.libs}/*`,
    mainClass,
    ...args,
  ];
  try {
    const { stdout } = await run('java', javaArgs, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${mainClass} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, {
      cause: error,
    });
  }
}
