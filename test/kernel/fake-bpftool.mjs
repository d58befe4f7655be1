#!/usr/bin/env node
// Test stand-in for bpftool: records each argv as a JSON line in FAKE_BPFTOOL_LOG; `prog load` pins a file.
import { appendFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_BPFTOOL_LOG, `${JSON.stringify(args)}\n`);
if (args[0] === 'prog' && args[1] === 'load') writeFileSync(args[3], 'pinned program\n');
