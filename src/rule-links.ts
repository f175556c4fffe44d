// Where each rule's page lives. The pages are docs/rules/<id>.md in this repository (written by
// `npm run docs`); reports link them by URL, so a link works wherever the report is read.
import type { RuleId } from './model.js';

/** The repository's home, as package.json's `repository` and `homepage` give it (test/rule-docs.test.ts checks they agree). */
export const REPOSITORY_URL = 'https://github.com/async-migrate/async-migrate';

/** The page of a rule, relative to the repository root. */
export function ruleDocsPath(id: RuleId): string {
  return `docs/rules/${id}.md`;
}

/** The page of a rule on the repository's default branch. */
export function ruleDocsUrl(id: RuleId): string {
  return `${REPOSITORY_URL}/blob/main/${ruleDocsPath(id)}`;
}
