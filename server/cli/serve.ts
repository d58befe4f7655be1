// `lunawall serve`: runs the service (same as `npm start`), configured by env vars and flags.
import { configFlags, parse } from './args.js';
import type { Command } from './types.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the web UI and REST API',
  usage: 'lunawall serve [--port N] [--host ADDR] [--data-dir DIR] [--backend auto|emulator|lunatik|nfqueue]',
  async run(args, io) {
    const { values } = parse(args, {}, false);
    // Loaded on demand: the other commands should not pay for the whole server at start-up.
    const { runService } = await import('../main.js');
    return runService(io.env, configFlags(values));
  },
};
