// Auth primitives: scrypt admin password and first run, hashed tokens with scopes, the failed-login limiter.
import { describe, it, expect } from 'vitest';
import { openDb } from '../../server/db/index.js';
import { adminUsers, apiTokens } from '../../server/db/schema/auth.js';
import { checkAdminPassword, ensureAdmin, hashPassword, setAdminPassword, verifyPasswordHash } from '../../server/auth/password.js';
import { createToken, listTokens, parseScopes, revokeToken, verifyToken, TokenError } from '../../server/auth/tokens.js';
import { createLoginLimiter, limiterKey, loginLimiter } from '../../server/auth/limiter.js';

describe('admin password', () => {
  it('stores an scrypt hash with its parameters and verifies only the right password', async () => {
    const h = await hashPassword('s3cret-pass');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(h).not.toContain('s3cret-pass');
    expect(await verifyPasswordHash('s3cret-pass', h)).toBe(true);
    expect(await verifyPasswordHash('s3cret-pasS', h)).toBe(false);
    expect(await verifyPasswordHash('x', 'md5$abc')).toBe(false);
    expect(await hashPassword('s3cret-pass')).not.toBe(h);
  });

  it('creates the admin once: from the given password, or a generated one returned to print once', async () => {
    const db = openDb(':memory:');
    const first = await ensureAdmin(db, 1);
    expect(first.created).toBe(true);
    expect(first.generated).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(await checkAdminPassword(db, 'admin', first.generated!)).toBe(true);
    expect(await ensureAdmin(db, 2, 'another-password')).toEqual({ created: false });
    expect(await checkAdminPassword(db, 'admin', 'another-password')).toBe(false);

    const db2 = openDb(':memory:');
    expect(await ensureAdmin(db2, 1, 'from-env-var')).toEqual({ created: true });
    expect(await checkAdminPassword(db2, 'admin', 'from-env-var')).toBe(true);
    expect(await checkAdminPassword(db2, 'root', 'from-env-var')).toBe(false);
    await setAdminPassword(db2, 'changed-pass', 2);
    expect(await checkAdminPassword(db2, 'admin', 'from-env-var')).toBe(false);
    expect(await checkAdminPassword(db2, 'admin', 'changed-pass')).toBe(true);
    expect(db2.select().from(adminUsers).all()).toHaveLength(1);
  });
});

describe('API tokens', () => {
  it('stores only a sha256 of the token and verifies it with its scopes', () => {
    const db = openDb(':memory:');
    const { token, info } = createToken(db, 'isp', ['apply', 'read'], 1);
    expect(info.scopes).toEqual(['read', 'apply']);
    const row = db.select().from(apiTokens).get()!;
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.slice(7));
    expect(verifyToken(db, token, 2)).toEqual({ name: 'isp', scopes: ['read', 'apply'] });
    expect(verifyToken(db, token + 'x', 2)).toBeUndefined();
    expect(listTokens(db)[0]!.lastUsedAt).toBe(2);
    revokeToken(db, 'isp');
    expect(verifyToken(db, token, 3)).toBeUndefined();
  });

  it('rejects duplicate names, bad names and unknown scopes', () => {
    const db = openDb(':memory:');
    createToken(db, 'a', ['read'], 1);
    expect(() => createToken(db, 'a', ['read'], 1)).toThrow(TokenError);
    expect(() => createToken(db, '-a', ['read'], 1)).toThrow(/token name/);
    expect(() => createToken(db, 'b', [], 1)).toThrow(/scope/);
    expect(() => parseScopes('read,admin')).toThrow(/unknown scope "admin"/);
    expect(parseScopes(' write , read ')).toEqual(['read', 'write']);
    expect(() => revokeToken(db, 'zz')).toThrow(/no token/);
  });
});

describe('login limiter', () => {
  it('refuses after maxFailures within the window, per key, until the window passes', () => {
    let now = 0;
    const l = createLoginLimiter({ now: () => now }, { maxFailures: 3, windowMs: 1000, maxKeys: 100 });
    for (let i = 0; i < 3; i++) {
      expect(l.check('1.2.3.4').allowed).toBe(true);
      l.fail('1.2.3.4');
      now += 100;
    }
    const c = l.check('1.2.3.4');
    expect(c.allowed).toBe(false);
    expect(!c.allowed && c.retryAfterMs).toBe(700);
    expect(l.check('5.6.7.8').allowed).toBe(true);
    now = 1001;
    expect(l.check('1.2.3.4').allowed).toBe(true);
    l.fail('1.2.3.4');
    l.succeed('1.2.3.4');
    expect(l.check('1.2.3.4').allowed).toBe(true);
  });

  it('counts an IPv6 client per /64 (it can rotate addresses inside it) and an IPv4 client per address', () => {
    const l = createLoginLimiter({ now: () => 0 }, { maxFailures: 3, windowMs: 1000, maxKeys: 100 });
    l.fail('2001:db8:1:2::1');
    l.fail('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    l.fail('2001:0db8:0001:0002:ffff:ffff:ffff:fffe');
    expect(l.check('2001:db8:1:2::9').allowed).toBe(false);
    expect(l.check('2001:db8:1:3::1').allowed).toBe(true);
    l.succeed('2001:db8:1:2::42');
    expect(l.check('2001:db8:1:2::1').allowed).toBe(true);

    l.fail('192.0.2.1');
    l.fail('192.0.2.1');
    l.fail('::ffff:192.0.2.1');
    expect(l.check('192.0.2.1').allowed).toBe(false);
    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; their /64 would be every IPv4 client.
    expect(l.check('::ffff:192.0.2.2').allowed).toBe(true);
    expect(l.check('192.0.2.2').allowed).toBe(true);
    expect(limiterKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(limiterKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(limiterKey('unknown')).toBe('unknown');
  });

  it('forgets the oldest keys beyond maxKeys and is shared per database', () => {
    const l = createLoginLimiter({ now: () => 0 }, { maxFailures: 1, windowMs: 1000, maxKeys: 2 });
    l.fail('a');
    l.fail('b');
    l.fail('c');
    expect(l.check('a').allowed).toBe(true);
    expect(l.check('c').allowed).toBe(false);
    const db = openDb(':memory:');
    const clock = { now: () => 0 };
    expect(loginLimiter({ db, clock })).toBe(loginLimiter({ db, clock }));
    expect(loginLimiter({ db, clock })).not.toBe(loginLimiter({ db: openDb(':memory:'), clock }));
  });
});
