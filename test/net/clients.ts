// Client probes run from a namespace: long timeouts where traffic should pass, short where it should not.
import type { ExecResult } from '../../server/kernel/exec.js';
import { addr, type Side, type Topology } from './topology.js';

/** What the caller expects: a pass may be slow on a loaded CI box; a drop costs the whole timeout. */
export type Expect = 'pass' | 'drop';

const seconds = (e: Expect) => (e === 'pass' ? 8 : 2);

export function clients(topo: Topology, from: Side = 'lan') {
  return {
    /** `nc -z`: exit 0 when the TCP handshake completes. */
    tcp: (host: string, port: number, e: Expect): Promise<ExecResult> =>
      topo.exec(from, ['nc', '-z', '-w', String(seconds(e)), host, String(port)]),
    /** One ICMP echo. */
    ping: (host: string, e: Expect): Promise<ExecResult> => topo.exec(from, ['ping', '-c', '1', '-W', String(seconds(e)), host]),
    /** GET `scheme://name/` with the name resolved to the WAN host; stdout is the HTTP status. */
    curl: (name: string, scheme: 'http' | 'https', e: Expect): Promise<ExecResult> =>
      topo.exec(from, [
        'curl', '-sk', '--max-time', String(seconds(e) + 1), '-o', '/dev/null', '-w', '%{http_code}',
        '--resolve', `${name}:${scheme === 'https' ? 443 : 80}:${addr.wan}`, `${scheme}://${name}/`,
      ]),
    /** An A query to the WAN host's responder; stdout is the answer (`+short`) or dig's timeout text. */
    dig: (name: string, e: Expect): Promise<ExecResult> =>
      topo.exec(from, ['dig', `@${addr.wan}`, name, 'A', `+time=${seconds(e) - 1}`, '+tries=1', '+short']),
  };
}
