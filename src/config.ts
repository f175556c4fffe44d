// async-migrate.config.json: the team's settings. Validation lives here so a wrong key or value is
// one clear line naming it.
import type { RuleId, Scope, Severity, Strategy } from './model.js';

/** A blocking API the config adds, with its async equivalent when one exists. */
export interface BlockingApiConfig {
  /** TypeScript: `module.export` or `module.export.method` (`better-sqlite3.Database.prepare`), or a
   * project call `db.querySync`; Python: dotted `vectorstore.Client.query`. */
  call: string;
  language?: 'typescript' | 'python';
  /** The async equivalent as a call path (`db.query`, `aiofiles.open`); absent: wrap (Python:
   * `asyncio.to_thread`) or report. */
  asyncEquivalent?: string;
  /** Module to import the async equivalent from, when it differs. */
  module?: string;
}

export interface Config {
  include: string[];
  exclude: string[];
  rules: Partial<Record<RuleId, Severity | 'off'>>;
  scope: Scope;
  strategy: Strategy;
  makeAsync: string[];
  blocking: BlockingApiConfig[];
  /** Functions that must stay sync (entry points a framework calls synchronously). */
  entryPoints: string[];
  /** Files whose exports are the public API (for `breaking` and the dual strategy). */
  public: string[];
}

export const DEFAULT_CONFIG: Config = {
  include: [],
  exclude: [],
  rules: {},
  scope: 'reachable',
  strategy: 'inplace',
  makeAsync: [],
  blocking: [],
  entryPoints: [],
  public: [],
};
