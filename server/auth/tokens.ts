// API tokens: random bearer secrets stored as sha256 hashes, each with scopes read, write and apply.
import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { apiTokens } from '../db/schema/auth.js';

export const scopes = ['read', 'write', 'apply'] as const;
export type Scope = (typeof scopes)[number];

export const tokenNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface TokenInfo {
  name: string;
  scopes: Scope[];
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export class TokenError extends Error {
  constructor(
    readonly code: 'token.name-invalid' | 'token.scope-invalid' | 'token.exists' | 'token.not-found',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** "read,write" → ['read','write']; throws TokenError naming the first unknown scope. */
export function parseScopes(text: string): Scope[] {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new TokenError('token.scope-invalid', 'at least one scope is required (read, write, apply)');
  for (const p of parts) {
    if (!(scopes as readonly string[]).includes(p)) throw new TokenError('token.scope-invalid', `unknown scope "${p}" (expected read, write, apply)`);
  }
  return scopes.filter((s) => parts.includes(s));
}

function toInfo(row: typeof apiTokens.$inferSelect): TokenInfo {
  return { name: row.name, scopes: parseScopes(row.scopes), prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt };
}

/** Creates a token and returns its text: the only time it exists outside the caller. */
export function createToken(db: Db, name: string, tokenScopes: readonly Scope[], now: number): { token: string; info: TokenInfo } {
  if (!tokenNamePattern.test(name)) throw new TokenError('token.name-invalid', `token name "${name}" must be 1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit`);
  const unique = scopes.filter((s) => tokenScopes.includes(s));
  if (unique.length === 0) throw new TokenError('token.scope-invalid', 'at least one scope is required (read, write, apply)');
  const token = `lw_${randomBytes(32).toString('base64url')}`;
  const row = { name, hash: sha256(token), scopes: unique.join(','), prefix: token.slice(0, 7), createdAt: now, lastUsedAt: null };
  const res = db.insert(apiTokens).values(row).onConflictDoNothing({ target: apiTokens.name }).run();
  if (res.changes === 0) throw new TokenError('token.exists', `a token named "${name}" already exists`);
  return { token, info: toInfo(row) };
}

export function listTokens(db: Db): TokenInfo[] {
  return db.select().from(apiTokens).orderBy(apiTokens.name).all().map(toInfo);
}

export function revokeToken(db: Db, name: string): void {
  const res = db.delete(apiTokens).where(eq(apiTokens.name, name)).run();
  if (res.changes === 0) throw new TokenError('token.not-found', `no token named "${name}"`);
}

/** Recording every use would write on every request; a minute's precision is enough. */
const LAST_USED_PRECISION_MS = 60_000;

/** The token's name and scopes if `token` is a live token, else undefined. */
export function verifyToken(db: Db, token: string, now: number): { name: string; scopes: Scope[] } | undefined {
  const row = db.select().from(apiTokens).where(eq(apiTokens.hash, sha256(token))).get();
  if (!row) return undefined;
  if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_PRECISION_MS) {
    db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.name, row.name)).run();
  }
  return { name: row.name, scopes: parseScopes(row.scopes) };
}
