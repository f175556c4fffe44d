// Runs the CLI in-process, capturing stdout/stderr, as a user would from `cwd`.
import { run, type CliIo } from '../../src/cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  /** stdout as bytes: a dry-run diff writes a Latin-1 file's lines as its own bytes. */
  stdoutBytes: Buffer;
  stderr: string;
}

export async function runCli(argv: string[], cwd: string, io: Partial<Pick<CliIo, 'signals' | 'isTTY' | 'columns' | 'onPhase'>> = {}): Promise<CliResult> {
  const chunks: Buffer[] = [];
  let stderr = '';
  const code = await run(argv, {
    ...io,
    isTTY: io.isTTY ?? false,
    cwd,
    stdout: (text) => {
      chunks.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text));
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  const stdoutBytes = Buffer.concat(chunks);
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr };
}
