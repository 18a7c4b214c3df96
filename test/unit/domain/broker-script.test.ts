import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderBrokerScript, renderSystemdUnit } from '../../../functions/lib/domain/broker-script';
import { type PlanOptions, planCluster } from '../../../functions/lib/domain/plan';
import { heredoc, shellQuote } from '../../../functions/lib/domain/shell';
import { type ClusterSpecInput, parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';
import { venvTool } from '../../helpers/tools';

const plan = (overrides: Partial<ClusterSpecInput> = {}, options: PlanOptions = {}) =>
  planCluster(parseClusterSpec(seedSpec(overrides)), options);

const saslSpec = (authentication: string, topicPrefix = 'cdc-'): Partial<ClusterSpecInput> => ({
  consumer: {
    ...seedSpec().consumer,
    authentication: authentication as 'sasl-plain',
    topicPrefix,
  },
});

function shellcheck(script: string): { status: number | null; output: string } {
  const result = spawnSync(venvTool('shellcheck'), ['--shell=bash', '--severity=style', '-'], {
    input: script,
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('broker bootstrap script: static checks', () => {
  it.each([
    ['a combined broker,controller', plan(), 0],
    ['a broker-only node after scale-out', plan({ brokersPerAz: 2 }), 4],
    ['a real unique name and custom ports', plan({ uniqueName: 'tidb-1', ports: { bootstrap: 7000 } }), 1],
    ['SCRAM: the broker that applies the credential and ACLs', plan(saslSpec('sasl-scram-sha-512')), 0],
    ['PLAIN: a broker that only reads the password', plan(saslSpec('sasl-plain')), 2],
  ])('passes shellcheck for %s', (_name, p, index) => {
    // Act
    const result = shellcheck(renderBrokerScript(p, p.brokers[index] ?? p.brokers[0]!));
    // Assess
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('shellcheck finds problems when they are there (the check can fail)', () => {
    const result = shellcheck('#!/usr/bin/env bash\nrm -rf $DIR/*\n');
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('SC2086');
  });

  it('reads the consumer password on the broker: the script names the secret and never holds a password', () => {
    // Prepare
    const p = plan(saslSpec('sasl-scram-sha-512'));
    // Act
    const first = renderBrokerScript(p, p.brokers[0]!);
    const second = renderBrokerScript(p, p.brokers[1]!);
    // Assess: every broker reads the secret and applies the cluster-wide settings (idempotent: while a roll
    // turns authentication on, the brokers rolled before the authorizer is everywhere cannot set ACLs)
    for (const script of [first, second]) {
      expect(script).toContain("readonly SECRET_ID='kafka-plc/seed-usw2/consumer/tidbcloud'");
      expect(script).toContain('fetch_consumer_secret');
      expect(script).not.toMatch(/password=[A-Za-z0-9_-]{16,}/);
    }
    expect(first).toMatch(/\napply_consumer_auth\n/);
    expect(second).toMatch(/\napply_consumer_auth\n/);
    expect(first).toContain(
      "readonly EXPECTED_ACLS='TOPIC|cdc-|PREFIXED|Create|ALLOW|*\nTOPIC|cdc-|PREFIXED|Write|ALLOW|*\nCLUSTER|kafka-cluster|LITERAL|DescribeConfigs|ALLOW|*'",
    );
  });

  it('a cluster without authentication has none of it: the seed is rendered as before', () => {
    const p = plan();
    const script = renderBrokerScript(p, p.brokers[0]!);
    expect(script).not.toMatch(/SECRET_ID|apply_consumer_auth|secretsmanager/);
    expect(p.brokers[0]?.serverProperties).toContain('EXTERNAL:PLAINTEXT');
  });

  it('never kills with -9 nor deletes the data directory', () => {
    const p = plan();
    const script = renderBrokerScript(p, p.brokers[0]!);
    expect(script).not.toMatch(/kill\s+-9|rm -rf|LOG_DIRS"?\/?\*|rm [^\n]*LOG_DIRS/);
  });

  it('carries the rendered server.properties verbatim in a quoted here-document', () => {
    const p = plan();
    const broker = p.brokers[1]!;
    const script = renderBrokerScript(p, broker);
    expect(script).toContain(
      `<<'KAFKA_PLC_SERVER_PROPERTIES'\n${broker.serverProperties}KAFKA_PLC_SERVER_PROPERTIES\n`,
    );
  });

  it('the systemd unit stops Kafka with SIGTERM and restarts it on failure', () => {
    const p = plan();
    const unit = renderSystemdUnit(p, p.brokers[0]!);
    expect(unit).toContain('KillSignal=SIGTERM');
    expect(unit).toContain('ExecStart=/opt/kafka/bin/kafka-server-start.sh /etc/kafka/server.properties');
    expect(unit).toContain('Restart=on-failure');
  });
});

describe('shell quoting', () => {
  it.each([
    ["it's"],
    ['$(reboot)'],
    ['`id`'],
    ['a b\tc'],
    ['"; rm -rf / #'],
    ['\\n'],
    ['line1\nline2'],
    [''],
  ])('bash reads %j back unchanged', (value) => {
    const out = execFileSync('bash', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });

  it('refuses NUL bytes and here-document bodies that contain their delimiter', () => {
    expect(() => shellQuote('a\0b')).toThrow(RangeError);
    expect(() => heredoc('EOF', 'x\nEOF\ny')).toThrow(/delimiter/);
  });
});

/**
 * Runs the real script in a sandbox: installs off, no systemd, a stand-in `java` that records its
 * arguments and formats the log dir the way kafka-storage does (writes meta.properties).
 */
describe('broker bootstrap script: executed in a sandbox', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'kafka-plc-script-'));
    const kafkaHome = join(dir, 'kafka');
    mkdirSync(join(kafkaHome, 'libs'), { recursive: true });
    writeFileSync(join(kafkaHome, 'libs', 'kafka_2.13-3.7.1.jar'), '');
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'java'),
      [
        '#!/usr/bin/env bash',
        'if [ "${1:-}" = -version ]; then echo "stand-in java"; exit 0; fi',
        'printf "%s\\n" "$*" >> "$STANDIN_JAVA_LOG"',
        'while [ $# -gt 0 ]; do case "$1" in -t) id="$2"; shift;; -c) conf="$2"; shift;; esac; shift; done',
        'dir="$(sed -n "s/^log.dirs=//p" "$conf")"',
        'printf "cluster.id=%s\\nversion=1\\n" "$id" > "$dir/meta.properties"',
      ].join('\n'),
    );
    chmodSync(join(bin, 'java'), 0o755);
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      KAFKA_PLC_KAFKA_HOME: kafkaHome,
      KAFKA_PLC_CONF_DIR: join(dir, 'conf'),
      KAFKA_PLC_SERVICE_MANAGER: 'none',
      KAFKA_PLC_INSTALL: 'no',
      KAFKA_PLC_USER: 'kafka-plc-test-no-such-user',
      STANDIN_JAVA_LOG: join(dir, 'java.log'),
    };
  });

  afterEach(() => {
    execFileSync('rm', ['-rf', '--', dir]);
  });

  const run = (script: string) => spawnSync('bash', ['-c', script], { env, encoding: 'utf8' });
  const sandboxPlan = (overrides: Partial<ClusterSpecInput> = {}) =>
    plan(overrides, { logDirs: join(dir, 'data') });

  it('writes the config, formats once, and a re-run changes nothing', () => {
    // Act
    const first = run(renderBrokerScript(sandboxPlan(), sandboxPlan().brokers[0]!));
    const second = run(renderBrokerScript(sandboxPlan(), sandboxPlan().brokers[0]!));
    // Assess
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(readFileSync(join(dir, 'conf', 'server.properties'), 'utf8')).toBe(
      sandboxPlan().brokers[0]!.serverProperties,
    );
    const formats = readFileSync(join(dir, 'java.log'), 'utf8').trim().split('\n');
    expect(formats).toHaveLength(1);
    expect(formats[0]).toContain(`kafka.tools.StorageTool format -t ${sandboxPlan().kafka.clusterId}`);
    expect(first.stdout).toContain('server.properties written');
    expect(second.stdout).toContain('server.properties unchanged');
    expect(second.stdout).toContain('storage already formatted; left as it is');
    expect(second.stdout).toContain('(changed: no)');
  });

  it('a new unique name rewrites the config, keeps the previous one and leaves the data alone', () => {
    // Prepare
    run(renderBrokerScript(sandboxPlan(), sandboxPlan().brokers[0]!));
    writeFileSync(join(dir, 'data', 'segment.log'), 'precious');
    // Act
    const renamed = sandboxPlan({ uniqueName: 'tidb-abc' });
    const result = run(renderBrokerScript(renamed, renamed.brokers[0]!));
    // Assess
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('(changed: yes)');
    expect(readFileSync(join(dir, 'conf', 'server.properties'), 'utf8')).toContain('b1.usw2-az1.tidb-abc.');
    expect(readFileSync(join(dir, 'conf', 'server.properties.previous'), 'utf8')).toContain(
      'b1.usw2-az1.unique_name.',
    );
    expect(readFileSync(join(dir, 'data', 'segment.log'), 'utf8')).toBe('precious');
  });

  it('refuses a log dir formatted for another cluster and touches nothing in it', () => {
    // Prepare
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'meta.properties'), 'cluster.id=someOtherClusterIdAAAA\n');
    // Act
    const result = run(renderBrokerScript(sandboxPlan(), sandboxPlan().brokers[0]!));
    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('belongs to another cluster');
    expect(readFileSync(join(dir, 'data', 'meta.properties'), 'utf8')).toBe(
      'cluster.id=someOtherClusterIdAAAA\n',
    );
    expect(existsSync(join(dir, 'java.log'))).toBe(false);
  });

  /**
   * Runs broker `nodeIndex`'s script of a SCRAM cluster in the sandbox with stand-ins for the AWS CLI (the
   * secret at version v1), systemd and Kafka's INTERNAL port (a loopback listener), and a java whose behaviour
   * is `javaBody` (after answering -version).
   */
  async function runAuthScript(
    password: string,
    javaBody: string[],
    nodeIndex: number,
    extraEnv: NodeJS.ProcessEnv = {},
  ) {
    const bin = join(dir, 'bin');
    writeFileSync(join(bin, 'aws'), `#!/usr/bin/env bash\nprintf 'v1\\t%s\\n' '${password}'\n`);
    writeFileSync(
      join(bin, 'systemctl'),
      [
        '#!/usr/bin/env bash',
        '# a clean stop, as systemd reports one',
        'case "$1 $2" in',
        '  "show --property=Result") echo success ;;',
        '  "show --property=ExecMainStatus") echo 143 ;;',
        'esac',
      ].join('\n'),
    );
    writeFileSync(
      join(bin, 'java'),
      [
        '#!/usr/bin/env bash',
        'if [ "${1:-}" = -version ]; then echo "stand-in java"; exit 0; fi',
        ...javaBody,
        'exit 0',
      ].join('\n'),
    );
    for (const tool of ['aws', 'systemctl', 'java']) chmodSync(join(bin, tool), 0o755);
    mkdirSync(join(dir, 'data'), { recursive: true });
    const p = plan(
      { consumer: { ...seedSpec().consumer, authentication: 'sasl-scram-sha-512' } },
      { logDirs: join(dir, 'data') },
    );
    writeFileSync(join(dir, 'data', 'meta.properties'), `cluster.id=${p.kafka.clusterId}\nversion=1\n`);
    const server = createServer((socket) => socket.destroy());
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.77.9', () => resolve((server.address() as AddressInfo).port)),
    );
    const script = renderBrokerScript(p, p.brokers[nodeIndex]!, 'v1')
      .replace(/^readonly PRIVATE_IP=.*$/m, "readonly PRIVATE_IP='127.0.77.9'")
      .replace(/^readonly INTERNAL_PORT=.*$/m, `readonly INTERNAL_PORT='${port}'`);
    try {
      return spawnSync('bash', ['-c', script], {
        env: {
          ...env,
          KAFKA_PLC_SERVICE_MANAGER: 'systemd',
          KAFKA_PLC_SYSTEMD_DIR: dir,
          KAFKA_PLC_READY_TIMEOUT: '4',
          ...extraEnv,
        },
        encoding: 'utf8',
      });
    } finally {
      server.close();
    }
  }

  it.each([
    [
      'no authorizer on every broker yet (a roll turning it on): the ACLs are left to a later broker',
      'org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured.',
      'yes',
      0,
      'the authorizer is not on every broker yet (this roll turns it on)',
    ],
    [
      'any other failure to list the ACLs: the broker fails, saying so',
      'org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment.',
      'yes',
      1,
      'could not list the ACLs of User:tidbcloud',
    ],
    [
      'listing works on a rolled broker but adding goes to a controller without an authorizer: left to a later broker',
      'org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured.',
      'no',
      0,
      'the authorizer is not on every broker yet (this roll turns it on)',
    ],
  ])('ACLs: %s', async (_name, error, failList, status, says) => {
    // Prepare: a java whose AclCommand fails as Kafka's does (on standard output); listing too when failList
    const java = [
      'acl=no; list=no',
      'for a in "$@"; do case "$a" in kafka.admin.AclCommand) acl=yes ;; --list) list=yes ;; esac; done',
      `if [ "$acl" = yes ] && { [ "$list" = no ] || [ "$FAIL_LIST" = yes ]; }; then echo "Error while executing ACL command: ${error}"; exit 1; fi`,
    ];
    // Act
    const result = await runAuthScript('secretvalue0123456789', java, 1, { FAIL_LIST: failList });
    // Assess
    expect(result.status, result.stderr).toBe(status);
    expect(`${result.stdout}${result.stderr}`).toContain(says);
  });

  it("a SCRAM credential Kafka rejects: the tool's message, which echoes the password, is redacted", async () => {
    // Prepare: a java that fails ConfigCommand echoing the value (Kafka 3.7 does)
    const password = 'Zx9-secretvalue_0123456789abcdefg';
    const java = [
      'config=no; next=no',
      'for a in "$@"; do',
      '  if [ "$next" = yes ]; then file="$a"; next=no; fi',
      '  case "$a" in kafka.admin.ConfigCommand) config=yes ;; --add-config-file) next=yes ;; esac',
      'done',
      'if [ "$config" = yes ]; then',
      '  echo "Invalid credential property SCRAM_SHA_512=$(cut -d= -f2- "$file")" >&2; exit 1',
      'fi',
    ];
    // Act
    const result = await runAuthScript(password, java, 0);
    // Assess: it fails, saying why, and the password is nowhere in what SSM would keep
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Invalid credential property SCRAM_SHA_512=iterations=8192,password=[redacted]',
    );
    expect(result.stderr).toContain('could not set the SCRAM-SHA-512 credential of tidbcloud');
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
  });

  /**
   * A stand-in systemctl (its calls logged): `stop` fails once while STANDIN_FAIL_ONCE exists, and `show` reports
   * the last stop as STANDIN_STOP_RESULT / STANDIN_EXIT_STATUS say (clean: success, 143). A loopback listener
   * stands for Kafka's INTERNAL port at the broker's address; the script is pointed at both.
   */
  async function systemdSandbox(extraEnv: Record<string, string> = {}) {
    const bin = join(dir, 'bin');
    writeFileSync(
      join(bin, 'systemctl'),
      [
        '#!/usr/bin/env bash',
        'printf "%s\\n" "$*" >> "$STANDIN_SYSTEMCTL_LOG"',
        'case "$1" in',
        '  is-active) exit 0 ;;',
        '  stop) if [ -f "$STANDIN_FAIL_ONCE" ]; then rm -f "$STANDIN_FAIL_ONCE"; exit 1; fi ;;',
        '  show) case "$2" in',
        '      --property=Result) echo "${STANDIN_STOP_RESULT:-success}" ;;',
        '      --property=ExecMainStatus) echo "${STANDIN_EXIT_STATUS:-143}" ;;',
        '    esac ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(join(bin, 'systemctl'), 0o755);
    const server = createServer((socket) => socket.destroy());
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.77.9', () => resolve((server.address() as AddressInfo).port)),
    );
    const systemd = {
      ...env,
      KAFKA_PLC_SERVICE_MANAGER: 'systemd',
      STANDIN_SYSTEMCTL_LOG: join(dir, 'systemctl.log'),
      STANDIN_FAIL_ONCE: join(dir, 'fail-once'),
      KAFKA_PLC_READY_TIMEOUT: '4',
      KAFKA_PLC_SYSTEMD_DIR: dir,
      ...extraEnv,
    };
    const script = (uniqueName: string) =>
      renderBrokerScript(sandboxPlan({ uniqueName }), sandboxPlan({ uniqueName }).brokers[0]!)
        .replace(/^readonly PRIVATE_IP=.*$/m, "readonly PRIVATE_IP='127.0.77.9'")
        .replace(/^readonly INTERNAL_PORT=.*$/m, `readonly INTERNAL_PORT='${port}'`);
    const runAs = (text: string) => spawnSync('bash', ['-c', text], { env: systemd, encoding: 'utf8' });
    const calls = (verb: string) =>
      readFileSync(join(dir, 'systemctl.log'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(verb));
    return { script, runAs, calls, close: () => server.close() };
  }

  it('a run stopped between writing the config and the restart restarts on its re-run (restart-pending mark)', async () => {
    // Prepare: systemctl stop fails the first time (the run stops after the write)
    const { script, runAs, calls, close } = await systemdSandbox();
    writeFileSync(join(dir, 'fail-once'), '');
    const pending = join(dir, 'conf', 'server.properties.kafka-plc-restart-pending');
    const restarts = () => calls('start').length;
    try {
      // Act
      const stopped = runAs(script('tidb-new'));
      const markedAfterStop = existsSync(pending);
      const rerun = runAs(script('tidb-new'));
      const again = runAs(script('tidb-new'));
      // Assess: the re-run found the config unchanged, restarted anyway, and cleared the mark; then nothing
      expect(stopped.status).not.toBe(0);
      expect(markedAfterStop).toBe(true);
      expect(rerun.status, rerun.stderr).toBe(0);
      expect(rerun.stdout).toContain('server.properties unchanged');
      expect(rerun.stdout).toContain('restart pending: yes');
      expect(existsSync(pending)).toBe(false);
      expect(again.stdout).toContain('running with this config; not restarted');
      expect(stopped.stderr).toContain(
        'systemctl stop kafka.service failed: not restarted, the restart stays pending',
      );
      expect(calls('stop')).toHaveLength(2);
      expect(restarts()).toBe(1);
      expect(readFileSync(join(dir, 'kafka.service'), 'utf8')).toContain('KillSignal=SIGTERM');
    } finally {
      close();
    }
  });

  it.each([
    ['timeout', '9', 'Result=timeout, SIGKILL after TimeoutStopSec'],
    ['signal', '9', 'Result=signal'],
  ])(
    'a stop systemd reports as %s (no controlled shutdown) starts Kafka again, then fails the run',
    async (result, status, said) => {
      // Prepare
      const { script, runAs, calls, close } = await systemdSandbox({
        STANDIN_STOP_RESULT: result,
        STANDIN_EXIT_STATUS: status,
      });
      try {
        // Act
        const run = runAs(script('tidb-new'));
        // Assess: stopped, asked, started again and listened; then the run failed naming systemd's result; the
        // restart is done (no pending mark: a re-run does not restart again)
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(`Kafka's stop was no controlled shutdown (systemd: ${said})`);
        expect(run.stdout).toContain('Kafka listens on 127.0.77.9');
        expect(calls('stop')).toHaveLength(1);
        expect(calls('start')).toHaveLength(1);
        expect(existsSync(join(dir, 'conf', 'server.properties.kafka-plc-restart-pending'))).toBe(false);
      } finally {
        close();
      }
    },
  );

  it.each([
    ['success', '0'],
    ['exit-code', '143'],
  ])('a stop systemd reports as %s with status %s is a controlled shutdown', async (result, status) => {
    // Prepare: exit-code 143 is a JVM ended by SIGTERM in a unit without SuccessExitStatus=143
    const { script, runAs, close } = await systemdSandbox({
      STANDIN_STOP_RESULT: result,
      STANDIN_EXIT_STATUS: status,
    });
    try {
      // Act
      const run = runAs(script('tidb-new'));
      // Assess
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('restarting kafka.service');
    } finally {
      close();
    }
  });

  it('stops with a clear error when Kafka is absent and installs are off', () => {
    execFileSync('rm', ['-f', join(env.KAFKA_PLC_KAFKA_HOME as string, 'libs', 'kafka_2.13-3.7.1.jar')]);
    const result = run(renderBrokerScript(sandboxPlan(), sandboxPlan().brokers[0]!));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Kafka 3.7.1 not found');
  });
});
