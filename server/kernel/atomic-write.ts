// Writes a file so readers see either the old or the new content, never a partial one.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** New content written and synced next to its target, not yet in place. */
export interface StagedFile {
  /** Puts the content in place (a rename: fast, and atomic). */
  commit(): Promise<void>;
  /** Throws the content away; the target keeps what it had. */
  discard(): Promise<void>;
}

export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  await (await stageFile(path, content, mode)).commit();
}

/** The slow part of writeFileAtomic (write and fsync), so the switch itself can happen later or not at all. */
export async function stageFile(path: string, content: string, mode = 0o644): Promise<StagedFile> {
  // Same directory as the target, so rename() stays on one filesystem and is atomic.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  return {
    async commit() {
      try {
        await rename(tmp, path);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
    discard: () => rm(tmp, { force: true }),
  };
}
