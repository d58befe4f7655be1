#!/usr/bin/env node
// Bundles the server and CLI into one ESM file with esbuild and lays out everything it reads at run time.
//
// Usage: node openwrt/build-bundle.mjs --out DIR [--native host|none]
//   DIR becomes /usr/lib/lunawall on the router: lunawall.mjs (server/cli.ts and all it imports),
//   package.json, glue.wasm (Lua for the emulator), migrations/, the non-TypeScript files of server/
//   and views/ at their source paths, and node_modules/ for what stays outside the bundle:
//   better-sqlite3 (a native addon) with its loader, and htmx.org (served from its dist/).
//   --native host copies the addon built for this machine (tests); --native none leaves it out, for
//   the OpenWrt Makefile, which builds it with the target toolchain.
//
// Modules find their files through import.meta.url (migrations, Lua shims, static assets). In one
// bundle every module would share the bundle's URL, so each module's import.meta.url is replaced by
// the URL its source file has inside DIR, where those files are copied.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** Packages resolved at run time (createRequire / native addons), copied as files, never bundled. */
const runtimePackages = {
  'better-sqlite3': ['package.json', 'lib'],
  bindings: ['package.json', 'bindings.js'],
  'file-uri-to-path': ['package.json', 'index.js'],
  'htmx.org': ['package.json', 'dist'],
};
const external = ['better-sqlite3'];

function usage(message) {
  process.stderr.write(`build-bundle: ${message}\nusage: node openwrt/build-bundle.mjs --out DIR [--native host|none]\n`);
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, native: { type: 'string', default: 'host' } }, strict: true }));
  } catch (e) {
    usage(e.message);
  }
  if (!values.out) usage('--out is required');
  if (values.native !== 'host' && values.native !== 'none') usage(`--native must be host or none (got ${values.native})`);
  return { out: resolve(values.out), native: values.native };
}

/** Rewrites import.meta.url in our own sources to the file's URL inside the output directory. */
const sourceUrls = {
  name: 'lunawall-source-urls',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx)$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const rel = relative(root, args.path).split(sep).join('/');
      const text = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', `__lunawallUrl(${JSON.stringify(rel)})`);
      return { contents: text, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts', resolveDir: dirname(args.path) };
    });
  },
};

// CommonJS dependencies bundled into ESM still expect require, __filename and __dirname.
const banner = [
  "import { createRequire as __lunawallCreateRequire } from 'node:module';",
  "import { fileURLToPath as __lunawallPath } from 'node:url';",
  'const require = __lunawallCreateRequire(import.meta.url);',
  'const __filename = __lunawallPath(import.meta.url);',
  "const __dirname = __lunawallPath(new URL('.', import.meta.url));",
  'const __lunawallUrl = (p) => new URL(p, import.meta.url).href;',
].join('\n');

/** Every file under dir that the bundle does not contain (Lua, CSS, SVG, C, …), at the same path. */
function copyAssets(dir, out) {
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) copyAssets(rel, out);
    else if (!/\.(ts|tsx|md)$/.test(name)) cpSync(join(root, rel), join(out, rel));
  }
}

function copyPackage(name, files, out) {
  const from = dirname(require.resolve(`${name}/package.json`));
  const licences = readdirSync(from).filter((f) => /^licen[cs]e/i.test(f));
  for (const f of [...files, ...licences]) cpSync(join(from, f), join(out, 'node_modules', name, f), { recursive: true });
  return from;
}

async function main() {
  const { out, native } = options();
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(root, 'server', 'cli.ts')],
    outfile: join(out, 'lunawall.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external,
    banner: { js: banner },
    plugins: [sourceUrls],
    tsconfig: join(root, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }, null, 2)}\n`);
  cpSync(join(dirname(require.resolve('wasmoon')), 'glue.wasm'), join(out, 'glue.wasm'));
  cpSync(join(root, 'migrations'), join(out, 'migrations'), { recursive: true });
  copyAssets('server', out);
  if (existsSync(join(root, 'views'))) copyAssets('views', out);
  for (const [name, files] of Object.entries(runtimePackages)) {
    const from = copyPackage(name, files, out);
    if (name === 'better-sqlite3' && native === 'host') {
      cpSync(join(from, 'build', 'Release', 'better_sqlite3.node'), join(out, 'node_modules', name, 'build', 'Release', 'better_sqlite3.node'));
    }
  }
  process.stdout.write(`bundled into ${out}\n`);
}

main().catch((e) => {
  process.stderr.write(`build-bundle: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  process.exit(1);
});
