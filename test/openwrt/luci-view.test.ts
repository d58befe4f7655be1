// The LuCI view behind Network → Lua firewall, run the way LuCI runs a view module (a function body).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const source = readFileSync(new URL('../../openwrt/luci-app-lunawall/htdocs/luci-static/resources/view/lunawall/open.js', import.meta.url), 'utf8');

interface Node {
  tag: string;
  attrs: Record<string, string>;
  children: (Node | string)[];
}

/** LuCI's loader turns `'require x'` lines into arguments of the module function; these play view and uci. */
function load(port: string | undefined, hostname: string) {
  const loaded: string[] = [];
  const timers: (() => void)[] = [];
  const window = { location: { hostname, href: '' }, setTimeout: (fn: () => void) => timers.push(fn) };
  const view = { extend: (o: Record<string, unknown>) => o };
  const uci = {
    load: (cfg: string) => (loaded.push(cfg), Promise.resolve()),
    get: (cfg: string, sec: string, opt: string) => (cfg === 'lunawall' && sec === 'main' && opt === 'port' ? port : undefined),
  };
  const E = (tag: string, attrs?: unknown, children?: unknown): Node => {
    const isAttrs = attrs !== null && typeof attrs === 'object' && !Array.isArray(attrs) && !('tag' in (attrs as object));
    const kids = isAttrs ? children : attrs;
    return { tag, attrs: isAttrs ? (attrs as Record<string, string>) : {}, children: kids === undefined ? [] : ([] as (Node | string)[]).concat(kids as Node) };
  };
  const module = new Function('view', 'uci', 'E', '_', 'window', source)(view, uci, E, (s: string) => s, window) as {
    load(): Promise<void>;
    render(): Node;
    handleSave: unknown;
  };
  return { module, loaded, timers, window };
}

const links = (n: Node | string): Node[] => (typeof n === 'string' ? [] : [...(n.tag === 'a' ? [n] : []), ...n.children.flatMap(links)]);

describe('luci-app-lunawall view', () => {
  it('reads the lunawall config and links to the port it sets, on the host LuCI was reached at', async () => {
    const { module, loaded, timers, window } = load('8443', '192.168.1.1');
    await module.load();
    expect(loaded).toEqual(['lunawall']);
    const page = module.render();
    expect(links(page).map((a) => a.attrs.href)).toEqual(['http://192.168.1.1:8443/']);
    expect(timers).toHaveLength(1);
    timers[0]();
    expect(window.location.href).toBe('http://192.168.1.1:8443/');
  });

  it('falls back to the default port, and has no Save/Reset footer', () => {
    const { module } = load(undefined, 'router.lan');
    expect(links(module.render())[0].attrs.href).toBe('http://router.lan:8080/');
    expect(module.handleSave).toBeNull();
  });
});
