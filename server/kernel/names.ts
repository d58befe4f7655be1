// Runtime names every backend accepts: safe as file names and Lunatik runtime keys.
import { LoadError } from './backend.js';

const nameRe = /^[A-Za-z0-9_-]{1,48}$/;

/** Throws LoadError unless `name` is 1-48 of A-Z a-z 0-9 _ - without "lua" (runner.trim mangles it, lunatik.md §1.3). */
export function checkRuntimeName(name: string): void {
  if (!nameRe.test(name) || /lua/i.test(name)) {
    throw new LoadError(name, 'runtime names are 1-48 of A-Z a-z 0-9 _ - and must not contain "lua"');
  }
}
