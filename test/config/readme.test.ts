// Keeps README.md true: every setting and every CLI command it should list is there.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { configFields } from '../../server/config.js';
import { commands } from '../../server/cli/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('lists every configuration setting with its flag', () => {
    for (const f of Object.values(configFields)) {
      expect(readme, f.env).toMatch(new RegExp(`\\| \`${f.env}\` \\| \`--${f.flag}\` \\|`));
    }
  });

  it('names every CLI command', () => {
    for (const c of commands) expect(readme, c.name).toContain(`\`${c.name}`);
  });

  it('gives the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
