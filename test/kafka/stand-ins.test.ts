/**
 * The pure pieces of the real-Kafka harness, without Kafka: the haproxy config generated from the plan
 * (and haproxy's own parser accepting it), the stats CSV, the consumer-side name resolution, and the
 * kernel's TCP table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planCluster } from '../../functions/lib/domain/plan';
import { parseClusterSpec } from '../../functions/lib/spec';
import { seedSpec } from '../fixtures/specs';
import { consumerNameMap, consumerSocketFactory, renderHostsFile, type SocketRecord } from './consumer-side';
import { parseStat, renderHaproxyConfig, serverRows } from './haproxy';
import { findHaproxy } from './harness';
import { acceptedFrom, parseProcAddress, parseProcNetTcp } from './kernel-tcp';

const seedPlan = planCluster(parseClusterSpec(seedSpec()));
const options = {
  bindAddress: '127.0.2.1',
  brokerAddress: (nodeId: number) => `127.0.1.${nodeId}`,
  statsSocket: '/tmp/x/haproxy.sock',
};

/** frontend port → [backend, servers "name address:port"] read from the rendered text. */
function routes(config: string): Map<number, { backend: string; servers: string[] }> {
  const backends = new Map<string, string[]>();
  for (const block of config.split(/\n(?=backend )/).slice(1)) {
    const [head, ...rest] = block.split('\n');
    const servers = rest.filter((l) => l.trim().startsWith('server ')).map((l) => l.trim().split(' '));
    backends.set(
      head?.slice('backend '.length) ?? '',
      servers.map((s) => `${s[1]} ${s[2]}`),
    );
  }
  const result = new Map<number, { backend: string; servers: string[] }>();
  for (const match of config.matchAll(/bind 127\.0\.2\.1:(\d+)\n\s+default_backend (\S+)/g)) {
    const backend = match[2] ?? '';
    result.set(Number(match[1]), { backend, servers: backends.get(backend) ?? [] });
  }
  return result;
}

describe('haproxy as the NLB: config generated from the plan', () => {
  it('routes the bootstrap port to every broker and each broker port to that broker only, on EXTERNAL', () => {
    // Act
    const config = renderHaproxyConfig(seedPlan, options);
    // Assess
    expect(routes(config)).toEqual(
      new Map([
        [
          9092,
          {
            backend: 'seed-usw2-bootstrap',
            servers: ['b1 127.0.1.1:39092', 'b2 127.0.1.2:39092', 'b3 127.0.1.3:39092'],
          },
        ],
        [9093, { backend: 'seed-usw2-b1', servers: ['b1 127.0.1.1:39092'] }],
        [9094, { backend: 'seed-usw2-b2', servers: ['b2 127.0.1.2:39092'] }],
        [9095, { backend: 'seed-usw2-b3', servers: ['b3 127.0.1.3:39092'] }],
      ]),
    );
    expect(config).toContain('  mode tcp\n');
    expect(config).toContain('  stats socket /tmp/x/haproxy.sock mode 600 level operator\n');
  });

  it('follows the plan when it scales out (6 brokers, 7 listeners), and haproxy itself accepts the config', () => {
    // Prepare
    const plan = planCluster(parseClusterSpec(seedSpec({ brokersPerAz: 2, ports: { bootstrap: 7000 } })));
    const dir = mkdtempSync(join(tmpdir(), 'kafka-plc-haproxy-'));
    const file = join(dir, 'haproxy.cfg');
    // Act
    const config = renderHaproxyConfig(plan, { ...options, statsSocket: join(dir, 'stats.sock') });
    writeFileSync(file, config);
    // Assess
    const table = routes(config);
    expect([...table.keys()]).toEqual([7000, 9093, 9094, 9095, 9096, 9097, 9098]);
    expect(table.get(7000)?.servers).toHaveLength(6);
    expect(table.get(9098)?.servers).toEqual(['b6 127.0.1.6:39092']);
    try {
      expect(() => execFileSync(findHaproxy(), ['-c', '-q', '-f', file], { stdio: 'pipe' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads haproxy's `show stat` CSV, per server", () => {
    // Prepare
    const csv = [
      '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr',
      'nlb-9093,FRONTEND,,,1,1,2048,5,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,,,,,,,,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,,',
      'seed-usw2-b1,b1,0,0,1,1,,5,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,12,0,,1,3,1,,5,,2,0,,1,L4OK,,0,,,,,,,,,,,0,0,,,,,3,,,0,0,0,0,,,,Layer4 check passed,,1,2,2,,,,127.0.1.1:39092',
      'seed-usw2-b1,BACKEND,0,0,1,1,205,5,0,0,0,0,,0,0,0,0,UP,1,1,0,,0,12,0,,1,3,0,,5,,1,0,,1,,,,,,,,,,,,,,0,0,0,0,0,0,3,,,0,0,0,0,,,,,,,,,,,,',
      '',
    ].join('\n');
    // Act
    const rows = parseStat(csv);
    // Assess
    expect(serverRows(rows)).toEqual([
      {
        proxy: 'seed-usw2-b1',
        server: 'b1',
        totalSessions: 5,
        currentSessions: 1,
        status: 'UP',
        checkStatus: 'L4OK',
        address: '127.0.1.1:39092',
      },
    ]);
    expect(() => parseStat('Unknown command.\n')).toThrow(/show stat/);
  });
});

describe('the consumer side resolves advertised names to the endpoint only', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
  });

  it('writes a hosts file naming only the advertised brokers, at the endpoint address', () => {
    // Act
    const hosts = renderHostsFile(consumerNameMap(seedPlan, '127.0.2.1'));
    // Assess
    expect(hosts).toBe(
      [
        '127.0.2.1 b1.usw2-az1.unique_name.aws.plc.tidbcloud.com',
        '127.0.2.1 b2.usw2-az2.unique_name.aws.plc.tidbcloud.com',
        '127.0.2.1 b3.usw2-az3.unique_name.aws.plc.tidbcloud.com',
        '',
      ].join('\n'),
    );
  });

  it('connects advertised names to the endpoint, and refuses INTERNAL addresses and unknown names', async () => {
    // Prepare: a listener standing in for the endpoint
    const endpoint = createServer((socket) => socket.end());
    server = endpoint;
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const address = endpoint.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const record: SocketRecord[] = [];
    const factory = consumerSocketFactory(consumerNameMap(seedPlan, '127.0.0.1'), ['127.0.0.1'], record);
    const args = (host: string) => ({ host, port, ssl: {}, onConnect: () => undefined });
    // Act
    const socket = factory(args('b2.usw2-az2.unique_name.aws.plc.tidbcloud.com'));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.destroy();
    // Assess
    expect(record).toEqual([
      { host: 'b2.usw2-az2.unique_name.aws.plc.tidbcloud.com', port, address: '127.0.0.1' },
    ]);
    expect(() => factory(args(seedPlan.brokers[0]!.privateIp))).toThrow(/does not resolve here/);
    expect(() => factory(args('127.0.1.1'))).toThrow(/does not resolve here/);
    expect(() => factory(args('b4.usw2-az1.unique_name.aws.plc.tidbcloud.com'))).toThrow(
      /does not resolve here/,
    );
    expect(record).toHaveLength(1);
  });
});

describe("the kernel's TCP table", () => {
  it('reads IPv4 and IPv4-mapped IPv6 addresses in host byte order', () => {
    // Act + Assess
    expect(parseProcAddress('0201007F:9A5C')).toEqual({ ip: '127.0.1.2', port: 39516 });
    expect(parseProcAddress('0000000000000000FFFF00000201007F:9A5C')).toEqual({
      ip: '127.0.1.2',
      port: 39516,
    });
    expect(parseProcAddress('00000000000000000000000001000000:0016')).toBeUndefined();
  });

  it('counts only established connections a listener accepted from a given address', () => {
    // Prepare: one match; one in TIME_WAIT (06); one from another address; the listening socket (0A)
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0201007F:9A5C 0102007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 1',
      '   1: 0201007F:9A5C 0102007F:D432 06 00000000:00000000 00:00000000 00000000     0        0 2',
      '   2: 0201007F:9A5C 0100007F:D433 01 00000000:00000000 00:00000000 00000000     0        0 3',
      '   3: 0201007F:9A5C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4',
    ].join('\n');
    // Act + Assess
    expect(acceptedFrom(parseProcNetTcp(table), '127.0.1.2', 39516, '127.0.2.1')).toBe(1);
  });
});
