// `npm run docs`: writes docs/rules/ from the rules' `docs` (src/rule-docs.ts, built to dist/), and
// removes pages of rules that no longer exist. test/rule-docs.test.ts fails until this has run.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ruleDocFiles } from '../dist/src/rule-docs.js';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dir = path.join(repo, 'docs', 'rules');
mkdirSync(dir, { recursive: true });
const files = ruleDocFiles();
for (const name of readdirSync(dir)) {
  if (name.endsWith('.md') && !files.has(`docs/rules/${name}`)) rmSync(path.join(dir, name));
}
for (const [file, text] of files) writeFileSync(path.join(repo, file), text);
console.log(`wrote ${files.size} files in docs/rules/`);
