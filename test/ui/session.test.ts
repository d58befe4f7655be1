// The session store: sliding expiry, clean-up of expired rows, a bound on their number, persisted confirm tokens.
import { describe, expect, it } from 'vitest';
import { openDb } from '../../server/db/index.js';
import { uiSessions } from '../../server/db/schema/sessions.js';
import { SessionStore } from '../../server/ui/session.js';

const setup = () => {
  const db = openDb(':memory:');
  let t = 1_800_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  return { db, clock, store: new SessionStore(db, clock, 3600_000) };
};

describe('SessionStore', () => {
  it('slides the expiry on use and forgets a session an hour after its last use', () => {
    const { store, clock } = setup();
    const s = store.create('admin');
    clock.advance(3000_000);
    expect(store.touch(s.id)?.csrf).toBe(s.csrf);
    clock.advance(3000_000);
    expect(store.touch(s.id)).toBeDefined();
    clock.advance(3600_001);
    expect(store.touch(s.id)).toBeUndefined();
    expect(store.touch('not-a-session')).toBeUndefined();
  });

  it('drops expired rows and keeps at most 1000 sessions', () => {
    const { store, clock, db } = setup();
    store.create('admin');
    clock.advance(3600_001);
    store.create('admin');
    expect(db.select().from(uiSessions).all()).toHaveLength(1);
    for (let i = 0; i < 1010; i++) store.create('admin');
    expect(db.select().from(uiSessions).all().length).toBeLessThanOrEqual(1000);
  });

  it("persists the session's confirm tokens as they change", () => {
    const { store } = setup();
    const s = store.create('admin');
    s.applyTokens.set('a1', 'tok1');
    s.applyTokens.set('a2', 'tok2');
    s.applyTokens.delete('a1');
    expect([...store.touch(s.id)!.applyTokens]).toEqual([['a2', 'tok2']]);
  });
});
