/** What `npm start` and the CLI print around the steps: Lambda warnings once each, and a registry hint. */
import { describe, expect, it } from 'vitest';
import { humanLogFilter } from '../../cli/human-logs';
import { registryHint } from '../../cli/steps';

const record = (level: string, message: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ level, message, timestamp: '2026-12-01T00:00:00Z', service: 'kafka-plc', ...extra });

describe('Lambda log records on a terminal', () => {
  it('shows each warning once (the stand-in said again for every broker), errors every time, other text as is', () => {
    // Prepare
    const filter = humanLogFilter();
    const standIn = record('WARN', 'stand-in health: reporting a healthy cluster', { module: 'health' });
    const failed = record('ERROR', 'health read failed', { cluster: 'c' });
    // Act
    const out = [
      filter(`${standIn}\n`),
      filter('plain progress line\n'),
      filter(`${standIn}\n`),
      filter(`${failed}\n`),
      filter(`${failed}\n`),
      filter(`${record('WARN', 'stand-in health: reporting a healthy cluster', { module: 'other' })}\n`),
    ];
    // Assess
    expect(out).toEqual([
      '          ⚠ stand-in health: reporting a healthy cluster (module=health)\n',
      'plain progress line\n',
      '',
      '          ✗ health read failed (cluster=c)\n',
      '          ✗ health read failed (cluster=c)\n',
      '          ⚠ stand-in health: reporting a healthy cluster (module=other)\n',
    ]);
  });
});

describe('registry hint', () => {
  it.each([
    [
      'pip',
      'WARNING: Retrying ... Failed to establish a new connection: [Errno -3] Temporary failure in name resolution',
    ],
    ['uv', 'error: Failed to fetch: `https://pypi.org/simple/moto/`'],
    ['curl (Maven Central)', 'curl: (6) Could not resolve host: repo1.maven.org'],
    [
      'apt',
      'E: Failed to fetch http://deb.debian.org/debian/pool/main/h/haproxy/haproxy.deb  Could not connect to deb.debian.org:80',
    ],
  ])('names the registries and what to check after a %s network failure', (_tool, output) => {
    expect(registryHint(output)).toContain('A package registry could not be reached (PyPI');
    expect(registryHint(output)).toContain('HTTPS_PROXY');
  });

  it('says nothing for other failures', () => {
    expect(registryHint('setup-tools: python3: command not found')).toBeUndefined();
  });
});
