// Every shell script of the package (and of its test harness): `sh -n` and shellcheck.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = new URL('../..', import.meta.url).pathname;

function shellScripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return shellScripts(path);
    return readFileSync(path, 'utf8').startsWith('#!/bin/sh') ? [path] : [];
  });
}

const scripts = [...shellScripts(join(repo, 'openwrt')), ...shellScripts(join(repo, 'test/openwrt'))];
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;
if (!hasShellcheck && process.env.CI !== 'true') console.warn('skipping shellcheck: not installed');

describe('shell scripts', () => {
  it('finds the init script, uci-defaults, the CLI wrapper and the harness', () => {
    expect(scripts.map((s) => relative(repo, s)).sort()).toEqual(
      expect.arrayContaining([
        'openwrt/files/etc/init.d/lunawall',
        'openwrt/files/etc/uci-defaults/90-lunawall',
        'openwrt/files/usr/bin/lunawall',
        'test/openwrt/harness/run-init.sh',
      ]),
    );
  });

  it.each(scripts.map((s) => [relative(repo, s), s]))('%s parses with sh -n', (_, path) => {
    expect(() => execFileSync('sh', ['-n', path], { stdio: 'pipe' })).not.toThrow();
  });

  it.skipIf(!hasShellcheck && process.env.CI !== 'true').each(scripts.map((s) => [relative(repo, s), s]))('%s passes shellcheck', (_, path) => {
    const r = spawnSync('shellcheck', ['--shell=sh', '--format=gcc', path], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('are executable', () => {
    for (const s of scripts) expect(statSync(s).mode & 0o111, relative(repo, s)).toBe(0o111);
  });
});
