// TAP output of a repository's test run (bench/real-repos.mjs), parsed into test names and statuses.

/**
 * TAP on stdout (ava `--tap`, tap `--reporter=tap`): `ok N - title`, `not ok N - title`, a `# SKIP` / `# TODO` directive
 * marks a skipped test. ava titles are `file › title`; a failing file shows up as its own `not ok`.
 */
export function parseTap(text) {
  const tests = new Map();
  let current;
  for (const line of text.split('\n')) {
    const m = /^(not ok|ok)\s+\d+\s*(?:-\s*)?(.*)$/.exec(line);
    if (!m) {
      // The YAML block under a `not ok` holds its message.
      if (current && /^\s+(message|name):/.test(line)) current.message = `${current.message ?? ''}${line.trim()}\n`.slice(0, 2000);
      continue;
    }
    const directive = /\s#\s*(SKIP|TODO)\b/i.exec(m[2]);
    // Anything else after ` # ` is a comment, not part of the name: tap 21 writes each file's
    // duration there (`ok 1 - test/a.test.js # time=1178.361ms`), different on every run.
    const comment = /\s#\s/.exec(m[2]);
    const cut = directive ?? comment;
    const title = (cut ? m[2].slice(0, cut.index) : m[2]).trim();
    const status = directive ? 'skipped' : m[1] === 'ok' ? 'passed' : 'failed';
    current = status === 'failed' ? { status } : undefined;
    tests.set(uniqueName(tests, title), current ?? { status });
  }
  if (tests.size === 0) throw new Error('no TAP test lines');
  return tests;
}

export function uniqueName(tests, name) {
  if (!tests.has(name)) return name;
  for (let i = 2; ; i++) if (!tests.has(`${name} #${i}`)) return `${name} #${i}`;
}

