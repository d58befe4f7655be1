// `lunawall policy list|show|import|export|history|diff`: the policy store, locally, without HTTP.
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parse, openLocal } from './args.js';
import { closeDb, type Db } from '../db/index.js';
import { getPolicy, listPolicies, StoreError } from '../db/policies.js';
import { diffRevisions, getRevision, listRevisions } from '../db/revisions.js';
import { syncPolicies, upsertPolicies } from '../db/sync.js';
import { formatChange } from '../db/json-diff.js';
import { checkPolicyDocument, formatDiagnostic, hasErrors, readJsonFile } from './policy-file.js';
import { CliError, type CliIO, type Command } from './types.js';

const usage = [
  'lunawall policy list',
  'lunawall policy show NAME [--revision N]',
  'lunawall policy import FILE [--replace] [--dry-run]   (--replace deletes policies not in FILE)',
  'lunawall policy export [NAME...] [--output FILE]',
  'lunawall policy history NAME',
  'lunawall policy diff NAME FROM TO',
].join('\n       ');

const author = () => {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
};
const when = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const int = (s: string | undefined, what: string) => {
  if (s === undefined || !/^\d+$/.test(s) || Number(s) < 1) throw new CliError(`${what} must be a revision number (1, 2, …), not ${JSON.stringify(s ?? '')}`);
  return Number(s);
};

function list(db: Db, io: CliIO): number {
  const all = listPolicies(db);
  if (all.length === 0) {
    io.err('no policies');
    return 0;
  }
  const w = Math.max(4, ...all.map((p) => p.name.length));
  io.out(`${'NAME'.padEnd(w)}  REV  ENABLED  ${'TARGET'.padEnd(22)}  RULES  UPDATED`);
  for (const s of all) {
    const p = s.policy;
    const target = p.target === 'xdp' ? `xdp ${(p.interfaces ?? []).join(',')}` : `netfilter ${p.hook ?? '-'}`;
    io.out(`${s.name.padEnd(w)}  ${String(s.revision).padStart(3)}  ${(p.enabled ? 'yes' : 'no').padEnd(7)}  ${target.padEnd(22)}  ${String(p.rules.length).padStart(5)}  ${when(s.updatedAt)}`);
  }
  return 0;
}

function importFile(db: Db, io: CliIO, file: string, replace: boolean, dryRun: boolean): number {
  const { policies, diagnostics } = checkPolicyDocument(readJsonFile(file));
  for (const d of diagnostics) (d.severity === 'error' ? io.err : io.out)(formatDiagnostic(d));
  if (hasErrors(diagnostics)) {
    io.err(`${file}: not imported: ${diagnostics.filter((d) => d.severity === 'error').length} error(s); nothing was changed`);
    return 1;
  }
  const opts = { author: author(), now: Date.now(), dryRun };
  const r = replace ? syncPolicies(db, policies, opts) : upsertPolicies(db, policies, opts);
  const verb = dryRun ? 'would be ' : '';
  for (const [what, names] of [['created', r.created], ['changed', r.changed], ['deleted', r.deleted], ['unchanged', r.unchanged]] as const) {
    if (names.length) io.out(`${verb}${what}: ${names.join(', ')}`);
  }
  if (!r.created.length && !r.changed.length && !r.deleted.length) io.out('nothing to change');
  return 0;
}

export const policyCommand: Command = {
  name: 'policy',
  summary: 'list, show, import, export policies; history and diffs of revisions',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, {
      replace: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      revision: { type: 'string' },
    });
    const [sub, ...rest] = positionals;
    const subs = ['list', 'show', 'import', 'export', 'history', 'diff'];
    if (!sub || !subs.includes(sub)) throw new CliError(`expected one of ${subs.join(', ')} (usage: ${usage.split('\n')[0]} …)`);
    const need = (n: number, what: string) => {
      if (rest.length !== n) throw new CliError(`policy ${sub} expects ${what}`);
    };
    const { db } = openLocal(io, values);
    try {
      switch (sub) {
        case 'list':
          need(0, 'no arguments');
          return list(db, io);
        case 'show': {
          need(1, 'a policy NAME');
          const name = rest[0]!;
          if (values.revision !== undefined) {
            const rev = getRevision(db, name, int(values.revision, '--revision'));
            if (!rev) throw new CliError(`policy "${name}" has no revision ${values.revision}`, 1);
            io.out(JSON.stringify(rev.policy, null, 2));
            return 0;
          }
          const s = getPolicy(db, name);
          if (!s) throw new CliError(`no policy named "${name}"`, 1);
          io.out(JSON.stringify(s.policy, null, 2));
          return 0;
        }
        case 'import':
          need(1, 'a FILE');
          return importFile(db, io, rest[0]!, values.replace === true, values['dry-run'] === true);
        case 'export': {
          const all = listPolicies(db);
          const unknown = rest.filter((n) => !all.some((s) => s.name === n));
          if (unknown.length) throw new CliError(`no policy named "${unknown[0]}"`, 1);
          const chosen = rest.length ? all.filter((s) => rest.includes(s.name)) : all;
          const text = JSON.stringify({ policies: chosen.map((s) => s.policy) }, null, 2);
          if (values.output) {
            writeFileSync(values.output, text + '\n');
            io.err(`exported ${chosen.length} polic${chosen.length === 1 ? 'y' : 'ies'} to ${values.output}`);
          } else io.out(text);
          return 0;
        }
        case 'history': {
          need(1, 'a policy NAME');
          const revs = listRevisions(db, rest[0]!);
          if (revs.length === 0) throw new CliError(`policy "${rest[0]}" has no revisions`, 1);
          for (const r of revs) io.out(`${String(r.n).padStart(4)}  ${when(r.createdAt)}  ${r.kind.padEnd(6)}  ${r.author}  ${r.hash.slice(0, 12)}${r.message ? `  ${r.message}` : ''}`);
          return 0;
        }
        default: {
          need(3, 'NAME FROM TO');
          const changes = diffRevisions(db, rest[0]!, int(rest[1], 'FROM'), int(rest[2], 'TO'));
          if (!changes) throw new CliError(`policy "${rest[0]}" lacks revision ${rest[1]} or ${rest[2]}`, 1);
          for (const c of changes) io.out(formatChange(c));
          if (changes.length === 0) io.err('no differences');
          return 0;
        }
      }
    } catch (e) {
      if (e instanceof StoreError) throw new CliError(e.message, 1);
      throw e;
    } finally {
      closeDb(db);
    }
  },
};
