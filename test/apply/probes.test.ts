// Liveness probes against real local listeners: TCP, ICMP (system ping), DNS (own UDP responder), HTTP, runtime health.
import { createServer as createHttp, type Server as HttpServer } from 'node:http';
import { createServer as createTcp, type Server as TcpServer, type AddressInfo } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbes } from '../../server/apply/probes/index.js';
import { pingProbe } from '../../server/apply/probes/ping.js';
import { probeSpec, type ProbeSpecInput } from '../../server/apply/probes/types.js';

const specs = (...s: ProbeSpecInput[]) => s.map((x) => probeSpec.parse(x));
const ctx = (health: Record<string, string[]> = {}) => ({
  runtimes: Object.keys(health),
  health: async (n: string) => ({ ok: health[n]!.length === 0, errors: health[n]! }),
});

/** Answers every A query with 127.0.0.7 (and nothing else), enough for the resolver. */
function dnsResponder(sock: Socket) {
  sock.on('message', (q, rinfo) => {
    let i = 12;
    while (q[i]) i += q[i]! + 1;
    const question = q.subarray(12, i + 5);
    const header = Buffer.from([q[0]!, q[1]!, 0x81, 0x80, 0, 1, 0, q.readUInt16BE(i + 1) === 1 ? 1 : 0, 0, 0, 0, 0]);
    const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 7]);
    sock.send(Buffer.concat([header, question, ...(q.readUInt16BE(i + 1) === 1 ? [answer] : [])]), rinfo.port, rinfo.address);
  });
}

describe('liveness probes', () => {
  let tcp: TcpServer;
  let http: HttpServer;
  let dns: Socket;
  let tcpPort = 0;
  let httpPort = 0;
  let dnsPort = 0;
  let closedPort = 0;

  beforeAll(async () => {
    tcp = createTcp((s) => s.end()).listen(0, '127.0.0.1');
    http = createHttp((req, res) => {
      res.statusCode = req.url === '/ok' ? 200 : 503;
      res.end();
    }).listen(0, '127.0.0.1');
    dns = createSocket('udp4');
    dnsResponder(dns);
    await Promise.all([new Promise((r) => tcp.once('listening', r)), new Promise((r) => http.once('listening', r)), new Promise<void>((r) => dns.bind(0, '127.0.0.1', r))]);
    tcpPort = (tcp.address() as AddressInfo).port;
    httpPort = (http.address() as AddressInfo).port;
    dnsPort = dns.address().port;
    const spare = createTcp().listen(0, '127.0.0.1');
    await new Promise((r) => spare.once('listening', r));
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise((r) => spare.close(r));
  });
  afterAll(() => {
    tcp.close();
    http.close();
    dns.close();
  });

  it('tcp: passes on a listener, fails on a closed port with the reason', async () => {
    const [ok, bad] = await runProbes(specs({ kind: 'tcp', host: '127.0.0.1', port: tcpPort }, { kind: 'tcp', host: '127.0.0.1', port: closedPort }), ctx());
    expect(ok).toMatchObject({ name: `tcp 127.0.0.1:${tcpPort}`, ok: true });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('http: passes on the expected status, fails on another', async () => {
    const [ok, bad] = await runProbes(
      specs({ kind: 'http', url: `http://127.0.0.1:${httpPort}/ok` }, { kind: 'http', url: `http://127.0.0.1:${httpPort}/down`, name: 'acs' }),
      ctx(),
    );
    expect(ok!.ok).toBe(true);
    expect(bad).toMatchObject({ name: 'acs', ok: false, error: `GET http://127.0.0.1:${httpPort}/down answered 503, expected 200` });
  });

  it('dns: resolves through the given server only; a silent server times out', async () => {
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const [ok, bad] = await runProbes(
      specs({ kind: 'dns', server: '127.0.0.1', port: dnsPort, query: 'router.test' }, { kind: 'dns', server: '127.0.0.1', port: silent.address().port, query: 'router.test', timeoutMs: 300 }),
      ctx(),
    );
    silent.close();
    expect(ok).toMatchObject({ name: 'dns router.test @127.0.0.1', ok: true });
    expect(bad!.ok).toBe(false);
    expect(bad!.error).toMatch(/router\.test/);
  });

  it.skipIf(spawnSync('ping', ['-c', '1', '-W', '1', '127.0.0.1']).status !== 0)('ping: the system ping answers for loopback; a ping that fails fails the probe', async () => {
    const [ok] = await runProbes(specs({ kind: 'ping', host: '127.0.0.1' }), ctx());
    expect(ok).toMatchObject({ name: 'ping 127.0.0.1', ok: true });
    // `false` stands in for a ping that got no reply (exit status 1); unreachable hosts are tested in test/net.
    await expect(pingProbe('127.0.0.1', 500, 'false')).rejects.toThrow(/^no echo reply from 127\.0\.0\.1 within 500 ms/);
  });

  it('health: every runtime without hook errors, else the runtime and its errors', async () => {
    const [ok] = await runProbes(specs({ kind: 'health' }), ctx({ a: [], b: [] }));
    expect(ok!.ok).toBe(true);
    const [bad] = await runProbes(specs({ kind: 'health' }), ctx({ a: [], b: ['x.lua:3: attempt to index nil'] }));
    expect(bad).toMatchObject({ name: 'runtimes healthy', ok: false, error: 'b: x.lua:3: attempt to index nil' });
  });

  it('rejects bad probe specs', () => {
    expect(probeSpec.safeParse({ kind: 'tcp', host: 'x', port: 0 }).success).toBe(false);
    expect(probeSpec.safeParse({ kind: 'http', url: 'not a url' }).success).toBe(false);
    expect(probeSpec.safeParse({ kind: 'smtp' }).success).toBe(false);
  });
});
