// `lunawall confirm ID`: confirms an apply on the running service with its confirm token.
import { parse } from './args.js';
import { applyClient, clientOptions, loadConfirmToken } from './apply-client.js';
import { CliError, type Command } from './types.js';
import type { ApplyView } from '../apply/index.js';

export const confirmCommand: Command = {
  name: 'confirm',
  summary: 'confirm an apply (keeps it; it becomes the last-known-good)',
  usage: 'lunawall confirm ID [--confirm-token TOKEN] [--url URL]',
  async run(args, io) {
    const { values, positionals } = parse(args, { ...clientOptions, 'confirm-token': { type: 'string' } });
    const [id, extra] = positionals;
    if (!id || extra !== undefined) throw new CliError('give exactly one apply id');
    const client = await applyClient(io, values);
    const token = values['confirm-token'] ?? loadConfirmToken(client.config, id);
    if (!token) throw new CliError(`no confirm token for apply ${id} on this machine; pass --confirm-token TOKEN (printed by "lunawall apply" or returned by POST /api/v1/applies)`);
    const { body: v } = await client.call<ApplyView>('POST', `/applies/${encodeURIComponent(id)}/confirm`, { token }, false);
    io.out(`apply ${v.id} confirmed: ${v.revisions.map((r) => `${r.name}@${r.revision}`).join(', ') || 'no runtimes'} is now the last-known-good set`);
    return 0;
  },
};
