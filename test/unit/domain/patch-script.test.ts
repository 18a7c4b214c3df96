/**
 * The patch script for existing brokers, EXECUTED in a sandbox on real-looking server.properties files:
 * a stand-in `systemctl` records what it is asked, and two loopback listeners on the broker's "private IP"
 * (127.0.77.1) stand for Kafka's INTERNAL and EXTERNAL ports, so the restart-and-wait path runs for real.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderPatchScript } from '../../../functions/lib/domain/patch-script';
import { planCluster } from '../../../functions/lib/domain/plan';
import { type ClusterSpecInput, parseClusterSpec } from '../../../functions/lib/spec';
import { seedSpec } from '../../fixtures/specs';
import { venvTool } from '../../helpers/tools';

const BROKER_IP = '127.0.77.1';
const FIXTURES = new URL('../../fixtures/existing-brokers/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const PATCHED_KEY =
  /^[ \t\f]*(listeners|advertised\.listeners|listener\.security\.protocol\.map)([ \t\f]*[=:]|[ \t\f])/;

let internalPort = 0;
let externalPort = 0;
/** A second consumer's EXTERNAL2 port (the two-consumer cases). */
let external2Port = 0;
const servers: Server[] = [];

function listen(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, BROKER_IP, () => {
      servers.push(server);
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('no port'));
    });
  });
}

beforeAll(async () => {
  // Kafka's INTERNAL and EXTERNAL ports on the broker's address, for the script's wait after a restart.
  internalPort = await listen();
  externalPort = await listen();
  external2Port = await listen();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

function existingSpec(configPath: string, overrides: Partial<ClusterSpecInput> = {}) {
  return parseClusterSpec(
    seedSpec({
      ports: { internal: internalPort, external: externalPort },
      existing: {
        vpcId: 'vpc-0123456789abcdef0',
        brokers: [1, 2, 3].map((nodeId) => ({
          instanceId: `i-0123456789abcdef${nodeId}`,
          nodeId,
          configPath,
          azId: `usw2-az${nodeId}`,
          subnetId: `subnet-0123456789abcdef${nodeId}`,
          privateIp: nodeId === 1 ? BROKER_IP : `10.0.${(nodeId - 1) * 64}.10`,
        })),
      },
      ...overrides,
    }),
  );
}

function patchScript(
  configPath: string,
  overrides: Partial<ClusterSpecInput> = {},
  nodeId = 1,
  retired: string[] = [],
  options: { preview?: boolean } = {},
): string {
  const spec = existingSpec(configPath, overrides);
  const plan = planCluster(spec);
  const broker = plan.brokers.find((b) => b.nodeId === nodeId)!;
  const target = spec.existing!.brokers.find((b) => b.nodeId === nodeId)!;
  return renderPatchScript(plan, broker, target, retired, options);
}

/** The existing cluster with a second consumer (tidb-b on EXTERNAL2, a Dedicated pattern). */
function twoConsumers(): Partial<ClusterSpecInput> {
  const { consumer } = seedSpec();
  return {
    ports: { internal: internalPort },
    consumer: undefined,
    consumers: [
      { ...consumer, name: 'tidb-a', ports: { bootstrap: 9092, brokerBase: 9093, external: externalPort } },
      {
        ...consumer,
        name: 'tidb-b',
        ports: { bootstrap: 9192, brokerBase: 9193, external: external2Port },
        advertisedListenerPatterns: Object.fromEntries(
          ['usw2-az1', 'usw2-az2', 'usw2-az3'].map((az) => [
            az,
            `<broker_id>.${az}.xyz.us-west-2.aws.3199015.tidbcloud.com:<port>`,
          ]),
        ),
      },
    ],
  };
}
const NAME2 = 'b1.usw2-az1.xyz.us-west-2.aws.3199015.tidbcloud.com:9193';

function shellcheck(script: string): { status: number | null; output: string } {
  const result = spawnSync(venvTool('shellcheck'), ['--shell=bash', '--severity=style', '-'], {
    input: script,
    encoding: 'utf8',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

/** The text with each [old line, new lines] applied; every old line must occur exactly once. */
function edited(text: string, edits: [string, string[]][]): string {
  let lines = text.split('\n');
  for (const [old, replacement] of edits) {
    expect(
      lines.filter((l) => l === old),
      `fixture line ${old}`,
    ).toHaveLength(1);
    const at = lines.indexOf(old);
    lines = [...lines.slice(0, at), ...replacement, ...lines.slice(at + 1)];
  }
  return lines.join('\n');
}

const unrelated = (text: string) => text.split('\n').filter((l) => !PATCHED_KEY.test(l));
const NAME = 'b1.usw2-az1.unique_name.aws.plc.tidbcloud.com:9093';

describe('patch script for existing brokers: executed in a sandbox', () => {
  let dir: string;
  let config: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(() => {
    // Prepare: a config dir and a stand-in systemctl that records its arguments.
    dir = mkdtempSync(join(tmpdir(), 'kafka-plc-patch-'));
    config = join(dir, 'server.properties');
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(
      join(bin, 'systemctl'),
      [
        '#!/usr/bin/env bash',
        'printf "%s\\n" "$*" >> "$STANDIN_SYSTEMCTL_LOG"',
        'case "$1 $2" in',
        '  "show --property=LoadState") echo "${STANDIN_LOAD_STATE:-loaded}" ;;',
        '  "show --property=KillSignal") echo "${STANDIN_KILL_SIGNAL:-15}" ;;',
        '  "show --property=Result") echo "${STANDIN_STOP_RESULT:-success}" ;;',
        '  "show --property=ExecMainStatus") echo "${STANDIN_EXIT_STATUS:-143}" ;;',
        '  stop*) exit "${STANDIN_STOP_EXIT:-0}" ;;',
        'esac',
      ].join('\n'),
    );
    chmodSync(join(bin, 'systemctl'), 0o755);
    env = {
      PATH: `${bin}:${process.env.PATH}`,
      STANDIN_SYSTEMCTL_LOG: join(dir, 'systemctl.log'),
      KAFKA_PLC_READY_TIMEOUT: '4',
    };
  });

  afterEach(() => {
    execFileSync('rm', ['-rf', '--', dir]);
  });

  const run = (script: string, extra: NodeJS.ProcessEnv = {}) =>
    spawnSync('bash', ['-c', script], { env: { ...env, ...extra }, encoding: 'utf8' });
  const restarts = () =>
    existsSync(env.STANDIN_SYSTEMCTL_LOG as string)
      ? readFileSync(env.STANDIN_SYSTEMCTL_LOG as string, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('stop'))
      : [];

  it.each([
    [
      'a seed-like KRaft broker without EXTERNAL',
      'seed-without-external.properties',
      () => [
        [
          'listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092',
          [`listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092,EXTERNAL://0.0.0.0:${externalPort}`],
        ],
        [
          'advertised.listeners=INTERNAL://10.0.0.10:9092',
          [`advertised.listeners=INTERNAL://10.0.0.10:9092,EXTERNAL://${NAME}`],
        ],
        [
          'listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
          [
            'listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,EXTERNAL:PLAINTEXT',
          ],
        ],
      ],
    ],
    [
      'a broker with an old EXTERNAL entry (replaced in place)',
      'old-external.properties',
      () => [
        [
          'listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:19092,CONTROLLER://0.0.0.0:29092',
          [`listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:${externalPort},CONTROLLER://0.0.0.0:29092`],
        ],
        [
          'advertised.listeners=INTERNAL://10.0.0.10:9092,EXTERNAL://kafka-1.old-lb.example.com:19092',
          [`advertised.listeners=INTERNAL://10.0.0.10:9092,EXTERNAL://${NAME}`],
        ],
        [
          'listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:SASL_SSL',
          ['listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT'],
        ],
      ],
    ],
    [
      "Kafka's stock KRaft file without advertised.listeners (derived: private IP, no controller, no 0.0.0.0)",
      'stock-without-advertised.properties',
      () => [
        [
          'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
          [
            `listeners=PLAINTEXT://:9092,CONTROLLER://:9093,EXTERNAL://0.0.0.0:${externalPort}`,
            `advertised.listeners=PLAINTEXT://${BROKER_IP}:9092,EXTERNAL://${NAME}`,
          ],
        ],
        [
          'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
          [
            'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,EXTERNAL:PLAINTEXT',
          ],
        ],
      ],
    ],
    [
      "a broker without a protocol map (Kafka's default + the implicit CONTROLLER:PLAINTEXT + EXTERNAL)",
      'without-protocol-map.properties',
      () => [
        [
          'listeners = PLAINTEXT://0.0.0.0:9092, CONTROLLER://0.0.0.0:9093',
          [
            `listeners = PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093,EXTERNAL://0.0.0.0:${externalPort}`,
            'listener.security.protocol.map=SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT',
          ],
        ],
        [
          'advertised.listeners=PLAINTEXT://ip-10-0-0-10.us-west-2.compute.internal:9092',
          [
            `advertised.listeners=PLAINTEXT://ip-10-0-0-10.us-west-2.compute.internal:9092,EXTERNAL://${NAME}`,
          ],
        ],
      ],
    ],
  ] as [string, string, () => [string, string[]][]][])(
    'patches %s, keeps every other line byte-identical, and a re-run changes nothing',
    (_name, file, edits) => {
      // Prepare
      const original = fixture(file);
      writeFileSync(config, original);
      const script = patchScript(config);
      // Act
      const first = run(script);
      const afterFirst = readFileSync(config, 'utf8');
      const second = run(script);
      // Assess
      expect(first.status, first.stderr).toBe(0);
      expect(afterFirst).toBe(edited(original, edits()));
      expect(unrelated(afterFirst)).toEqual(unrelated(original));
      expect(afterFirst).not.toMatch(/^advertised\.listeners=.*0\.0\.0\.0/m);
      expect(readFileSync(`${config}.previous`, 'utf8')).toBe(original);
      expect(first.stdout).toContain('patched');
      expect(first.stdout).toContain('restarted: yes');
      expect(first.stdout).toContain(`Kafka listens on ${BROKER_IP}:${internalPort}`);
      // Idempotent: the second run finds nothing to change and does not restart.
      expect(second.status, second.stderr).toBe(0);
      expect(readFileSync(config, 'utf8')).toBe(afterFirst);
      expect(readFileSync(`${config}.previous`, 'utf8')).toBe(original);
      expect(second.stdout).toContain('unchanged');
      expect(second.stdout).toContain('restarted: no');
      expect(restarts()).toEqual(['stop kafka.service']);
      expect(existsSync(`${config}.kafka-plc-restart-pending`)).toBe(false);
    },
  );

  it('is a no-op on the server.properties kafka-plc itself renders (nothing changes, no restart)', () => {
    // Prepare
    const spec = existingSpec(config);
    writeFileSync(config, planCluster(spec).brokers[0]!.serverProperties);
    // Act
    const result = run(patchScript(config));
    // Assess
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe(planCluster(spec).brokers[0]!.serverProperties);
    expect(existsSync(`${config}.previous`)).toBe(false);
    expect(restarts()).toEqual([]);
  });

  it('derives advertised.listeners from 0.0.0.0 listeners with the private IP, never 0.0.0.0', () => {
    // Prepare: the seed-like broker with its advertised.listeners line taken out.
    const original = fixture('seed-without-external.properties').replace(
      'advertised.listeners=INTERNAL://10.0.0.10:9092\n',
      '',
    );
    writeFileSync(config, original);
    // Act
    const result = run(patchScript(config));
    // Assess
    expect(result.status, result.stderr).toBe(0);
    const after = readFileSync(config, 'utf8');
    expect(after).toContain(
      `EXTERNAL://0.0.0.0:${externalPort}\nadvertised.listeners=INTERNAL://${BROKER_IP}:9092,EXTERNAL://${NAME}\n`,
    );
    expect(unrelated(after)).toEqual(unrelated(original));
  });

  it('a new unique name changes only the EXTERNAL advertised entry and restarts again', () => {
    // Prepare
    writeFileSync(config, fixture('seed-without-external.properties'));
    run(patchScript(config));
    const placeholder = readFileSync(config, 'utf8');
    // Act
    const result = run(patchScript(config, { uniqueName: 'tidb-abc' }));
    // Assess
    expect(result.status, result.stderr).toBe(0);
    const renamed = readFileSync(config, 'utf8');
    expect(renamed).toBe(
      placeholder.replace(`EXTERNAL://${NAME}`, 'EXTERNAL://b1.usw2-az1.tidb-abc.aws.plc.tidbcloud.com:9093'),
    );
    expect(readFileSync(`${config}.previous`, 'utf8')).toBe(placeholder);
    expect(restarts()).toHaveLength(2);
  });

  it('preview (plan --live): prints the diff the patch would make, writes nothing and restarts nothing', () => {
    // Prepare
    writeFileSync(config, fixture('seed-without-external.properties'));
    const before = readFileSync(config, 'utf8');
    const files = () => readdirSync(dir).sort();
    const listed = files();
    // Act
    const preview = run(patchScript(config, {}, 1, [], { preview: true }));
    const applied = run(patchScript(config));
    const again = run(patchScript(config, {}, 1, [], { preview: true }));
    // Assess: the preview's + lines are exactly what the patch then wrote
    expect(preview.status, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`preview: ${config} would change (then a restart):`);
    expect(preview.stdout).toContain(`--- ${config}\n+++ ${config} (patched)\n`);
    const added = preview.stdout
      .split('\n')
      .filter((l) => /^\+[^+]/.test(l))
      .map((l) => l.slice(1));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((line) => readFileSync(config, 'utf8').split('\n').includes(line))).toBe(true);
    expect(applied.status).toBe(0);
    expect(readFileSync(`${config}.previous`, 'utf8')).toBe(before);
    expect(again.stdout).toContain(`preview: ${config} unchanged, no restart`);
    expect(restarts()).toEqual(['stop kafka.service']);
    expect(files()).toEqual([...listed, 'server.properties.previous', 'systemctl.log'].sort());
  });

  it('keeps CRLF line endings on the lines it patches and inserts', () => {
    // Prepare
    const original = fixture('without-protocol-map.properties').replaceAll('\n', '\r\n');
    writeFileSync(config, original);
    // Act
    const result = run(patchScript(config));
    // Assess
    expect(result.status, result.stderr).toBe(0);
    const after = readFileSync(config, 'utf8');
    expect(after.split('\r\n').every((l) => !l.includes('\n'))).toBe(true);
    expect(after).toContain(`EXTERNAL://0.0.0.0:${externalPort}\r\nlistener.security.protocol.map=`);
  });

  it('a restart that failed is made up by the next run, although the file is then unchanged', () => {
    // Prepare
    writeFileSync(config, fixture('seed-without-external.properties'));
    // Act
    const failed = run(patchScript(config), { STANDIN_STOP_EXIT: '1' });
    const again = run(patchScript(config));
    // Assess
    expect(failed.status).not.toBe(0);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('unchanged');
    expect(again.stdout).toContain('restarted: yes');
    expect(restarts()).toEqual(['stop kafka.service', 'stop kafka.service']);
    expect(existsSync(`${config}.kafka-plc-restart-pending`)).toBe(false);
  });

  it('a stop systemd had to end with SIGKILL (Result=timeout) is no controlled shutdown: restarted, then the run fails', () => {
    // Prepare
    writeFileSync(config, fixture('seed-without-external.properties'));
    // Act
    const result = run(patchScript(config), { STANDIN_STOP_RESULT: 'timeout', STANDIN_EXIT_STATUS: '9' });
    const again = run(patchScript(config));
    // Assess: Kafka started again with the patch (no restart left pending), the run failed saying why
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "Kafka's stop was no controlled shutdown (systemd: Result=timeout, SIGKILL after TimeoutStopSec)",
    );
    expect(result.stdout).toContain('restarted: yes');
    expect(readFileSync(env.STANDIN_SYSTEMCTL_LOG as string, 'utf8')).toMatch(
      /^stop kafka\.service\n(.*\n)*start kafka\.service$/m,
    );
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('restarted: no');
    expect(restarts()).toEqual(['stop kafka.service']);
  });

  it.each([
    [
      'a file of another node',
      () => ({ text: fixture('seed-without-external.properties'), script: patchScript(config, {}, 2) }),
      'node.id is 1, not 2',
    ],
    [
      'a listener already on ports.external',
      () => ({
        text: fixture('seed-without-external.properties'),
        script: patchScript(config, {
          ports: { internal: internalPort, external: 29092, controller: 29093 },
        }),
      }),
      'already uses port 29092',
    ],
    [
      'listeners continued on the next line',
      () => ({
        text: fixture('seed-without-external.properties').replace(
          'listeners=INTERNAL://0.0.0.0:9092,',
          'listeners=INTERNAL://0.0.0.0:9092,\\\n    ',
        ),
        script: patchScript(config),
      }),
      'listeners continues on the next line',
    ],
    [
      'a file that is not a broker config',
      () => ({ text: 'foo=bar\n', script: patchScript(config) }),
      'neither node.id nor broker.id',
    ],
  ])('refuses %s and leaves the file and the broker alone', (_name, setup, message) => {
    // Prepare
    const { text, script } = setup();
    writeFileSync(config, text);
    // Act
    const result = run(script);
    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(readFileSync(config, 'utf8')).toBe(text);
    expect(existsSync(`${config}.previous`)).toBe(false);
    expect(restarts()).toEqual([]);
  });

  it.each([
    ['a unit that stops Kafka with SIGKILL', { STANDIN_KILL_SIGNAL: '9' }, 'SIGKILL'],
    ['a unit that does not exist', { STANDIN_LOAD_STATE: 'not-found' }, 'kafka.service is not-found'],
  ])('refuses %s before writing anything', (_name, extra, message) => {
    writeFileSync(config, fixture('seed-without-external.properties'));
    const result = run(patchScript(config), extra);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
    expect(readFileSync(config, 'utf8')).toBe(fixture('seed-without-external.properties'));
    expect(restarts()).toEqual([]);
  });

  it('a second consumer adds EXTERNAL2 to the three lists only, restarts once; a re-run changes nothing', () => {
    // Prepare
    const original = fixture('seed-without-external.properties');
    writeFileSync(config, original);
    // Act
    const first = run(patchScript(config, twoConsumers()));
    const patched = readFileSync(config, 'utf8');
    const again = run(patchScript(config, twoConsumers()));
    // Assess
    expect(first.status, first.stderr).toBe(0);
    expect(again.status, again.stderr).toBe(0);
    expect(patched).toContain(
      `listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092,EXTERNAL://0.0.0.0:${externalPort},EXTERNAL2://0.0.0.0:${external2Port}\n`,
    );
    expect(patched).toContain(
      `advertised.listeners=INTERNAL://10.0.0.10:9092,EXTERNAL://${NAME},EXTERNAL2://${NAME2}\n`,
    );
    expect(patched).toContain('SASL_SSL:SASL_SSL,EXTERNAL:PLAINTEXT,EXTERNAL2:PLAINTEXT\n');
    expect(unrelated(patched)).toEqual(unrelated(original));
    expect(readFileSync(config, 'utf8')).toBe(patched);
    expect(restarts()).toHaveLength(1);
  });

  it('a consumer taken out: its retired listener leaves the three lists, nothing else changes', () => {
    // Prepare: patched for two consumers
    writeFileSync(config, fixture('seed-without-external.properties'));
    run(patchScript(config));
    const oneConsumer = readFileSync(config, 'utf8');
    run(patchScript(config, twoConsumers()));
    // Act
    const result = run(patchScript(config, {}, 1, ['EXTERNAL2']));
    // Assess
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe(oneConsumer);
    expect(restarts()).toHaveLength(3);
  });

  it('leaves a listener called EXTERNAL2 alone unless kafka-plc retired it (the applied spec had it)', () => {
    // Prepare: the user's own EXTERNAL2 on another port
    const own = fixture('seed-without-external.properties').replace(
      'listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092',
      'listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092,EXTERNAL2://0.0.0.0:19092',
    );
    writeFileSync(config, own);
    // Act
    const result = run(patchScript(config));
    // Assess
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(config, 'utf8')).toContain('EXTERNAL2://0.0.0.0:19092');
  });

  it("refuses a second consumer's port that one of the broker's own listeners already uses", () => {
    // Prepare
    const taken = fixture('seed-without-external.properties').replace(
      'listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092',
      `listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29092,REPLICATION://0.0.0.0:${external2Port}`,
    );
    writeFileSync(config, taken);
    // Act
    const result = run(patchScript(config, twoConsumers()));
    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      `REPLICATION://0.0.0.0:${external2Port} already uses port ${external2Port}`,
    );
    expect(readFileSync(config, 'utf8')).toBe(taken);
  });

  it('names the missing file', () => {
    const result = run(patchScript(join(dir, 'nowhere.properties')));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('nowhere.properties not found');
  });
});

describe('patch script for existing brokers: static checks', () => {
  it.each([
    ['the placeholder name', {}],
    [
      'a real unique name, custom ports and a custom unit',
      { uniqueName: 'tidb-1', ports: { external: 39999 } },
    ],
  ] as [string, Partial<ClusterSpecInput>][])('passes shellcheck with %s', (_name, overrides) => {
    const result = shellcheck(patchScript('/opt/kafka/config/kraft/server.properties', overrides));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('never kills with -9, never deletes data: it removes only its own temp file and restart marker', () => {
    const script = patchScript('/opt/kafka/config/kraft/server.properties');
    expect(script).not.toMatch(/kill\s+-9|rm -rf|log\.dirs|LOG_DIRS/);
    const removals = script.match(/rm -f -- "[^"]+"/g) ?? [];
    expect(new Set(removals)).toEqual(new Set(['rm -f -- "$tmp"', 'rm -f -- "$PENDING"']));
  });

  it('quotes every spec value it carries', () => {
    const script = patchScript('/opt/kafka/config/kraft/server.properties');
    expect(script).toContain("readonly CONFIG_PATH='/opt/kafka/config/kraft/server.properties'");
    expect(script).toContain(`readonly EXTERNAL_ADVERTISED='EXTERNAL://${NAME}'`);
    expect(script).toContain("readonly SERVICE='kafka.service'");
  });
});
