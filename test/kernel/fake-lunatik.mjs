#!/usr/bin/env node
// Test stand-in for the `lunatik` CLI: the observable behaviour of lunatik.md §1.2 and §10, without a kernel.
//
// Environment: FAKE_LUNATIK_STATE (directory for the running set; required), LUNATIK_ROOT (script
// root, default /lib/modules/lua), FAKE_LUNATIK_VERSION (default "Lunatik 4.4"), FAKE_LUNATIK_DELAY_MS
// (slows every command, so overlapping calls are caught). Like the real tool it exits 0 on failure
// and prints the error text on stdout; two commands at once are refused loudly (the real device wedges).
// Files in the state directory change its answers: `stop-error` makes `stop` print its text and stop
// nothing; `stop-error-once` does that for the next `stop` only; `stop-error-after-stopping` makes it
// print its text after stopping; `run-error` makes `run` print its text and start nothing. Every
// command is appended to `calls.log` (one JSON argv a line), or to FAKE_CALL_LOG when set (a log the
// fake bpftool can share, so a test sees the order of both).
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const state = process.env.FAKE_LUNATIK_STATE;
if (!state) {
  process.stderr.write('fake-lunatik: FAKE_LUNATIK_STATE is not set\n');
  process.exit(2);
}
const root = process.env.LUNATIK_ROOT ?? '/lib/modules/lua';
const version = process.env.FAKE_LUNATIK_VERSION ?? 'Lunatik 4.4';
const major = Number(/Lunatik (\d+)/.exec(version)?.[1] ?? 4);
const delay = Number(process.env.FAKE_LUNATIK_DELAY_MS ?? 0);
const runningFile = join(state, 'running.json');
const lockFile = join(state, 'device.lock');

let lock;
try {
  lock = openSync(lockFile, 'wx');
} catch {
  process.stderr.write('fake-lunatik: concurrent operation on /dev/lunatik\n');
  process.exit(3);
}
try {
  if (delay > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
  appendFileSync(process.env.FAKE_CALL_LOG ?? join(state, 'calls.log'), `${JSON.stringify(process.argv.slice(2))}\n`);
  process.stdout.write(`${command(process.argv.slice(2))}\n`);
} finally {
  closeSync(lock);
  rmSync(lockFile, { force: true });
}

function running() {
  return existsSync(runningFile) ? JSON.parse(readFileSync(runningFile, 'utf8')) : [];
}

function save(list) {
  writeFileSync(runningFile, JSON.stringify(list));
}

function command([cmd, script, ctx]) {
  switch (cmd) {
    case 'list':
      // A kernel-side failure prints its text on stdout and still exits 0, like every command.
      return process.env.FAKE_LUNATIK_LIST_ERROR ?? running().join(', ');
    case 'run':
      return start(script, ctx);
    case 'stop': {
      const refused = join(state, 'stop-error');
      if (existsSync(refused)) return readFileSync(refused, 'utf8').trim();
      const once = join(state, 'stop-error-once');
      if (existsSync(once)) {
        const text = readFileSync(once, 'utf8').trim();
        rmSync(once);
        return text;
      }
      save(running().filter((s) => s !== script));
      const late = join(state, 'stop-error-after-stopping');
      return existsSync(late) ? readFileSync(late, 'utf8').trim() : '';
    }
    default:
      return `usage: lunatik [load|unload|reload|status|test|list] [run|spawn|stop <script>]`;
  }
}

function start(script, ctx) {
  const refused = join(state, 'run-error');
  if (existsSync(refused)) return readFileSync(refused, 'utf8').trim();
  // v3.x pastes the argument in as a Lua literal (`softirq` is then nil, still non-sleepable);
  // v4.2+ checks it against the option list.
  if (major >= 4 && !['process', 'softirq', 'hardirq'].includes(ctx ?? 'process')) {
    return `bad argument #2 to 'runtime' (invalid option '${ctx}')`;
  }
  const list = running();
  if (list.includes(script)) return `${root}/lunatik/runner.lua:21: ${script} is already running`;
  const path = `${root}/${script}.lua`;
  if (!existsSync(path)) return `cannot open ${path}`;
  const parsed = spawnSync('luac5.4', ['-p', path], { encoding: 'utf8' });
  if (parsed.status !== 0) return parsed.stderr.trim().replace(/^luac5\.4: /, '');
  const loader = join(dirname(fileURLToPath(import.meta.url)), 'fake-lunatik-load.lua');
  const loaded = execFileSync('lua5.4', [loader, path, String(major)], { encoding: 'utf8', timeout: 5_000 }).trim();
  if (loaded !== '') return loaded;
  save([...list, script]);
  return '';
}
