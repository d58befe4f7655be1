#!/usr/bin/env node
// The `lunawall` command: runs server/cli.ts through tsx, so the CLI and the server are one codebase.
import v8 from 'node:v8';
import { register } from 'tsx/esm/api';

// Lua runs in wasm; V8's baseline tier keeps long calls slow (stack.md §2.4).
v8.setFlagsFromString('--no-liftoff');
register();
await import('../server/cli.ts');
