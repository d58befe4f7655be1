// Lua identifier validation: every name the printer writes must pass here.

export const luaKeywords: ReadonlySet<string> = new Set([
  'and', 'break', 'do', 'else', 'elseif', 'end', 'false', 'for', 'function', 'goto', 'if', 'in',
  'local', 'nil', 'not', 'or', 'repeat', 'return', 'then', 'true', 'until', 'while',
  // Lua 5.5 makes `global` a reserved word.
  'global',
]);

export function isValidLuaIdentifier(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !luaKeywords.has(name);
}

export function assertIdentifier(name: string): string {
  if (!isValidLuaIdentifier(name)) throw new Error(`invalid Lua identifier: ${JSON.stringify(name)}`);
  return name;
}
