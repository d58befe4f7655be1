// DNS probe: a name resolves through one given server (not the system resolver) within the timeout.
import { Resolver } from 'node:dns/promises';
import { isIPv6 } from 'node:net';

export async function dnsProbe(server: string, port: number, query: string, timeoutMs: number): Promise<string[]> {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([isIPv6(server) ? `[${server}]:${port}` : `${server}:${port}`]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      r.cancel();
      reject(new Error(`no DNS answer for ${query} from ${server} within ${timeoutMs} ms`));
    }, timeoutMs + 100);
  });
  try {
    const lookups = Promise.any([r.resolve4(query), r.resolve6(query)]).catch((e: AggregateError) => {
      throw new Error(`DNS ${query} @${server}: ${(e.errors[0] as Error | undefined)?.message ?? 'no answer'}`);
    });
    return await Promise.race([lookups, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
