// The packet tester: a form → PacketSpec → simulatePolicy (the compiled script in the emulator) → verdict and rule.
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { getPolicy, listPolicyRows } from '../db/policies.js';
import { packetSpec, type PacketSpec } from '../policy/packet-spec.js';
import { hooks, type Hook } from '../policy/schema.js';
import { checkPacketSpec } from '../packet/spec-check.js';
import { simulatePolicy } from '../simulate.js';
import { markItem } from './policy-form.js';
import { emptyTester, TesterPage, TesterResultView, type TesterForm, type TesterResult } from '../../views/tester.js';
import type { UiEnv } from './env.js';
import { chrome } from './chrome.js';
import { form, fragment, isHtmx, page } from './render.js';

const port = (s: string) => (s.trim() === '' ? undefined : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim());

/** The packet the form describes; field-level problems keyed by form field name. */
export function specFromForm(f: TesterForm): { spec?: PacketSpec; errors: Record<string, string> } {
  const raw: Record<string, unknown> = { src: f.src.trim(), dst: f.dst.trim(), proto: f.proto };
  if (f.proto === 'tcp' || f.proto === 'udp') {
    if (port(f.srcPort) !== undefined) raw.srcPort = port(f.srcPort);
    if (port(f.dstPort) !== undefined) raw.dstPort = port(f.dstPort);
  }
  if (f.iif.trim()) raw.iif = f.iif.trim();
  if (f.oif.trim()) raw.oif = f.oif.trim();
  const mark = f.mark.trim();
  if (mark) raw.mark = markItem(mark);
  const name = f.name.trim();
  const errors: Record<string, string> = {};
  if (f.app !== 'none' && !name) errors.name = 'give the name to put in the payload';
  if (f.app === 'tls' && name) raw.tls = { sni: name };
  if (f.app === 'dns' && name) raw.dns = { qname: name };
  if (f.app === 'http' && name) raw.http = { host: name };
  const parsed = packetSpec.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = String(i.path[0] === 'tls' || i.path[0] === 'dns' || i.path[0] === 'http' ? 'name' : i.path[0]);
      errors[key] ??= i.message;
    }
    return { errors };
  }
  for (const p of checkPacketSpec(parsed.data)) errors[String(p.path[0] === 'tls' || p.path[0] === 'dns' || p.path[0] === 'http' ? 'name' : p.path[0])] ??= p.message;
  return Object.keys(errors).length ? { errors } : { spec: parsed.data, errors };
}

export function testerRoutes(deps: AppDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const names = () => listPolicyRows(deps.db).map((r) => r.name);

  const show = (c: Context<UiEnv>, f: TesterForm, x: { errors?: Record<string, string>; result?: TesterResult; error?: string } = {}, status: 200 = 200) =>
    isHtmx(c)
      ? fragment(c, <TesterResultView result={x.result} error={x.error ?? (x.errors && Object.keys(x.errors).length ? Object.entries(x.errors).map(([k, v]) => `${k}: ${v}`).join('; ') : undefined)} />, status)
      : page(c, <TesterPage form={f} policies={names()} errors={x.errors ?? {}} result={x.result} error={x.error} chrome={chrome(c, deps)} />, status);

  app.get('/tester', (c) => show(c, emptyTester(c.req.query('policy') ?? names()[0] ?? '')));

  app.post('/tester', async (c) => {
    const raw = await form(c);
    const f: TesterForm = { ...emptyTester(), ...Object.fromEntries(Object.keys(emptyTester()).map((k) => [k, raw[k] ?? ''])) } as TesterForm;
    const stored = getPolicy(deps.db, f.policy);
    if (!stored) return show(c, f, { errors: { policy: 'choose a policy' } });
    if (f.hook && !(hooks as readonly string[]).includes(f.hook)) return show(c, f, { errors: { hook: 'unknown hook' } });
    const { spec, errors } = specFromForm(f);
    if (!spec) return show(c, f, { errors });
    const profile = (await deps.backend.info().catch(() => undefined))?.profile;
    try {
      const [r] = await simulatePolicy(stored.policy, [spec], { ...(profile ? { profile } : {}), ...(f.hook ? { hook: f.hook as Hook } : {}) });
      return show(c, f, { result: { verdict: r!.verdict, rule: r!.rule, errors: r!.errors, error: r!.error, packet: JSON.stringify(spec, null, 2) } });
    } catch (e) {
      return show(c, f, { error: `The emulator could not run the policy: ${(e as Error).message}` });
    }
  });

  return app;
}
