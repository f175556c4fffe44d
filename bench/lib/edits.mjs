// Seeded random edits of a generated TypeScript project, for the `--cache` checks: the bench's warm
// run after editing 1% of the files, and test/cache.test.ts, which compares cached and cold reports.
// Each edit changes what the report says (a shifted line, a new finding, a function no longer async).
import * as fs from 'node:fs';

/** A small deterministic PRNG (the same seed gives the same edits). */
export function seededRandom(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

const EDITS = [
  // Every line of the file moves down one.
  (text, n) => `// edited ${n}\n${text}`,
  // A new blocking-io finding, in an async function.
  (text, n) => `import { readFileSync as readEdited${n} } from 'node:fs';\n${text}\nexport async function edited${n}(): Promise<string> {\n  return readEdited${n}('edited-${n}.txt', 'utf8');\n}\n`,
  // A new floating-promise finding.
  (text, n) => `${text}\nexport async function floating${n}(): Promise<void> {\n  Promise.resolve(${n});\n}\n`,
  // An async function turns sync (its awaits then sit in a sync function).
  (text, n) => (text.includes('async ') ? text.replace('async ', '') : `${text}\n// edited ${n}\n`),
];

/**
 * Edits `percent`% of `files` (absolute paths; at least one), each with one of the edits above, in
 * place. Returns the files edited.
 */
export function editFiles(files, { seed, percent }) {
  const random = seededRandom(seed);
  const count = Math.max(1, Math.round((files.length * percent) / 100));
  const chosen = new Set();
  while (chosen.size < Math.min(count, files.length)) chosen.add(files[Math.floor(random() * files.length)]);
  let n = seed * 1000;
  for (const file of chosen) {
    const edit = EDITS[Math.floor(random() * EDITS.length)];
    fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8'), n++));
  }
  return [...chosen];
}
