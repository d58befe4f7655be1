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
import { clients } from './clients.js';
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

  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    topo = await createTopology();
    backend = new NfqueueBackend({ netns: topo.ns.router });
    c = clients(topo);
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
    expect((await c.tcp(addr.wan, 22, 'pass')).code).toBe(0);
    expect((await c.curl('allowed.example', 'http', 'pass')).stdout).toBe('200');
    expect((await c.curl('blocked.example', 'https', 'pass')).stdout).toBe('200');
    expect((await c.dig('blocked.example', 'pass')).stdout.trim()).toBe(addr.wan);
  });

  it('a policy dropping LAN→WAN TCP 22 stops nc (IPv4 and IPv6) while HTTP passes', async () => {
    await load({
      name: 'no-ssh',
      hook: 'forward',
      rules: [{ id: 'ssh', match: { proto: 'tcp', dstPorts: [22] }, action: 'drop' }],
    });
    expect((await c.tcp(addr.wan, 22, 'drop')).code).not.toBe(0);
    expect((await c.tcp(addr.wan6, 22, 'drop')).code).not.toBe(0);
    expect((await c.curl('allowed.example', 'http', 'pass')).stdout).toBe('200');
    expect((await backend.counters('no-ssh'))?.ssh).toBeGreaterThan(0);
    expect(await backend.health('no-ssh')).toEqual({ ok: true, errors: [] });
    await backend.unload('no-ssh');
    expect((await c.tcp(addr.wan, 22, 'pass')).code).toBe(0);
  });

  it('a domain policy drops curl to a blocked SNI and dig for a blocked name; other names work', async () => {
    await load({
      name: 'no-blocked',
      hook: 'forward',
      rules: [{ id: 'blocked', match: { domains: ['blocked.example'] }, action: 'drop' }],
    });
    const blocked = await c.curl('blocked.example', 'https', 'drop');
    expect(blocked.code).not.toBe(0);
    expect(blocked.stdout).not.toBe('200');
    expect((await c.curl('www.blocked.example', 'https', 'drop')).stdout).not.toBe('200');
    expect((await c.curl('allowed.example', 'https', 'pass')).stdout).toBe('200');
    expect((await c.curl('notblocked.example', 'https', 'pass')).stdout).toBe('200');
    const lookup = await c.dig('blocked.example', 'drop');
    expect(lookup.stdout).toContain('timed out');
    expect((await c.dig('allowed.example', 'pass')).stdout.trim()).toBe(addr.wan);
    expect((await backend.counters('no-blocked'))?.blocked).toBeGreaterThanOrEqual(2);
    await backend.unload('no-blocked');
    expect((await c.dig('blocked.example', 'pass')).stdout.trim()).toBe(addr.wan);
  });
});
