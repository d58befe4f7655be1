// The admin password: scrypt hashes (node:crypto), first-run creation, and verification.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { adminUsers } from '../db/schema/auth.js';
import { uiSessions } from '../db/schema/sessions.js';

export const ADMIN_USER = 'admin';
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((res, rej) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? rej(err) : res(key))));
}

/** "scrypt$N$r$p$salt$hash" with base64 salt and hash, so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPasswordHash(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, saltB64, hashB64] = stored.split('$');
  if (alg !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password people can type: 20 characters from an alphabet without look-alikes (~115 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function adminExists(db: Db): boolean {
  return db.select({ u: adminUsers.username }).from(adminUsers).where(eq(adminUsers.username, ADMIN_USER)).get() !== undefined;
}

/**
 * First run: creates the admin with `password` (LUNAWALL_ADMIN_PASSWORD) or a generated one.
 * Returns the generated password so the caller can print it once; later runs change nothing.
 */
export async function ensureAdmin(db: Db, now: number, password?: string): Promise<{ created: boolean; generated?: string }> {
  if (adminExists(db)) return { created: false };
  const generated = password === undefined ? generatePassword() : undefined;
  const hash = await hashPassword(password ?? generated!);
  const inserted = db
    .insert(adminUsers)
    .values({ username: ADMIN_USER, passwordHash: hash, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .run();
  if (inserted.changes === 0) return { created: false };
  return generated === undefined ? { created: true } : { created: true, generated };
}

/** Also ends every UI session: they outlive restarts, so this is how a session opened with a leaked password is closed. */
export async function setAdminPassword(db: Db, password: string, now: number): Promise<void> {
  const hash = await hashPassword(password);
  db.transaction((tx) => {
    tx.insert(adminUsers)
      .values({ username: ADMIN_USER, passwordHash: hash, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: adminUsers.username, set: { passwordHash: hash, updatedAt: now } })
      .run();
    tx.delete(uiSessions).run();
  });
}

/** The stored hash (with its parameters) of a user's password, if the user exists. */
export function passwordHashOf(db: Db, username: string): string | undefined {
  return db.select({ h: adminUsers.passwordHash }).from(adminUsers).where(eq(adminUsers.username, username)).get()?.h;
}

/** True iff `username`/`password` are the admin's. Not rate-limited: callers use loginLimiter. */
export async function checkAdminPassword(db: Db, username: string, password: string): Promise<boolean> {
  const row = db.select().from(adminUsers).where(eq(adminUsers.username, username)).get();
  if (!row) {
    // Same work either way, so timing does not reveal which user names exist.
    await verifyPasswordHash(password, `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`);
    return false;
  }
  return verifyPasswordHash(password, row.passwordHash);
}
