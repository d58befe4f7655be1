// The nfqueue backend when iptables fails half-way: no rules left behind (root only; always in CI).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError } from '../../server/kernel/backend.js';
import { NfqueueBackend } from '../../server/kernel/nfqueue.js';
import { createTopology, netnsUnavailable, type Topology } from '../net/topology.js';
import { hookScript } from './contract.case.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`the nfqueue error tests must run in CI: ${why}`);

describe.skipIf(why)(`nfqueue backend: iptables failing half-way${why ? ` (skipped: ${why})` : ''}`, () => {
  let topo: Topology;
  let dir: string;
  /** A stand-in for `bin` that fails whenever an argument equals `refuse`. */
  const wrapper = async (bin: string, refuse: string) => {
    const path = join(dir, `${bin}-refusing-${refuse}`);
    await writeFile(path, `#!/bin/sh\nfor a in "$@"; do [ "$a" = "${refuse}" ] && { echo "refused ${refuse}" >&2; exit 1; }; done\nexec ${bin} "$@"\n`);
    await chmod(path, 0o755);
    return path;
  };
  const rules = async () => {
    let out = '';
    for (const bin of ['iptables', 'ip6tables']) for (const t of ['mangle', 'raw']) out += (await topo.exec('router', [bin, '-t', t, '-S'])).stdout;
    return out;
  };

  beforeAll(async () => {
    topo = await createTopology();
    dir = await mkdtemp(join(tmpdir(), 'lunawall-ipt-'));
  });
  afterAll(async () => {
    await topo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a hook whose ip6tables rules cannot be added leaves no iptables rules behind', async () => {
    const backend = new NfqueueBackend({ netns: topo.ns.router, iptables: 'iptables', ip6tables: await wrapper('ip6tables', 'LUNAWALL-OUTPUT') });
    try {
      await expect(backend.load('out', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter', hook: 'output' })).rejects.toBeInstanceOf(LoadError);
      expect(await backend.list()).toEqual([]);
      expect(await rules()).not.toContain('LUNAWALL');
    } finally {
      await backend.close();
    }
  });
});
