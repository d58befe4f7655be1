// Lua that finds the one name a packet carries (SEMANTICS.md §Domains): DNS qname, TLS SNI, HTTP Host.
import type { Expr, Stmt } from '../lua/ast.js';
import { add, and, assign, bin, blank, bool, brk, call, comment, concat, eq, forNum, ge, gt, id, if_, int, le, len, local, localFn, lt, method, ne, not, or, ret, str, sub, band, hex, while_ } from '../lua/build.js';

const v = id;
const d = v('d');
const u8 = (o: Expr): Expr => method(d, 'getuint8', o);
const u16 = (o: Expr): Expr => call(v('ntoh16'), method(d, 'getuint16', o));
const no = () => ret(bool(false));

function tcpName(): Stmt[] {
  return [
    blank,
    comment('TCP payload from p: DNS to port 53 (after the 2-byte length), else a TLS ClientHello or an HTTP request.'),
    localFn('tcp_name', ['d', 'dport', 'p', 'stop'], [
      if_(ge(v('p'), v('stop')), [no()]),
      if_(eq(v('dport'), int(53)), [ret(call(v('dns_name'), d, add(v('p'), int(2)), v('stop')))]),
      local('b', u8(v('p'))),
      if_(eq(v('b'), hex(0x16)), [ret(call(v('tls_name'), d, v('p'), v('stop')))]),
      if_(and(ge(v('b'), int(65)), le(v('b'), int(90))), [ret(call(v('http_name'), d, v('p'), v('stop')))]),
      no(),
    ]),
  ];
}

function dnsName(): Stmt[] {
  const pos = v('pos');
  return [
    blank,
    comment('DNS query from q: the first question name, label by label (lengths 1-63, at most 253 bytes).'),
    localFn('dns_name', ['d', 'q', 'stop'], [
      if_(or(lt(sub(v('stop'), v('q')), int(12)), ne(band(u8(add(v('q'), int(2))), hex(0x80)), int(0)), eq(u16(add(v('q'), int(4))), int(0))), [no()]),
      local('pos', add(v('q'), int(12))),
      local('name', bool(false)),
      forNum('_', int(1), int(128), [
        if_(ge(pos, v('stop')), [no()]),
        local('l', u8(pos)),
        if_(eq(v('l'), int(0)), [ret(and(v('name'), call(v('lower'), v('name'))))]),
        if_(or(ge(v('l'), int(64)), gt(add(add(pos, int(1)), v('l')), v('stop'))), [no()]),
        local('label', method(d, 'getstring', add(pos, int(1)), v('l'))),
        if_(v('name'), [assign(v('name'), concat(v('name'), concat(str('.'), v('label'))))], [assign(v('name'), v('label'))]),
        if_(gt(len(v('name')), int(253)), [no()]),
        assign(pos, add(add(pos, int(1)), v('l'))),
      ]),
      no(),
    ]),
  ];
}

function tlsName(): Stmt[] {
  const pos = v('pos');
  const stop = v('stop');
  return [
    blank,
    comment('TLS ClientHello from p: record and handshake type, then session id, ciphers, compression, and'),
    comment('at most 32 extensions up to the end of the block (or of the payload) for server_name.'),
    localFn('tls_name', ['d', 'p', 'stop'], [
      if_(or(lt(sub(stop, v('p')), int(44)), ne(u8(add(v('p'), int(1))), int(3)), ne(u8(add(v('p'), int(5))), int(1))), [no()]),
      local('pos', add(add(v('p'), int(44)), u8(add(v('p'), int(43))))),
      if_(gt(add(pos, int(2)), stop), [no()]),
      assign(pos, add(add(pos, int(2)), u16(pos))),
      if_(gt(add(pos, int(1)), stop), [no()]),
      assign(pos, add(add(pos, int(1)), u8(pos))),
      if_(gt(add(pos, int(2)), stop), [no()]),
      local('last', add(add(pos, int(2)), u16(pos))),
      if_(gt(v('last'), stop), [assign(v('last'), stop)]),
      assign(pos, add(pos, int(2))),
      forNum('_', int(1), int(32), [
        if_(ge(pos, v('last')), [no()]),
        if_(gt(add(pos, int(4)), stop), [no()]),
        local('body', add(pos, int(4))),
        local('size', u16(add(pos, int(2)))),
        if_(gt(add(v('body'), v('size')), stop), [no()]),
        if_(eq(u16(pos), int(0)), [
          if_(or(gt(add(v('body'), int(5)), stop), gt(add(add(v('body'), int(2)), u16(v('body'))), stop), ne(u8(add(v('body'), int(2))), int(0))), [no()]),
          local('size_name', u16(add(v('body'), int(3)))),
          if_(or(lt(v('size_name'), int(1)), gt(v('size_name'), int(253)), gt(add(add(v('body'), int(5)), v('size_name')), stop)), [no()]),
          ret(call(v('lower'), method(d, 'getstring', add(v('body'), int(5)), v('size_name')))),
        ]),
        assign(pos, add(v('body'), v('size'))),
      ]),
      no(),
    ]),
  ];
}

/**
 * `s`, the payload copy, grown to `size` bytes (at most `limit`) until `\r\n` is found from `from`:
 * 256, then 1024, then 4096 bytes, so a short request is copied once and small.
 */
function growUntilEol(target: string, from: Expr, limit: Expr): Stmt[] {
  const size = v('size');
  return [
    assign(v(target), call(v('find'), v('s'), str('\r\n'), from, bool(true))),
    while_(and(not(v(target)), lt(size, limit)), [
      assign(size, mul4(size)),
      if_(gt(size, limit), [assign(size, limit)]),
      assign(v('s'), method(d, 'getstring', v('p'), size)),
      assign(v(target), call(v('find'), v('s'), str('\r\n'), from, bool(true))),
    ]),
  ];
}

const mul4 = (e: Expr): Expr => bin('*', e, int(4));

function httpName(): Stmt[] {
  const s = v('s');
  const find = (...args: Expr[]): Expr => call(v('find'), s, ...args);
  return [
    blank,
    comment('HTTP request from p: a method token and a space, a first line ending in " HTTP/1.0" or " HTTP/1.1"'),
    comment('within 1024 bytes, then header lines within 4096 bytes up to the first "host:" line or the empty line.'),
    comment('The token is read byte by byte, so other payloads cost no copy; the request is then copied in'),
    comment('growing prefixes, only as far as the lines read need.'),
    localFn('http_name', ['d', 'p', 'stop'], [
      local('sp', int(-1)),
      forNum('i', int(0), int(16), [
        if_(ge(add(v('p'), v('i')), v('stop')), [no()]),
        local('c', u8(add(v('p'), v('i')))),
        if_(eq(v('c'), int(32)), [assign(v('sp'), v('i')), brk]),
        if_(or(lt(v('c'), int(65)), gt(v('c'), int(90))), [no()]),
      ]),
      if_(lt(v('sp'), int(1)), [no()]),
      local('limit', sub(v('stop'), v('p'))),
      if_(gt(v('limit'), int(4096)), [assign(v('limit'), int(4096))]),
      local('first', v('limit')),
      if_(gt(v('first'), int(1024)), [assign(v('first'), int(1024))]),
      local('size', int(256)),
      if_(gt(v('size'), v('first')), [assign(v('size'), v('first'))]),
      local('s', method(d, 'getstring', v('p'), v('size'))),
      local('eol'),
      ...growUntilEol('eol', int(1), v('first')),
      if_(or(not(v('eol')), lt(v('eol'), int(11)), not(find(str('^ HTTP/1%.[01]\r\n'), sub(v('eol'), int(9))))), [no()]),
      local('pos', add(v('eol'), int(2))),
      forNum('_', int(1), int(2048), [
        local('e'),
        ...growUntilEol('e', v('pos'), v('limit')),
        if_(or(not(v('e')), eq(v('e'), v('pos'))), [no()]),
        if_(find(str('^[Hh][Oo][Ss][Tt]:'), v('pos')), [
          local('a', find(str('[^ \t]'), add(v('pos'), int(5)))),
          if_(or(not(v('a')), ge(v('a'), v('e'))), [no()]),
          local('b', sub(v('e'), int(1))),
          while_(or(eq(call(v('byte'), s, v('b')), int(32)), eq(call(v('byte'), s, v('b')), int(9))), [assign(v('b'), sub(v('b'), int(1)))]),
          local('value', call(v('sub'), s, v('a'), v('b'))),
          local('colon', call(v('find'), v('value'), str(':[0-9]+$'))),
          if_(v('colon'), [assign(v('value'), call(v('sub'), v('value'), int(1), sub(v('colon'), int(1))))]),
          if_(or(lt(len(v('value')), int(1)), gt(len(v('value')), int(253))), [no()]),
          ret(call(v('lower'), v('value'))),
        ]),
        assign(v('pos'), add(v('e'), int(2))),
      ]),
      no(),
    ]),
  ];
}

export function nameFunctions(): Stmt[] {
  return [...dnsName(), ...tlsName(), ...httpName(), ...tcpName()];
}
