// ICMP echo probe through the system `ping` (argv, no shell): one echo request answered within the timeout.
import { execFile } from 'node:child_process';
import { isIPv6 } from 'node:net';

export function pingProbe(host: string, timeoutMs: number, pingBin = 'ping'): Promise<void> {
  const secs = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const argv = ['-n', '-c', '1', '-W', secs, ...(isIPv6(host) ? ['-6'] : []), '--', host];
  return new Promise((resolve, reject) => {
    execFile(pingBin, argv, { timeout: timeoutMs + 1000 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const text = `${stderr}`.trim() || `${stdout}`.trim().split('\n').slice(-2).join('; ');
      reject(new Error(`no echo reply from ${host} within ${timeoutMs} ms${text ? `: ${text}` : ''}`));
    });
  });
}
