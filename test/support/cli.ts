// Runs the CLI in-process, capturing stdout/stderr, as a user would from `cwd`.
import { run, type CliIo } from '../../src/cli.js';
import { SEVERITY_RANK, type Severity } from '../../src/model.js';

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

/**
 * The exit `check` owes these findings: 1 when one is at or above `--fail-on` (taken from the case's
 * args, default `warning`), else 0. `info` findings (dispatch decides) never fail the default gate;
 * warnings (what the tool cannot prove) do not fail `--fail-on error`.
 */
export function checkExitFor(findings: readonly { severity: string }[], args: readonly string[]): number {
  const at = args.indexOf('--fail-on');
  const threshold = (at >= 0 ? args[at + 1] : undefined) ?? 'warning';
  return findings.some((finding) => SEVERITY_RANK[finding.severity as Severity] >= SEVERITY_RANK[threshold as Severity]) ? 1 : 0;
}
