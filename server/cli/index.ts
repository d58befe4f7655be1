// The CLI command registry: each command lives in server/cli/<command>.ts; add yours with one line here.
import type { Command } from './types.js';
import { serveCommand } from './serve.js';

export const commands: Command[] = [
  serveCommand,
];
