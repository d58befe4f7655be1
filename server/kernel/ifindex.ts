// Interface name → ifindex maps, for compiling `iif`/`oif`/`interfaces` into numbers.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecked } from './exec.js';

/** From sysfs: the interfaces of this process's network namespace. */
export async function sysfsIfindexes(root = '/sys/class/net'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of await readdir(root)) {
    const text = await readFile(join(root, name, 'ifindex'), 'utf8').catch(() => undefined);
    if (text !== undefined) out[name] = Number(text.trim());
  }
  return out;
}

/** From `ip -j link`, optionally inside a named network namespace (sysfs shows only our own). */
export async function ipLinkIfindexes(netns?: string, ipBin = 'ip'): Promise<Record<string, number>> {
  const argv = netns ? [ipBin, '-n', netns, '-j', 'link', 'show'] : [ipBin, '-j', 'link', 'show'];
  const links = JSON.parse(await runChecked(argv)) as { ifindex: number; ifname: string }[];
  return Object.fromEntries(links.map((l) => [l.ifname, l.ifindex]));
}
