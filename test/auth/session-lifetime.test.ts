// A UI login ends a fixed time after it began however often it is used; rows from before the cap obey it too.
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { openDb } from '../../server/db/index.js';
import { uiSessions } from '../../server/db/schema/sessions.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { SESSION_MAX_AGE_MS, SessionStore } from '../../server/ui/session.js';
import { uiKit, type UiKit } from '../ui/harness.js';

const HOUR = 3600_000;

const setup = () => {
  const db = openDb(':memory:');
  let t = 1_800_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  return { db, clock, store: new SessionStore(db, clock, HOUR, 12 * HOUR) };
};

describe('absolute session lifetime', () => {
  it('defaults to 12 hours on top of the 1-hour idle timeout', () => {
    expect(SESSION_MAX_AGE_MS).toBe(12 * HOUR);
    const { db, clock } = setup();
    expect(new SessionStore(db, clock).maxAgeMs).toBe(12 * HOUR);
  });

  it('ends a session used every 50 minutes 12 hours after login, never sliding past that', () => {
    const { store, clock } = setup();
    const s = store.create('admin');
    const end = s.createdAt + 12 * HOUR;
    while (clock.now() + 50 * 60_000 < end) {
      clock.advance(50 * 60_000);
      const live = store.touch(s.id);
      expect(live?.csrf).toBe(s.csrf);
      expect(live!.expiresAt).toBeLessThanOrEqual(end);
    }
    clock.advance(end - clock.now() - 1);
    expect(store.touch(s.id)).toBeDefined();
    clock.advance(1);
    expect(store.touch(s.id)).toBeUndefined();
  });

  it('keeps a pre-upgrade row (expiresAt not capped) until its createdAt + the lifetime, then deletes it', () => {
    const { store, clock, db } = setup();
    const now = clock.now();
    const row = (id: string, createdAt: number) => ({ idHash: createHash('sha256').update(id).digest('hex'), user: 'admin', csrf: `csrf-${id}`, createdAt, expiresAt: now + 50 * 60_000, applyTokens: '{}' });
    db.insert(uiSessions).values([row('young', now - 2 * HOUR), row('old', now - 13 * HOUR)]).run();
    expect(store.touch('young')?.csrf).toBe('csrf-young');
    expect(store.touch('old')).toBeUndefined();
    expect(db.select().from(uiSessions).where(eq(uiSessions.idHash, row('old', 0).idHash)).all()).toEqual([]);
  });

  it('is the setting LUNAWALL_SESSION_LIFETIME / --session-lifetime, in seconds', () => {
    expect(loadConfig({}).sessionLifetime).toBe(43_200);
    expect(loadConfig({ LUNAWALL_SESSION_LIFETIME: '3600' }).sessionLifetime).toBe(3600);
    expect(loadConfig({ LUNAWALL_SESSION_LIFETIME: '3600' }, { 'session-lifetime': '7200' }).sessionLifetime).toBe(7200);
    expect(() => loadConfig({ LUNAWALL_SESSION_LIFETIME: 'forever' })).toThrow(ConfigError);
    expect(() => loadConfig({ LUNAWALL_SESSION_LIFETIME: '10' })).toThrow(/^invalid LUNAWALL_SESSION_LIFETIME: .*\(got "10"\)$/);
  });
});

describe('the UI after the lifetime', () => {
  let kit: UiKit | undefined;
  afterEach(async () => kit?.close());

  it('sends a regularly used session to the login page like an idle-expired one', async () => {
    kit = await uiKit();
    const client = await kit.login();
    for (let i = 0; i < 14; i++) {
      kit.clock.advance(50 * 60_000);
      expect((await client.get('/status')).status).toBe(200);
    }
    kit.clock.advance(50 * 60_000);
    const res = await client.get('/status');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fstatus&expired=1');
  });

  it('takes the lifetime from the configuration', async () => {
    kit = await uiKit({ env: { LUNAWALL_SESSION_LIFETIME: '3600' } });
    const client = await kit.login();
    kit.clock.advance(40 * 60_000);
    expect((await client.get('/status')).status).toBe(200);
    kit.clock.advance(30 * 60_000);
    expect((await client.get('/status')).headers.get('location')).toBe('/login?next=%2Fstatus&expired=1');
  });
});
