#!/usr/bin/env node
// Thin entry: the CLI returns an exit code; anything uncaught is an internal error: one line, exit 3.
import { run } from '../dist/src/cli.js';

// A reader that closes early (`async-migrate … | head`) is not an error: the rest of the output is
// dropped and the run finishes, so a migrate's write transaction is never cut short.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`async-migrate: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  },
);
