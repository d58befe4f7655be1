#!/usr/bin/env node
// Servers for real-packet tests, run inside a namespace: HTTP, HTTPS (any SNI) and a UDP DNS responder.
// Usage: wan-servers.mjs <answer-ipv4> <tls-key.pem> <tls-cert.pem>
// Listens on HTTP :80, HTTPS :443 and DNS :53 (UDP, A record <answer-ipv4> for every name, IPv4 and
// IPv6), and prints "ready" once all are up.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';

const [answer, keyFile, certFile] = process.argv.slice(2);
const reply = (req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello from wan, host ${req.headers.host}\n`);
};

/** Answers the first question with one A record; queries we cannot parse get no answer. */
function dnsAnswer(q) {
  if (q.length < 12 || (q[2] & 0x80) !== 0 || q.readUInt16BE(4) < 1) return undefined;
  let off = 12;
  while (off < q.length && q[off] !== 0) off += q[off] + 1;
  const qEnd = off + 5;
  if (qEnd > q.length) return undefined;
  const head = Buffer.from(q.subarray(0, 12));
  head[2] = 0x84 | (q[2] & 0x01); // QR, AA, keep RD
  head[3] = 0x00;
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(1, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0);
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(4, 10);
  answer.split('.').forEach((b, i) => (rr[12 + i] = Number(b)));
  return Buffer.concat([head, q.subarray(12, qEnd), rr]);
}

const listening = [];
const listen = (server, port, host) => listening.push(new Promise((r) => server.listen(port, host, r)));
listen(createHttp(reply), 80, '::');
listen(createHttps({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, reply), 443, '::');
const dns = createSocket({ type: 'udp6', ipv6Only: false });
dns.on('message', (msg, rinfo) => {
  const out = dnsAnswer(msg);
  if (out) dns.send(out, rinfo.port, rinfo.address);
});
listening.push(new Promise((r) => dns.bind(53, '::', r)));
await Promise.all(listening);
process.stdout.write('ready\n');
