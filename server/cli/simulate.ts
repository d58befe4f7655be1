// `lunawall simulate FILE --pcap CAP`: every captured frame through the compiled policy in the emulator, one JSON line each.
import { readFileSync } from 'node:fs';
import { CaptureError, frameOf, readCapture, type Capture } from '../packet/index.js';
import { openSimulation, SimulationError } from '../simulate.js';
import { parse } from './args.js';
import { onePositional, profileOption, readOnePolicy } from './one-policy.js';
import { CliError, type Command } from './types.js';

function readPcap(path: string): Capture {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
  }
  try {
    return readCapture(bytes);
  } catch (e) {
    if (e instanceof CaptureError) throw new CliError(`${path}: ${e.message}`, 1);
    throw e;
  }
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run every frame of a capture through the policy in the emulator; one JSON line per frame',
  usage:
    'lunawall simulate FILE --pcap CAP [--profile lunatik-4|lunatik-3.6] [--hook-input l3|l2] [--policy NAME]\n' +
    '  prints {"frame":N,"verdict":"accept|drop","rule":"<rule id>|default|none","errors":0} per frame (N from 1);\n' +
    '  --hook-input: netfilter hooks get each frame with its MAC header (l2) or from the IP header (l3);\n' +
    '  default l3 on output, l2 elsewhere (lunatik-3.6 buffers start there; lunatik-4 skb:data("mac") needs l2)',
  async run(args, io) {
    const { values, positionals } = parse(args, {
      pcap: { type: 'string' },
      profile: { type: 'string' },
      'hook-input': { type: 'string' },
      policy: { type: 'string' },
    });
    const file = onePositional(positionals);
    if (values.pcap === undefined) throw new CliError('--pcap CAP is required');
    const hookInput = values['hook-input'];
    if (hookInput !== undefined && hookInput !== 'l2' && hookInput !== 'l3') throw new CliError(`--hook-input must be l2 or l3 (got "${hookInput}")`);
    const profile = profileOption(values.profile);
    const policy = readOnePolicy(file, values.policy);
    const capture = readPcap(values.pcap);
    let sim;
    try {
      sim = await openSimulation(policy, { profile, hookInput });
    } catch (e) {
      if (e instanceof SimulationError) throw new CliError(`${file}: ${e.message}`, 1);
      throw e;
    }
    try {
      for (let i = 0; i < capture.packets.length; i++) {
        const iface = capture.packets[i]!.interface;
        const r = sim.run({ frame: frameOf(capture, i), iif: iface, oif: iface });
        io.out(JSON.stringify({ frame: i + 1, verdict: r.verdict, rule: r.rule, errors: r.errors, ...(r.error ? { error: r.error } : {}) }));
      }
    } finally {
      sim.close();
    }
    if (capture.truncated) io.err(`${values.pcap}: the capture ends inside a record; the ${capture.packets.length} complete frames were simulated`);
    return 0;
  },
};
