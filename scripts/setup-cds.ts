/**
 * tsx scripts/setup-cds.ts <kafka libs dir>: makes the harness's class-data-sharing archives (test/kafka/cds.ts)
 * in .cache/cds, idempotently. Called by scripts/setup-kafka.sh, so by `npm test`, CI and `npm start -- --kafka`.
 *
 * One throwaway KRaft node (broker and controller, on free ports of 127.0.0.1, in a temporary directory) boots
 * with -XX:ArchiveClassesAtExit (broker.jsa, written as it exits on SIGTERM); TopicCommand --describe runs against
 * it with the same option (tool.jsa). Each archive is checked with -Xshare:on, which fails when the JVM cannot
 * map it, before it replaces the old one. A key (the JVM's version; the jars' directory, which an archive records
 * as its class path, their names and sizes; the options) makes a re-run with the same do nothing; a failure
 * exits 1 with the node's log and leaves no archive.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../cli/emulator';
import { type ArchiveKind, archivePath, CDS_DIR } from '../test/kafka/cds';
import { BROKER_BASE_JAVA_OPTS, log4jProperties, TOOL_BASE_JAVA_OPTS } from '../test/kafka/kafka-jvm';
import { startProcess, stopProcess, tail, waitFor } from '../test/kafka/processes';

const run = promisify(execFile);
const log = (line: string) => process.stderr.write(`setup-cds: ${line}\n`);
/** Bumped when the way the archives are made changes. */
const FORMAT = 1;
const HOST = '127.0.0.1';
const BASE_OPTS: Record<ArchiveKind, string[]> = { broker: BROKER_BASE_JAVA_OPTS, tool: TOOL_BASE_JAVA_OPTS };

async function key(libs: string): Promise<string> {
  const { stderr: java } = await run('java', ['-version']);
  const jars = readdirSync(libs)
    .sort()
    .map((name) => `${name} ${statSync(join(libs, name)).size}`);
  return createHash('sha256')
    .update(JSON.stringify({ format: FORMAT, java, libs, jars, opts: BASE_OPTS }))
    .digest('hex');
}

/** Boots the throwaway node, runs the tool against it, stops it: the two archives in `work`. */
async function makeArchives(libs: string, work: string): Promise<Record<ArchiveKind, string>> {
  const classpath = `${libs}/*`;
  const made = { broker: join(work, 'broker.jsa'), tool: join(work, 'tool.jsa') };
  const [port, controllerPort] = [await freePort(HOST), await freePort(HOST)];
  const config = join(work, 'server.properties');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@${HOST}:${controllerPort}`,
      `listeners=PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${join(work, 'data')}`,
      'offsets.topic.replication.factor=1',
      '',
    ].join('\n'),
  );
  const serverLog = join(work, 'server.log');
  const log4j = join(work, 'log4j.properties');
  writeFileSync(log4j, log4jProperties(serverLog, 'INFO'));
  const toolLog4j = join(work, 'tools-log4j.properties');
  writeFileSync(toolLog4j, log4jProperties(join(work, 'tools.log'), 'WARN'));
  const tool = (args: string[], extra: string[] = []) =>
    run(
      'java',
      [
        ...TOOL_BASE_JAVA_OPTS,
        ...extra,
        `-Dlog4j.configuration=file:${toolLog4j}`,
        '-cp',
        classpath,
        ...args,
      ],
      {
        timeout: 60_000,
      },
    );
  await tool([
    'kafka.tools.StorageTool',
    'format',
    '-t',
    randomUUID().replaceAll('-', '').slice(0, 22),
    '-c',
    config,
  ]);
  const node = startProcess(
    'CDS node',
    'java',
    [
      ...BROKER_BASE_JAVA_OPTS,
      `-XX:ArchiveClassesAtExit=${made.broker}`,
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      config,
    ],
    { outputFile: join(work, 'node.out') },
  );
  let failure: Error | undefined;
  try {
    await waitFor(
      'the CDS node to start',
      () => existsSync(serverLog) && readFileSync(serverLog, 'utf8').includes('Kafka Server started'),
      {
        timeoutMs: 120_000,
        failFast: () => (node.exitCode() === 'running' ? undefined : `it exited ${node.exitCode()}`),
      },
    );
    const bootstrap = `${HOST}:${port}`;
    await tool([
      'org.apache.kafka.tools.TopicCommand',
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      'cds',
      '--partitions',
      '3',
    ]);
    await tool(
      ['org.apache.kafka.tools.TopicCommand', '--bootstrap-server', bootstrap, '--describe'],
      [`-XX:ArchiveClassesAtExit=${made.tool}`],
    );
  } catch (error) {
    failure = new Error(`${(error as Error).message}\n${tail(serverLog)}\n${tail(join(work, 'node.out'))}`, {
      cause: error,
    });
  }
  // SIGTERM: the JVM writes the broker archive as it exits (not after SIGKILL)
  const stopped = await stopProcess(node, 60_000);
  if (failure) throw failure;
  if (stopped === 'killed') throw new Error('the CDS node needed SIGKILL: no broker archive');
  for (const kind of ['broker', 'tool'] as const) {
    // -Xshare:on: the JVM exits 1 when it cannot map the archive (instead of starting without it)
    await run('java', [
      ...BASE_OPTS[kind],
      '-Xshare:on',
      `-XX:SharedArchiveFile=${made[kind]}`,
      '-cp',
      classpath,
      '-version',
    ]);
  }
  return made;
}

const libs = resolve(process.argv[2] ?? '');
if (!process.argv[2] || !existsSync(libs)) {
  log(`usage: tsx scripts/setup-cds.ts <kafka libs dir> (no such directory: ${process.argv[2] ?? ''})`);
  process.exit(2);
}
const started = Date.now();
const want = await key(libs);
const stamp = join(CDS_DIR, 'key');
if (
  existsSync(stamp) &&
  readFileSync(stamp, 'utf8').trim() === want &&
  existsSync(archivePath('broker')) &&
  existsSync(archivePath('tool'))
) {
  log('archives up to date in .cache/cds');
} else {
  log('making the class-data-sharing archives (a throwaway KRaft node boots once)');
  // Old archives go first: a failed run leaves none (the JVMs then start without) rather than stale ones.
  rmSync(CDS_DIR, { recursive: true, force: true });
  const work = mkdtempSync(join(tmpdir(), 'kafka-plc-cds-'));
  try {
    const made = await makeArchives(libs, work);
    mkdirSync(CDS_DIR, { recursive: true });
    for (const kind of ['broker', 'tool'] as const) {
      const partial = `${archivePath(kind)}.partial`;
      copyFileSync(made[kind], partial);
      renameSync(partial, archivePath(kind));
    }
    writeFileSync(stamp, `${want}\n`);
    const mib = (kind: ArchiveKind) => (statSync(archivePath(kind)).size / 2 ** 20).toFixed(0);
    log(
      `broker.jsa ${mib('broker')} MiB, tool.jsa ${mib('tool')} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    log(`ERROR: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
