// The nfqueue backend against the contract, inside a namespace of its own (root only; always in CI).
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
      const backend = new NfqueueBackend({ netns: topo.ns.router, profile });
      return {
        backend,
        kind: 'nfqueue',
        // The scripts hook LOCAL_OUT: a ping from the router itself goes through them.
        provokeHookError: async () => {
          await topo.exec('router', ['ping', '-c', '1', '-W', '2', '127.0.0.1']);
        },
        cleanup: async () => {
          await backend.close();
          await topo.destroy();
        },
      };
    });
  }
}
