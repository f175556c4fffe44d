// Every git invocation goes through here, so that a repository's own config cannot make git run a
// command of its choosing (core.fsmonitor names a program git starts on `status`, `diff`, `ls-files`).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const GIT_OUTPUT_LIMIT = 256 * 1024 * 1024;

/** Options every run of git gets: no fsmonitor hook, paths printed as they are. */
export const SAFE_GIT_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false'] as const;

/** Runs git in `cwd` and returns its stdout; rejects (with git's `stderr` on the error) when git fails. */
export async function runGit(cwd: string, args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', [...SAFE_GIT_CONFIG, ...args], { cwd, maxBuffer: GIT_OUTPUT_LIMIT, encoding: 'utf8' });
  return stdout;
}
