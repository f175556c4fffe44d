// Every git invocation goes through here, so that nothing a repository configures can make git run a
// command of its choosing. What a repository can name, and how each is closed (git >= 2.31):
// - core.fsmonitor (a program git starts on `status`, `diff`, `ls-files`): `-c core.fsmonitor=false`.
// - hooks (`post-index-change` runs when `status` refreshes the index): `-c core.hooksPath=/dev/null`,
//   and GIT_OPTIONAL_LOCKS=0 so that `status` does not write the index at all.
// - filters (`filter.<x>.clean`/`process`, picked by .gitattributes, run by `status` and `diff` on
//   files whose stat changed): every driver the repository's own config defines is emptied for the
//   run (git ignores an empty command). Drivers defined only in the user's global or the system
//   config (git-lfs) are the user's own and kept.
// - diff drivers (textconv, external diff): `diff` always gets `--no-ext-diff --no-textconv`.
// - submodules (whose own config this process never read): `--ignore-submodules=all`; the dirty check
//   asks each checked-out submodule as a repository of its own.
// - lazy fetches of a partial clone (a transport's command, `remote.<x>.uploadpack`): no protocol is
//   allowed (GIT_ALLOW_PROTOCOL empty), so a missing object is an error, never a fetch.
// - the pager: `--no-pager` (and git's output is a pipe, never a terminal).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const GIT_OUTPUT_LIMIT = 256 * 1024 * 1024;

/** Options every run of git gets: no pager, no fsmonitor, no hooks, paths printed as they are. */
export const SAFE_GIT_CONFIG = ['--no-pager', '-c', 'core.fsmonitor=false', '-c', 'core.hooksPath=/dev/null', '-c', 'core.quotePath=false'] as const;

/** Config scopes a repository writes (its .git/config, a worktree's config, what they include). */
const REPOSITORY_SCOPES = new Set(['local', 'worktree']);

function safeEnvironment(extraConfig: readonly (readonly [string, string])[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_ALLOW_PROTOCOL: '', GIT_NO_LAZY_FETCH: '1', GIT_TERMINAL_PROMPT: '0' };
  delete env.GIT_EXTERNAL_DIFF;
  delete env.GIT_PAGER;
  // GIT_CONFIG_KEY_<n>/VALUE_<n> take any key verbatim (a driver's name may hold `=`, which `-c` cannot).
  const start = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
  extraConfig.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${start + index}`] = key;
    env[`GIT_CONFIG_VALUE_${start + index}`] = value;
  });
  if (extraConfig.length > 0) env.GIT_CONFIG_COUNT = String(start + extraConfig.length);
  return env;
}

async function execGit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileAsync('git', [...SAFE_GIT_CONFIG, ...args], { cwd, env, maxBuffer: GIT_OUTPUT_LIMIT, encoding: 'utf8' });
  return stdout;
}

/** The filter drivers the repository's own config defines (any of their keys), by name. */
async function repositoryFilterDrivers(cwd: string): Promise<string[]> {
  let listing: string;
  try {
    listing = await execGit(cwd, ['config', '--show-scope', '-z', '--get-regexp', '^filter\\.'], safeEnvironment());
  } catch (error) {
    if ((error as { code?: unknown }).code === 1) return []; // no such key anywhere
    throw error;
  }
  const drivers = new Set<string>();
  const fields = listing.split('\0');
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const scope = fields[index]!;
    const key = fields[index + 1]!.split('\n')[0]!;
    // filter.<driver>.<name>: the driver is everything between the first and the last dot.
    const driver = key.slice('filter.'.length, key.lastIndexOf('.'));
    if (REPOSITORY_SCOPES.has(scope) && key.lastIndexOf('.') > 'filter'.length) drivers.add(driver);
  }
  return [...drivers];
}

/**
 * Runs git in `cwd` and returns its stdout; rejects (with git's `stderr` on the error) when git fails.
 * `readsWorkTree`: the command compares work-tree files (`status`, `diff` against the work tree), so
 * the repository's filter drivers are emptied first.
 */
export async function runGit(cwd: string, args: readonly string[], options: { readsWorkTree?: boolean } = {}): Promise<string> {
  const drivers = options.readsWorkTree ? await repositoryFilterDrivers(cwd) : [];
  const emptied = drivers.flatMap((driver) => [
    [`filter.${driver}.clean`, ''],
    [`filter.${driver}.smudge`, ''],
    [`filter.${driver}.process`, ''],
    // A required filter with no command is an error; this one is off for the run, not failing.
    [`filter.${driver}.required`, 'false'],
  ] as const);
  return execGit(cwd, args, safeEnvironment(emptied));
}
