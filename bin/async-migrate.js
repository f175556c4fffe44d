#!/usr/bin/env node
// Thin entry: the CLI returns an exit code; anything uncaught becomes one line and exit 2.
import { run } from '../dist/src/cli.js';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`async-migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
