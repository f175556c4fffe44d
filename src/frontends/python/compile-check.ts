// Whether Python 3 compiles each file. tree-sitter's grammar accepts a Python 2 `print "x"` and a
// TabError file without an error node, and a rewrite of those is valid in neither language, so every
// file is compiled once by python3 itself before anything is planned. `compile()` only builds the
// code object: nothing in the file runs. One process checks every file (paths on stdin), so the cost
// is one interpreter start, not one per file.
import { spawn } from 'node:child_process';

/** The compile errors by file, and the interpreter's version; `unavailable` says why none ran. */
export interface CompileCheck {
  errors: Map<string, { line: number; column: number; message: string }>;
  version?: string;
  unavailable?: string;
  /**
   * The cap fired. Whether it does depends on the machine's load, so this is no verdict ("checked
   * with the grammar only" would skip fewer files under load): the caller ends the run as incomplete.
   */
  timedOut?: true;
}

// Reads NUL-separated paths (with the argument `texts`: UTF-8 source texts) from stdin; prints the
// version, then one JSON line per file that does not compile: its index, where, and the error. Errors other than a syntax error (a recursion limit on
// very deep nesting) say nothing about the file being Python 3, so they are not reported.
const SCRIPT = `
import json, sys
sys.stdout.write(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3]}) + "\\n")
texts = sys.argv[1:] == ["texts"]
for index, raw in enumerate(sys.stdin.buffer.read().split(b"\\0")):
    if not raw and not texts:
        continue
    try:
        if texts:
            source = raw.decode("utf-8-sig")  # the BOM a file keeps is no character of its code
        else:
            with open(raw, "rb") as handle:
                source = handle.read()
        compile(source, "<checked>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 0
        column = getattr(error, "offset", None) or 0
        message = "%s: %s" % (type(error).__name__, getattr(error, "msg", None) or str(error))
        sys.stdout.write(json.dumps({"index": index, "line": line, "column": column, "message": message}) + "\\n")
    except Exception:
        pass
`;

/**
 * Generous: compiling is fast (a 1,000-file, 505k-line tree takes a few seconds); this only stops a
 * hang, and firing makes the run incomplete (exit 1), never a different report.
 */
export const COMPILE_TIMEOUT_MS = 600_000;

/**
 * Compiles `files` with python3 (`-I -S`: no environment variables, user site or site hooks, so
 * nothing of the project or the environment is imported). `unavailable` when python3 cannot run.
 */
export function compileWithPython3(files: readonly string[], cwd: string, executable = 'python3', texts?: readonly string[], timeoutMs = COMPILE_TIMEOUT_MS): Promise<CompileCheck> {
  return new Promise((resolve) => {
    const errors: CompileCheck['errors'] = new Map();
    if (files.length === 0) return resolve({ errors });
    let settled = false;
    const finish = (result: CompileCheck): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(executable, ['-I', '-S', '-B', '-c', SCRIPT, ...(texts ? ['texts'] : [])], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ errors: new Map(), unavailable: `${executable} took longer than ${timeoutMs / 1000} s`, timedOut: true });
    }, timeoutMs);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => finish({ errors, unavailable: error.code === 'ENOENT' ? `${executable} is not installed` : `${executable} could not run (${error.message})` }));
    // A closed stdin (python3 exited early) is reported by the exit status below.
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      const lines = stdout.split('\n').filter(Boolean);
      let version: string | undefined;
      try {
        version = (JSON.parse(lines[0] ?? '') as { version?: string }).version;
        for (const line of lines.slice(1)) {
          const entry = JSON.parse(line) as { index: number; line: number; column: number; message: string };
          const file = files[entry.index];
          if (file !== undefined) errors.set(file, { line: entry.line, column: entry.column, message: entry.message });
        }
      } catch {
        version = undefined;
      }
      if (code !== 0 || version === undefined || !version.startsWith('3.')) {
        const why = version !== undefined && !version.startsWith('3.') ? `it is Python ${version}` : `exit ${code ?? 'by signal'}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`;
        return finish({ errors: new Map(), unavailable: `${executable} could not check the files (${why})` });
      }
      finish({ errors, version });
    });
    // A text holds no NUL once it compiles (Python rejects one), so NUL separates entries either way.
    const entries = texts ?? files;
    child.stdin.end(Buffer.concat(entries.map((entry) => Buffer.concat([Buffer.from(entry), Buffer.from([0])]))));
  });
}

/** The one line of a run whose python3 compile check hit its cap (exit 1: see CompileCheck.timedOut). */
export function compileTimeoutLine(check: CompileCheck, fileCount: number): string {
  return `${check.unavailable ?? 'python3 took too long'} to compile ${fileCount} Python file(s); the run is incomplete (which files Python 3 rejects is not known, and those are skipped): run again on a less loaded machine, or on fewer files`;
}
