// The lunawall CLI in-process: token, policy, validate; bad input gives one line and a non-zero exit.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../server/cli/run.js';
import { openDb, closeDb } from '../../server/db/index.js';
import { verifyToken } from '../../server/auth/tokens.js';
import { checkAdminPassword } from '../../server/auth/password.js';

let dir: string;
const run = async (...argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env: { LUNAWALL_DATA_DIR: dir } });
  return { code, out, err, stdout: out.join('\n') };
};
const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
const policy = (name: string, extra: object = {}) => ({ name, hook: 'input', rules: [{ id: 'ssh', match: { proto: 'tcp', dstPorts: [22] }, action: 'accept' }], defaultAction: 'drop', ...extra });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lunawall-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lunawall token', () => {
  it('creates (printing the token once), lists and revokes', async () => {
    const c = await run('token', 'create', '--name', 'isp', '--scope', 'read,write,apply');
    expect(c.code).toBe(0);
    expect(c.out).toHaveLength(1);
    const token = c.out[0]!;
    expect(token).toMatch(/^lw_[A-Za-z0-9_-]{43}$/);
    const db = openDb(join(dir, 'lunawall.db'));
    expect(verifyToken(db, token, Date.now())).toEqual({ name: 'isp', scopes: ['read', 'write', 'apply'] });
    closeDb(db);
    const l = await run('token', 'list');
    expect(l.stdout).toMatch(/isp\s+read,write,apply/);
    expect(l.stdout).not.toContain(token);
    expect((await run('token', 'revoke', 'isp')).code).toBe(0);
    const again = await run('token', 'revoke', 'isp');
    expect(again.code).toBe(1);
    expect(again.err).toEqual(['lunawall token: no token named "isp"']);
  });

  it('rejects bad scopes, names and options with one line', async () => {
    for (const argv of [
      ['token', 'create', '--name', 'isp', '--scope', 'read,root'],
      ['token', 'create', '--name', 'bad name', '--scope', 'read'],
      ['token', 'create', '--scope', 'read'],
      ['token', 'create', '--name', 'x', '--scope', 'read', '--colour', 'red'],
      ['token', 'frobnicate'],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.err, argv.join(' ')).toHaveLength(1);
      expect(r.out).toEqual([]);
    }
  });
});

describe('lunawall passwd', () => {
  it('sets the admin password from a file or generates one, printing it once', async () => {
    const f = file('pw', 'new-admin-password\n');
    expect((await run('passwd', '--from-file', f)).code).toBe(0);
    const db = openDb(join(dir, 'lunawall.db'));
    expect(await checkAdminPassword(db, 'admin', 'new-admin-password')).toBe(true);
    closeDb(db);
    const g = await run('passwd', '--generate');
    expect(g.out).toEqual([expect.stringMatching(/^[A-Za-z2-9]{20}$/)]);
    const db2 = openDb(join(dir, 'lunawall.db'));
    expect(await checkAdminPassword(db2, 'admin', g.out[0]!)).toBe(true);
    closeDb(db2);
    for (const argv of [['passwd'], ['passwd', '--generate', '--from-file', f], ['passwd', '--from-file', file('short', 'abc')], ['passwd', 'hunter22']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.err, argv.join(' ')).toHaveLength(1);
    }
  });
});

describe('lunawall validate', () => {
  it('prints diagnostics as "path: message [code]" and exits 1 on errors', async () => {
    const bad = file('bad.json', policy('web', { rules: [{ id: 'r', match: { dstPorts: [70000], src: '@nope' }, action: 'drop' }] }));
    const r = await run('validate', bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain('rules[0].match.dstPorts[0]: ' + r.out.find((l) => l.startsWith('rules[0].match.dstPorts[0]: '))!.slice('rules[0].match.dstPorts[0]: '.length));
    expect(r.out.some((l) => /^rules\[0\]\.match\.dstPorts\[0\]: .+ \[port\.out-of-range\]$/.test(l))).toBe(true);
    expect(r.out.some((l) => /^rules\[0\]\.match\.src: .+ \[set\.unknown\]$/.test(l))).toBe(true);
    expect(r.err).toEqual([`${bad}: 2 errors, 0 warnings`]);
  });

  it('accepts a valid policy and a list, exit 0', async () => {
    expect((await run('validate', file('ok.json', policy('web')))).code).toBe(0);
    expect((await run('validate', file('list.json', { policies: [policy('a'), policy('b')] }))).code).toBe(0);
    const dup = await run('validate', file('dup.json', { policies: [policy('a'), policy('a')] }));
    expect(dup.code).toBe(1);
    expect(dup.out).toEqual([expect.stringMatching(/^policies\[1\]\.name: .*\[policies\.duplicate-name\]$/)]);
  });

  it('gives one line for unreadable or malformed files', async () => {
    const m = await run('validate', file('m.json', '{"name": '));
    expect(m.code).toBe(1);
    expect(m.err).toHaveLength(1);
    expect(m.err[0]).toMatch(/is not valid JSON/);
    const n = await run('validate', join(dir, 'missing.json'));
    expect(n.code).toBe(1);
    expect(n.err).toEqual([`lunawall validate: cannot read ${join(dir, 'missing.json')}: ENOENT`]);
    expect((await run('validate')).code).toBe(2);
  });
});

describe('lunawall policy', () => {
  it('imports, lists, shows, exports, keeps history and diffs', async () => {
    const f = file('p.json', { policies: [policy('web'), policy('dns')] });
    const dry = await run('policy', 'import', f, '--dry-run');
    expect(dry.out).toContain('would be created: web, dns');
    expect((await run('policy', 'list')).err).toEqual(['no policies']);
    const imp = await run('policy', 'import', f);
    expect(imp.code).toBe(0);
    expect(imp.out).toContain('created: web, dns');
    expect((await run('policy', 'import', f)).out).toEqual(['unchanged: web, dns', 'nothing to change']);
    const list = await run('policy', 'list');
    expect(list.out[1]).toMatch(/^web\s+1\s+yes\s+netfilter input\s+1\s/);
    const show = await run('policy', 'show', 'web');
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'web', hook: 'input', defaultAction: 'drop' });

    await run('policy', 'import', file('p2.json', policy('web', { title: 'Web' })));
    const hist = await run('policy', 'history', 'web');
    expect(hist.out).toHaveLength(2);
    expect((await run('policy', 'diff', 'web', '1', '2')).out).toEqual(['~ title: "" → "Web"']);
    expect(JSON.parse((await run('policy', 'show', 'web', '--revision', '1')).stdout).title).toBe('');

    const out = join(dir, 'export.json');
    expect((await run('policy', 'export', '--output', out)).code).toBe(0);
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    expect(exported.policies.map((p: { name: string }) => p.name)).toEqual(['web', 'dns']);
    const rep = await run('policy', 'import', file('only.json', { policies: [exported.policies[1]] }), '--replace');
    expect(rep.out).toEqual(['deleted: web', 'unchanged: dns']);
  });

  it('changes nothing when the file has an error', async () => {
    await run('policy', 'import', file('a.json', policy('web')));
    const r = await run('policy', 'import', file('b.json', { policies: [policy('web', { title: 'x' }), policy('bad', { hook: 'sideways' })] }));
    expect(r.code).toBe(1);
    expect(r.err.at(-1)).toMatch(/nothing was changed/);
    expect(JSON.parse((await run('policy', 'show', 'web')).stdout).title).toBe('');
  });

  it('answers unknown names and subcommands with one line', async () => {
    for (const argv of [['policy', 'show', 'nope'], ['policy', 'export', 'nope'], ['policy', 'bogus'], ['policy', 'diff', 'x', 'a', '2'], ['nosuch']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.err, argv.join(' ')).toHaveLength(1);
    }
  });

  it('reports a bad config value in one line', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['policy', 'list'], { out: (l) => out.push(l), err: (l) => err.push(l), env: { LUNAWALL_DATA_DIR: dir, LUNAWALL_BACKEND: 'kernel' } });
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringContaining('invalid LUNAWALL_BACKEND')]);
  });
});
