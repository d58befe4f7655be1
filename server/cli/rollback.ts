// `lunawall rollback [ID]`: rolls back the running apply (or the given one) on the running service.
import { parse } from './args.js';
import { applyClient, clientOptions } from './apply-client.js';
import { CliError, type Command } from './types.js';
import type { ApplySummary, ApplyView } from '../apply/index.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'roll back the running apply (or retry a failed rollback)',
  usage: 'lunawall rollback [ID] [--url URL] [--token API_TOKEN]',
  async run(args, io) {
    const { values, positionals } = parse(args, clientOptions);
    if (positionals.length > 1) throw new CliError('give at most one apply id');
    const client = await applyClient(io, values);
    let id = positionals[0];
    if (!id) {
      const { body } = await client.call<{ applies: ApplySummary[]; active: string | null }>('GET', '/applies?limit=1');
      if (!body.active) throw new CliError('no apply is running; name one to retry its failed rollback', 1);
      id = body.active;
    }
    const { body: v } = await client.call<ApplyView>('POST', `/applies/${encodeURIComponent(id)}/rollback`);
    io.out(`apply ${v.id}: ${v.state}${v.reason ? ` (${v.reason})` : ''}`);
    return v.state === 'rolled_back' || v.state === 'failed' ? 0 : 1;
  },
};
