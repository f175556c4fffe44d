#!/usr/bin/env node
// Thin entry: the CLI returns an exit code; anything uncaught is an internal error: one line, exit 3.
import { run } from '../dist/src/cli.js';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`async-migrate: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  },
);
