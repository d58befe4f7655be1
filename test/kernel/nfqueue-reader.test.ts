// The NFQUEUE reader's start-up without a kernel: a stand-in helper that never reports READY.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueReader } from '../../server/kernel/nfqueue/reader.js';

describe('NFQUEUE reader start-up', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-reader-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives up on a helper that never binds its queue: kills it and reports its stderr', async () => {
    const helper = join(dir, 'hanging-helper');
    // exec: the hanging process is the child itself, as with the real helper under `ip netns exec`.
    await writeFile(helper, '#!/bin/sh\necho "nfq_bind_pf: still waiting on queue $1" >&2\nexec sleep 60\n');
    await chmod(helper, 0o755);
    const reader = new QueueReader({ helper, queue: 7, readyTimeoutMs: 1_500, onPacket: () => 'accept' });
    const err = await reader.start().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/^nfq-helper for queue 7 did not bind the queue within 1500 ms: nfq_bind_pf: still waiting on queue 7$/);
    await expect.poll(() => reader.alive, { timeout: 3_000 }).toBe(false);
  });
});
