// A FIFO standing in for /dev/lunatik in tests: answers one write-then-read exchange.
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export function makeFifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** Reads one chunk written to the FIFO, then answers it; resolves with the chunk. */
export async function serveOnce(path: string, answer: (chunk: string) => string): Promise<string> {
  const r = await open(path, constants.O_RDONLY);
  const chunk = (await r.readFile()).toString('utf8');
  await r.close();
  const w = await open(path, constants.O_WRONLY);
  await w.write(answer(chunk));
  await w.close();
  return chunk;
}
