// Compiled policies on real traffic: the nfqueue backend in the router namespace drops what they say.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { runChecked } from '../../server/kernel/exec.js';
import { NfqueueBackend } from '../../server/kernel/nfqueue.js';
import { checkPolicy } from '../../server/policy/check.js';
import { addr, createTopology, netnsUnavailable, waitForOutput, type Topology } from './topology.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`real-packet tests must run in CI: ${why}`);

const servers = fileURLToPath(new URL('./wan-servers.mjs', import.meta.url));

describe.skipIf(why)(`compiled policies on real packets (nfqueue backend)${why ? ` (skipped: ${why})` : ''}`, () => {
  let topo: Topology;
  let backend: NfqueueBackend;
  let certDir: string;

  /** Compiles a policy for the backend's profile with the router's real ifindexes and loads it. */
  async function load(input: unknown): Promise<string> {
    const { policy, diagnostics } = checkPolicy(input);
    if (!policy) throw new Error(`bad test policy: ${JSON.stringify(diagnostics)}`);
    const { profile } = await backend.info();
    const compiled = compilePolicy(policy, { profile, ifindexes: await backend.ifindexes() });
    const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`test policy does not compile: ${JSON.stringify(errors)}`);
    await backend.load(policy.name, compiled.script, { target: policy.target, hook: policy.hook, interfaces: policy.interfaces });
    return policy.name;
  }

  const tcp = (host: string, port: number) => topo.exec('lan', ['nc', '-z', '-w', '2', host, String(port)]);
  const curl = (name: string, scheme: 'http' | 'https' = 'https') =>
    topo.exec('lan', [
      'curl', '-sk', '--max-time', '3', '-o', '/dev/null', '-w', '%{http_code}',
      '--resolve', `${name}:${scheme === 'https' ? 443 : 80}:${addr.wan}`, `${scheme}://${name}/`,
    ]);
  const dig = (name: string) => topo.exec('lan', ['dig', `@${addr.wan}`, name, 'A', '+time=1', '+tries=1', '+short']);

  beforeAll(async () => {
    topo = await createTopology();
    backend = new NfqueueBackend({ netns: topo.ns.router });
    certDir = await mkdtemp(join(tmpdir(), 'lw-cert-'));
    await runChecked([
      'openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=wan.test', '-days', '1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'),
    ]);
    const wan = topo.spawn('wan', [process.execPath, servers, addr.wan, join(certDir, 'key.pem'), join(certDir, 'cert.pem')]);
    await waitForOutput(wan, 'ready');
    topo.spawn('wan', ['nc', '-lk', '22']);
  });
  afterAll(async () => {
    await backend?.close();
    await topo?.destroy();
    if (certDir) await rm(certDir, { recursive: true, force: true });
  });

  it('without a policy, SSH, HTTP, HTTPS and DNS all get through', async () => {
    expect((await tcp(addr.wan, 22)).code).toBe(0);
    expect((await curl('allowed.example', 'http')).stdout).toBe('200');
    expect((await curl('blocked.example')).stdout).toBe('200');
    expect((await dig('blocked.example')).stdout.trim()).toBe(addr.wan);
  });

  it('a policy dropping LAN→WAN TCP 22 stops nc (IPv4 and IPv6) while HTTP passes', async () => {
    await load({
      name: 'no-ssh',
      hook: 'forward',
      rules: [{ id: 'ssh', match: { proto: 'tcp', dstPorts: [22] }, action: 'drop' }],
    });
    expect((await tcp(addr.wan, 22)).code).not.toBe(0);
    expect((await tcp(addr.wan6, 22)).code).not.toBe(0);
    expect((await curl('allowed.example', 'http')).stdout).toBe('200');
    expect((await backend.counters('no-ssh'))?.ssh).toBeGreaterThan(0);
    expect(await backend.health('no-ssh')).toEqual({ ok: true, errors: [] });
    await backend.unload('no-ssh');
    expect((await tcp(addr.wan, 22)).code).toBe(0);
  });

  it('a domain policy drops curl to a blocked SNI and dig for a blocked name; other names work', async () => {
    await load({
      name: 'no-blocked',
      hook: 'forward',
      rules: [{ id: 'blocked', match: { domains: ['blocked.example'] }, action: 'drop' }],
    });
    const blocked = await curl('blocked.example');
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout).not.toBe('200');
    expect((await curl('www.blocked.example')).stdout).not.toBe('200');
    expect((await curl('allowed.example')).stdout).toBe('200');
    expect((await curl('notblocked.example')).stdout).toBe('200');
    const lookup = await dig('blocked.example');
    expect(lookup.stdout).toContain('timed out');
    expect((await dig('allowed.example')).stdout.trim()).toBe(addr.wan);
    expect((await backend.counters('no-blocked'))?.blocked).toBeGreaterThanOrEqual(2);
    await backend.unload('no-blocked');
    expect((await dig('blocked.example')).stdout.trim()).toBe(addr.wan);
  });
});
