// The nfqueue backend against the contract, inside a namespace of its own (root only; always in CI).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { NfqueueBackend } from '../../server/kernel/nfqueue.js';
import { createTopology, netnsUnavailable } from '../net/topology.js';
import { backendContract } from './contract.case.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`the nfqueue contract must run in CI: ${why}`);

if (why) {
  // A skipped suite with the reason keeps the skip visible in the report.
  describe.skip(`KernelBackend contract: nfqueue (skipped: ${why})`, () => {
    it('runs the contract', () => undefined);
  });
} else {
  for (const profile of ['lunatik-4', 'lunatik-3.6'] as const) {
    backendContract(`nfqueue ${profile} (router namespace, real packets)`, async () => {
      const topo = await createTopology();
      const dir = await mkdtemp(join(tmpdir(), 'lw-nfq-contract-'));
      const flag = join(dir, 'refuse-new-chains');
      // iptables that refuses to create chains while the flag file exists: attaching a new hook fails.
      const wrap = async (bin: string) => {
        const path = join(dir, bin);
        await writeFile(path, `#!/bin/sh\nif [ -e '${flag}' ]; then for a in "$@"; do [ "$a" = "-N" ] && { echo "refusing -N (test)" >&2; exit 1; }; done; fi\nexec ${bin} "$@"\n`);
        await chmod(path, 0o755);
        return path;
      };
      const backend = new NfqueueBackend({ netns: topo.ns.router, profile, iptables: await wrap('iptables'), ip6tables: await wrap('ip6tables') });
      return {
        backend,
        kind: 'nfqueue',
        // The scripts hook LOCAL_OUT: a ping from the router itself goes through them.
        provokeHookError: async () => {
          await topo.exec('router', ['ping', '-c', '1', '-W', '2', '127.0.0.1']);
        },
        breakLoading: async () => {
          await writeFile(flag, '');
          return () => rm(flag);
        },
        cleanup: async () => {
          await backend.close();
          await topo.destroy();
          await rm(dir, { recursive: true, force: true });
        },
      };
    });
  }
}
