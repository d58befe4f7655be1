// `lunawall applies [ID]`: apply history from the local database, or one apply's journal (no server needed).
import { parse, openLocal } from './args.js';
import { closeDb } from '../db/index.js';
import { getApply, listApplies } from '../apply/store.js';
import { CliError, type Command } from './types.js';
import { iso } from './apply-client.js';

export const appliesCommand: Command = {
  name: 'applies',
  summary: 'list applies, or show one with its journal',
  usage: 'lunawall applies [ID] [--limit N] [--data-dir DIR]',
  async run(args, io) {
    const { values, positionals } = parse(args, { limit: { type: 'string' } });
    if (positionals.length > 1) throw new CliError('give at most one apply id');
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError(`--limit must be 1-1000, not "${values.limit}"`);
    const { db } = openLocal(io, values);
    try {
      const id = positionals[0];
      if (id) {
        const v = getApply(db, id);
        if (!v) throw new CliError(`no apply ${id}`, 1);
        io.out(`apply ${v.id}: ${v.state}${v.reason ? ` — ${v.reason}` : ''}`);
        io.out(`started by ${v.startedBy} at ${iso(v.createdAt)}; policies ${v.policies === 'all' ? 'all' : v.policies.join(', ')}; deadline ${iso(v.deadline)}`);
        io.out(`revisions: ${v.revisions.map((r) => `${r.name}@${r.revision}`).join(', ') || '-'}`);
        for (const j of v.journal) io.out(`  ${iso(j.at)}  ${j.state.padEnd(16)} ${j.kind === 'error' ? 'ERROR ' : ''}${j.message}`);
        return 0;
      }
      const rows = listApplies(db, limit);
      if (!rows.length) io.out('no applies yet');
      for (const a of rows) io.out(`${a.id}  ${a.state.padEnd(16)} ${iso(a.createdAt)}  ${a.startedBy}  ${a.policies === 'all' ? 'all' : a.policies.join(',')}${a.reason ? `  — ${a.reason}` : ''}`);
      return 0;
    } finally {
      closeDb(db);
    }
  },
};
