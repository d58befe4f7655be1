// Test runner settings: one fork per file, Lua in wasm without V8's slow baseline tier.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    exclude: ['**/*.case.test.ts', 'node_modules/**'],
    pool: 'forks',
    execArgv: ['--no-liftoff'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
