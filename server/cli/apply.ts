// `lunawall apply`: starts an apply on the running service and follows it until it awaits confirmation or ends.
import { parse } from './args.js';
import { applyClient, clientOptions, iso, saveConfirmToken } from './apply-client.js';
import { CliError, type Command } from './types.js';
import type { ApplyStarted, ApplyView } from '../apply/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const applyCommand: Command = {
  name: 'apply',
  summary: 'load policies with probes, a confirm window and automatic rollback',
  usage: 'lunawall apply [--policy NAME]... [--confirm-window S] [--unchecked] [--no-guard] [--url URL] [--token API_TOKEN]',
  async run(args, io) {
    const { values, positionals } = parse(args, {
      ...clientOptions,
      policy: { type: 'string', multiple: true },
      'confirm-window': { type: 'string' },
      unchecked: { type: 'boolean' },
      'no-guard': { type: 'boolean' },
    });
    if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}" (name policies with --policy NAME)`);
    const window = values['confirm-window'];
    if (window !== undefined && !/^\d{1,4}$/.test(window)) throw new CliError(`--confirm-window must be whole seconds (1-3600), not "${window}"`);
    if (window !== undefined && values.unchecked) throw new CliError('--unchecked has no confirm window; give one or the other');
    const client = await applyClient(io, values);
    const body = {
      policies: values.policy?.length ? values.policy : 'all',
      ...(window !== undefined ? { confirmWindow: Number(window) } : {}),
      ...(values.unchecked ? { unchecked: true } : {}),
      ...(values['no-guard'] ? { guard: false } : {}),
    };
    const { body: started } = await client.call<ApplyStarted>('POST', '/applies', body);
    saveConfirmToken(client.config, started.id, started.token);
    io.out(`apply ${started.id} started${started.deadline ? `; rolls back unless confirmed by ${iso(started.deadline)}` : ' (unchecked)'}`);
    let shown = 0;
    for (;;) {
      const { body: v } = await client.call<ApplyView>('GET', `/applies/${started.id}`);
      for (const j of v.journal.slice(shown)) io.out(`  ${iso(j.at)}  ${j.state.padEnd(16)} ${j.message}`);
      shown = v.journal.length;
      if (v.state === 'awaiting_confirm') {
        io.out(`probes passed. Confirm before ${iso(v.deadline)} with: lunawall confirm ${v.id}`);
        io.out(`(confirm token: ${started.token})`);
        return 0;
      }
      if (v.state === 'confirmed') return 0;
      if (v.state === 'failed' || v.state === 'rolled_back' || v.state === 'rollback_failed') {
        io.err(`lunawall apply: ${v.state}: ${v.reason ?? ''}`);
        return 1;
      }
      await sleep(200);
    }
  },
};
