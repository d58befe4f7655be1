// `lunawall passwd`: set the admin password locally (the way back in when the first-run password is lost).
import { readFileSync } from 'node:fs';
import { parse, openLocal } from './args.js';
import { closeDb } from '../db/index.js';
import { generatePassword, setAdminPassword } from '../auth/password.js';
import { CliError, type Command } from './types.js';

const usage = 'lunawall passwd --generate | lunawall passwd --from-file FILE   (FILE "-" reads stdin; never on the command line, where ps shows it)';

export const passwdCommand: Command = {
  name: 'passwd',
  summary: 'set the admin password (generated and printed, or read from a file or stdin)',
  usage,
  async run(args, io) {
    const { values, positionals } = parse(args, { generate: { type: 'boolean' }, 'from-file': { type: 'string' } });
    if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}" (usage: ${usage})`);
    if (values.generate === (values['from-file'] !== undefined)) throw new CliError(`give exactly one of --generate and --from-file (usage: ${usage})`);
    let password: string;
    if (values.generate) password = generatePassword();
    else {
      const file = values['from-file']!;
      try {
        password = readFileSync(file === '-' ? 0 : file, 'utf8').split(/\r?\n/)[0] ?? '';
      } catch (e) {
        throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
      }
      if (password.length < 8) throw new CliError('the password must be at least 8 characters', 1);
    }
    const { db } = openLocal(io, values);
    try {
      await setAdminPassword(db, password, Date.now());
    } finally {
      closeDb(db);
    }
    if (values.generate) io.out(password);
    io.err('admin password set; every UI session was logged out');
    return 0;
  },
};
