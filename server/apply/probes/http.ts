// HTTP probe: a GET answers with the expected status within the timeout (redirects are not followed).
export async function httpProbe(url: string, expectStatus: number, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const why = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    throw new Error(`GET ${url}: ${why}`);
  }
  await res.body?.cancel();
  if (res.status !== expectStatus) throw new Error(`GET ${url} answered ${res.status}, expected ${expectStatus}`);
}
