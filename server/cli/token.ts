// `lunawall token create|list|revoke`: manage API tokens on the local database (the token is printed once).
import { parse, openLocal } from './args.js';
import { createToken, listTokens, parseScopes, revokeToken, TokenError } from '../auth/tokens.js';
import { closeDb } from '../db/index.js';
import { CliError, type Command } from './types.js';

const usage = 'lunawall token create --name NAME --scope read,write,apply | token list | token revoke NAME';
const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

export const tokenCommand: Command = {
  name: 'token',
  summary: 'create, list and revoke API tokens',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, { name: { type: 'string' }, scope: { type: 'string' } });
    const [sub, ...rest] = positionals;
    if (!sub || !['create', 'list', 'revoke'].includes(sub)) throw new CliError(`expected create, list or revoke (usage: ${usage})`);
    const { db } = openLocal(io, values);
    try {
      if (sub === 'create') {
        if (rest.length) throw new CliError(`unexpected argument "${rest[0]}" (usage: ${usage})`);
        if (!values.name) throw new CliError('--name is required');
        if (!values.scope) throw new CliError('--scope is required (e.g. --scope read,write)');
        const { token, info } = createToken(db, values.name, parseScopes(values.scope), Date.now());
        io.out(token);
        io.err(`token "${info.name}" created with scopes ${info.scopes.join(',')}; it is shown only this once`);
        return 0;
      }
      if (sub === 'list') {
        const tokens = listTokens(db);
        if (tokens.length === 0) {
          io.err('no tokens');
          return 0;
        }
        const w = Math.max(4, ...tokens.map((t) => t.name.length));
        io.out(`${'NAME'.padEnd(w)}  ${'SCOPES'.padEnd(16)}  ${'PREFIX'.padEnd(8)}  ${'CREATED'.padEnd(20)}  LAST USED`);
        for (const t of tokens) io.out(`${t.name.padEnd(w)}  ${t.scopes.join(',').padEnd(16)}  ${t.prefix.padEnd(8)}  ${when(t.createdAt).padEnd(20)}  ${when(t.lastUsedAt)}`);
        return 0;
      }
      if (rest.length !== 1) throw new CliError(`expected the token NAME (usage: ${usage})`);
      revokeToken(db, rest[0]!);
      io.err(`token "${rest[0]}" revoked`);
      return 0;
    } catch (e) {
      if (e instanceof TokenError) throw new CliError(e.message, 1);
      throw e;
    } finally {
      closeDb(db);
    }
  },
};
