import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedSpec } from '../fixtures/specs';
import { ROOT } from '../helpers/tools';

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/kafka-plc.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const specs = mkdtempSync(join(tmpdir(), 'kafka-plc-cli-'));
afterAll(() => rmSync(specs, { recursive: true, force: true }));
let written = 0;

function specFile(content: unknown): string {
  const path = join(specs, `spec-${++written}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('kafka-plc plan', () => {
  it('prints the JSON contract for the seed example', () => {
    // Act
    const { code, stdout } = cli('plan', '--spec', 'examples/seed-usw2.json', '--format', 'json');
    // Assess
    expect(code).toBe(0);
    const plan = JSON.parse(stdout);
    expect(Object.keys(plan)).toEqual(
      expect.arrayContaining([
        'clusterName',
        'region',
        'vpc',
        'subnets',
        'brokers',
        'loadBalancer',
        'endpointService',
      ]),
    );
    expect(Object.keys(plan.brokers[0])).toEqual(
      expect.arrayContaining([
        'nodeId',
        'azId',
        'subnetName',
        'privateIp',
        'nlbPort',
        'advertisedListeners',
        'serverProperties',
      ]),
    );
    expect(plan.loadBalancer.listeners[0]).toEqual({
      port: 9092,
      brokerNodeIds: [1, 2, 3],
      targetPort: 39092,
      targetGroupName: 'seed-usw2-bootstrap',
      consumer: 'consumer',
      role: 'bootstrap',
    });
    expect(plan.endpointService).toMatchObject({
      acceptanceRequired: true,
      allowedPrincipals: ['arn:aws:iam::123456789012:root'],
    });
  });

  it('prints the port map as a table for people', () => {
    const { code, stdout } = cli('plan', '--spec', 'examples/seed-usw2.json', '--format', 'table');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^9093\s+b1\s+39092\s+b1\.usw2-az1\.unique_name\.aws\.plc\.tidbcloud\.com:9093$/m);
    expect(stdout).toMatch(/^9092\s+b1 b2 b3\s+39092\s+\(bootstrap\)$/m);
  });

  it('draws the topology in Mermaid', () => {
    const { code, stdout } = cli('plan', '--spec', 'examples/seed-usw2.json', '--format', 'mermaid');
    expect(code).toBe(0);
    expect(stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(stdout).toContain('L9092 -->|:39092| b3');
    expect(stdout).toContain('L9095 -->|:39092| b3');
    expect(stdout).not.toContain('L9095 -->|:39092| b1');
  });

  it('exits 2 naming every bad field and value, with no stack trace', () => {
    // Prepare
    const path = specFile(seedSpec({ azIds: ['usw2-az1', 'use1-az1'], uniqueName: 'a b' }));
    // Act
    const { code, stdout, stderr } = cli('plan', '--spec', path);
    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('azIds[1] = "use1-az1": is not an AZ ID of region us-west-2');
    expect(stderr).toContain('uniqueName = "a b"');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['a file that is not JSON', () => ['plan', '--spec', specFile('{ nope')], '(file)'],
    ['a missing file', () => ['plan', '--spec', '/nonexistent/spec.json'], 'cannot read the file (ENOENT)'],
    ['no --spec', () => ['plan'], '--spec is required'],
    [
      'an unknown format',
      () => ['plan', '--spec', 'examples/seed-usw2.json', '--format', 'xml'],
      '--format: "xml"',
    ],
    ['an unknown flag', () => ['plan', '--spce', 'x'], 'unknown option --spce; did you mean "--spec"?'],
    ['an unknown command', () => ['plna'], 'unknown command "plna"'],
  ])('exits 2 on %s', (_name, args, message) => {
    const { code, stderr } = cli(...args());
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
