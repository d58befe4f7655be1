// The CLI command registry: each command lives in server/cli/<command>.ts; add yours with one line here.
import type { Command } from './types.js';
import { serveCommand } from './serve.js';
import { tokenCommand } from './token.js';
import { policyCommand } from './policy.js';
import { validateCommand } from './validate.js';
import { passwdCommand } from './passwd.js';
import { applyCommand } from './apply.js';
import { confirmCommand } from './confirm.js';
import { rollbackCommand } from './rollback.js';
import { appliesCommand } from './applies.js';
import { renderCommand } from './render.js';
import { simulateCommand } from './simulate.js';
import { testCommand } from './test.js';

export const commands: Command[] = [
  serveCommand,
  tokenCommand,
  policyCommand,
  validateCommand,
  passwdCommand,
  applyCommand,
  confirmCommand,
  rollbackCommand,
  appliesCommand,
  renderCommand,
  simulateCommand,
  testCommand,
];
