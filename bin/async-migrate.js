#!/usr/bin/env node
// Thin entry: the CLI returns an exit code; anything uncaught is an internal error: one line, exit 3.
import { run } from '../dist/src/cli.js';

// A write error on stdout never throws: the CLI asks for stdout's first error when the run ends and
// reports it in one line (EPIPE, a reader that closed early as in `async-migrate … | head`, is not an
// error), so a migrate's write transaction is never cut short. stderr has nowhere left to report to.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`async-migrate: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  },
);
