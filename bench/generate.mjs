#!/usr/bin/env node
// Generates a deterministic synthetic TypeScript project for `npm run bench`, with a known set of
// sites per rule written to expected.json (file and line of each).
//
//   node bench/generate.mjs [--files 2000] [--out .bench/ts-project]
//
// Shape: a layered app. Features are 5 files (model with a repository interface, repository,
// formatter, service, controller); a quarter of them are "hot": their repository does blocking IO and
// sleeps, reached from async services through cross-file chains (some only through the interface),
// and their services await sync methods or drop promises. Everything else is ordinary code: text and
// collection helpers, value objects, state machines, async pipelines over fs/promises, event buses,
// validators, DTO modules, chained by imports. A few sync CLI scripts block outside any async path:
// those count only under `--scope all`.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceFile, countSites, createRng, parseFileCount, parseFlags, writeCorpus } from './lib/source-file.mjs';

export const TS_RULES = ['blocking-sleep', 'blocking-io', 'await-non-thenable', 'floating-promise'];
export const GENERATOR_VERSION = 1;
const SEED = 20240611;
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const NOUNS = [
  'order', 'invoice', 'customer', 'product', 'shipment', 'payment', 'account', 'ticket', 'report',
  'session', 'coupon', 'review', 'vendor', 'warehouse', 'refund', 'contract', 'employee', 'project',
  'booking', 'device', 'message', 'playlist', 'recipe', 'policy', 'claim', 'lesson', 'route', 'asset',
];

// ---------------------------------------------------------------------------------------------
// Shared library files (always present)

function libSleep() {
  const f = new SourceFile('src/lib/sleep.ts');
  f.add(
    '// A synchronous sleep, used by legacy retry loops. Parks the whole thread.',
    'const parking = new Int32Array(new SharedArrayBuffer(4));',
    '',
    'export function sleepSync(ms: number): void {',
  );
  f.site('blocking-sleep', '  Atomics.wait(parking, 0, 0, ms);', 'Atomics.wait inside the sleepSync helper');
  f.add('}');
  return f;
}

function libAudit() {
  return new SourceFile('src/lib/audit.ts').add(`// An in-memory audit trail whose writes are asynchronous.
export interface AuditEntry {
  action: string;
  subject: string;
  at: number;
}

export class AuditLog {
  private readonly entries: AuditEntry[] = [];

  async recordAsync(action: string, subject: string): Promise<void> {
    await Promise.resolve();
    this.entries.push({ action, subject, at: Date.now() });
  }

  async flushAsync(): Promise<number> {
    await Promise.resolve();
    const count = this.entries.length;
    this.entries.length = 0;
    return count;
  }

  size(): number {
    return this.entries.length;
  }
}

export async function notifyAsync(channel: string, text: string): Promise<boolean> {
  await Promise.resolve();
  return channel.length > 0 && text.length > 0;
}`);
}

function libConfig() {
  return new SourceFile('src/lib/config.ts').add(`import * as path from 'node:path';

export const DATA_DIR = path.join(process.cwd(), 'data');
export const PAGE_SIZE = 50;
export const RETRY_LIMIT = 3;

export function dataFile(collection: string, id: string): string {
  return path.join(DATA_DIR, collection, \`\${id}.json\`);
}`);
}

function libResult() {
  return new SourceFile('src/lib/result.ts').add(`export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail<E>(error: E): Result<never, E> {
  return { ok: false, error };
}

export function unwrapOr<T, E>(result: Result<T, E>, fallback: T): T {
  return result.ok ? result.value : fallback;
}

export function mapResult<T, U, E>(result: Result<T, E>, map: (value: T) => U): Result<U, E> {
  return result.ok ? ok(map(result.value)) : result;
}`);
}

function libLogger() {
  return new SourceFile('src/lib/logger.ts').add(`export type Level = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export class Logger {
  private readonly lines: string[] = [];

  constructor(private readonly name: string, private readonly threshold: Level = 'info') {}

  log(level: Level, message: string): void {
    if (RANK[level] < RANK[this.threshold]) return;
    this.lines.push(\`[\${level}] \${this.name}: \${message}\`);
  }

  history(): readonly string[] {
    return this.lines;
  }
}`);
}

// ---------------------------------------------------------------------------------------------
// Features: model -> repository -> formatter -> service -> controller

function featureNames(index) {
  const noun = NOUNS[index % NOUNS.length];
  const n = Math.floor(index / NOUNS.length);
  const slug = `${noun}-${n}`;
  const type = `${noun[0].toUpperCase()}${noun.slice(1)}${n}`;
  return { slug, type, dir: `src/features/${slug}` };
}

/** Which sites a hot feature gets; clean features get none of them. */
function pickVariant(rng, isHot) {
  if (!isHot) return { hot: false };
  return {
    hot: true,
    retrySleep: rng.chance(0.5),
    persistWrite: rng.chance(0.6),
    execRevision: rng.chance(0.35),
    unreachableExport: rng.chance(0.3),
    awaitSync: rng.chance(0.6),
    floatingInService: rng.chance(0.5),
    floatingInController: rng.chance(0.3),
    viaInterface: rng.chance(0.5),
  };
}

function featureModel(names) {
  const { type } = names;
  return new SourceFile(`${names.dir}/model.ts`).add(`export interface ${type}Record {
  id: string;
  title: string;
  amount: number;
  tags: string[];
  updatedAt: number;
}

export interface I${type}Repository {
  load(id: string): ${type}Record | undefined;
  list(): ${type}Record[];
  upsert(record: ${type}Record): void;
  revision(): string;
}

export function is${type}Record(value: unknown): value is ${type}Record {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<${type}Record>;
  return typeof record.id === 'string' && typeof record.title === 'string' && typeof record.amount === 'number';
}

export function empty${type}(id: string): ${type}Record {
  return { id, title: '', amount: 0, tags: [], updatedAt: 0 };
}`);
}

function featureRepository(names, v) {
  const { type, slug } = names;
  const f = new SourceFile(`${names.dir}/repository.ts`);
  // Say how async code reaches the repository, so a mismatch report shows which path was missed.
  const reach = v.viaInterface ? `reached only via I${type}Repository` : `reached via ${type}Repository`;
  if (!v.hot) {
    return f.add(`import type { I${type}Repository, ${type}Record } from './model.js';

// Keeps records in memory; the production build swaps in a database-backed implementation.
export class ${type}Repository implements I${type}Repository {
  private readonly records = new Map<string, ${type}Record>();

  load(id: string): ${type}Record | undefined {
    return this.records.get(id);
  }

  list(): ${type}Record[] {
    return [...this.records.values()].sort((a, b) => a.updatedAt - b.updatedAt);
  }

  upsert(record: ${type}Record): void {
    this.records.set(record.id, { ...record, updatedAt: Date.now() });
  }

  revision(): string {
    return 'memory';
  }
}`);
  }
  f.add(`import * as fs from 'node:fs';`);
  if (v.execRevision) f.add(`import { execSync } from 'node:child_process';`);
  if (v.retrySleep) f.add(`import { sleepSync } from '../../lib/sleep.js';`);
  f.add(`import { RETRY_LIMIT, dataFile } from '../../lib/config.js';
import { is${type}Record, type I${type}Repository, type ${type}Record } from './model.js';

function readRecordFile(id: string): string | undefined {
  try {`);
  f.site('blocking-io', `    return fs.readFileSync(dataFile('${slug}', id), 'utf8');`, `fs.readFileSync in a module helper; ${reach}`);
  f.add(`  } catch {
    return undefined;
  }
}

export class ${type}Repository implements I${type}Repository {
  private readonly cache = new Map<string, ${type}Record>();

  load(id: string): ${type}Record | undefined {
    const cached = this.cache.get(id);
    if (cached) return cached;
    for (let attempt = 0; attempt < RETRY_LIMIT; attempt++) {
      const raw = readRecordFile(id);
      if (raw !== undefined) {
        const parsed: unknown = JSON.parse(raw);
        if (!is${type}Record(parsed)) return undefined;
        this.cache.set(id, parsed);
        return parsed;
      }`);
  if (v.retrySleep) f.site('blocking-sleep', '      sleepSync(25 * (attempt + 1));', `call of the project sleep helper; ${reach}`);
  f.add(`    }
    return undefined;
  }

  list(): ${type}Record[] {
    return [...this.cache.values()];
  }

  upsert(record: ${type}Record): void {
    this.cache.set(record.id, record);`);
  if (v.persistWrite) {
    f.site('blocking-io', `    fs.writeFileSync(dataFile('${slug}', record.id), JSON.stringify(record));`, `fs.writeFileSync in a method; ${reach}`);
  }
  f.add(`  }

  revision(): string {`);
  if (v.execRevision) {
    f.site('blocking-io', `    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();`, `child_process.execSync; ${reach}`);
  } else {
    f.add(`    return 'v1';`);
  }
  f.add('  }');
  if (v.unreachableExport) {
    // Nothing calls this: it blocks, but no async code reaches it.
    f.add(`
  exportSnapshot(target: string): void {`);
    f.site('blocking-io', '    fs.writeFileSync(target, JSON.stringify(this.list()));', 'uncalled method', 'all');
    f.add('  }');
  }
  f.add('}');
  return f;
}

function featureFormatter(names) {
  const { type } = names;
  return new SourceFile(`${names.dir}/format.ts`).add(`import type { ${type}Record } from './model.js';

const currency = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export class ${type}Formatter {
  constructor(private readonly prefix: string = '${type}') {}

  label(record: ${type}Record): string {
    return \`\${this.prefix} #\${record.id}: \${record.title || '(untitled)'}\`;
  }

  amount(record: ${type}Record): string {
    return currency.format(record.amount / 100);
  }

  async labelLater(record: ${type}Record): Promise<string> {
    await Promise.resolve();
    return this.label(record);
  }

  tagLine(record: ${type}Record): string {
    return record.tags
      .map((tag) => tag.trim())
      .filter((tag) => tag.length > 0)
      .join(', ');
  }
}

export function total${type}(records: readonly ${type}Record[]): number {
  return records.reduce((sum, record) => sum + record.amount, 0);
}`);
}

function featureService(names, v) {
  const { type, slug } = names;
  const repoType = v.hot && v.viaInterface ? `I${type}Repository` : `${type}Repository`;
  const f = new SourceFile(`${names.dir}/service.ts`);
  f.add(`import { AuditLog, notifyAsync } from '../../lib/audit.js';
import { ${type}Formatter, total${type} } from './format.js';
import type { I${type}Repository, ${type}Record } from './model.js';
import type { ${type}Repository } from './repository.js';

export type ${type}Store = ${repoType};

export class ${type}Service {
  constructor(
    private readonly repo: ${repoType},
    private readonly formatter: ${type}Formatter,
    private readonly audit: AuditLog,
  ) {}

  // Sync on purpose: callers on hot paths want the record without a tick.
  resolve(id: string): ${type}Record | undefined {
    return this.repo.load(id);
  }

  async get(id: string): Promise<string | undefined> {
    const record = this.resolve(id);
    if (!record) return undefined;`);
  if (v.hot && v.floatingInService) {
    f.site('floating-promise', `    this.audit.recordAsync('${slug}.get', id);`, 'dropped promise of an async method');
  } else {
    f.add(`    await this.audit.recordAsync('${slug}.get', id);`);
  }
  if (v.hot && v.awaitSync) {
    f.site('await-non-thenable', '    const label = await this.formatter.label(record);', 'await of a sync method in another file');
  } else {
    f.add('    const label = await this.formatter.labelLater(record);');
  }
  f.add(`    return \`\${label} (\${this.formatter.amount(record)})\`;
  }

  async update(record: ${type}Record): Promise<void> {
    this.repo.upsert(record);
    void notifyAsync('${slug}', record.id);
    const pending = this.audit.recordAsync('${slug}.update', record.id);
    await pending;
  }

  async describe(): Promise<string> {
    const records = this.repo.list();
    return \`${slug}@\${this.repo.revision()}: \${records.length} records, total \${total${type}(records)}\`;
  }

  flush(): Promise<number> {
    return this.audit.flushAsync();
  }
}

export type ${type}RepositoryLike = I${type}Repository;`);
  return f;
}

function featureController(names, v) {
  const { type, slug } = names;
  const f = new SourceFile(`${names.dir}/controller.ts`);
  f.add(`import { AuditLog } from '../../lib/audit.js';
import { ${type}Formatter } from './format.js';
import { empty${type}, type ${type}Record } from './model.js';
import { ${type}Repository } from './repository.js';
import { ${type}Service } from './service.js';

export interface Response {
  status: number;
  body: string;
}

export class ${type}Controller {
  constructor(private readonly service: ${type}Service) {}

  async handleGet(id: string): Promise<Response> {
    const body = await this.service.get(id);
    return body === undefined ? { status: 404, body: 'not found' } : { status: 200, body };
  }

  async handlePut(id: string, patch: Partial<${type}Record>): Promise<Response> {
    const current = this.service.resolve(id) ?? empty${type}(id);
    const next = { ...current, ...patch, id };`);
  if (v.hot && v.floatingInController) {
    f.site('floating-promise', '    this.service.update(next);', 'dropped promise of an async method in another file');
  } else {
    f.add('    await this.service.update(next);');
  }
  f.add(`    return { status: 204, body: '' };
  }

  async handleInfo(): Promise<Response> {
    const [info, flushed] = await Promise.all([this.service.describe(), this.service.flush()]);
    return { status: 200, body: \`\${info}; flushed \${flushed}\` };
  }
}

export function create${type}Controller(audit: AuditLog = new AuditLog()): ${type}Controller {
  return new ${type}Controller(new ${type}Service(new ${type}Repository(), new ${type}Formatter('${slug}'), audit));
}`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Ordinary code. Every filler exports `normalize(input)` and calls the previous file's `normalize`,
// so the project has long cross-file chains of plain sync code for the graph to walk.

const FILLERS = [fillerText, fillerCollections, fillerValueObject, fillerStateMachine, fillerPipeline, fillerEvents, fillerValidation, fillerDtos];

function fillerHeader(f, prev) {
  if (prev) f.add(`import { normalize as normalizePrevious } from '${prev}';`);
  f.add('');
}

function normalizeExport(f, prev, k) {
  const inner = prev ? 'normalizePrevious(input)' : 'input';
  f.add(`
export function normalize(input: string): string {
  const value = ${inner}.trim();
  return value.length > ${40 + (k % 40)} ? value.slice(0, ${40 + (k % 40)}) : value;
}`);
}

function fillerText(f, prev, k) {
  fillerHeader(f, prev);
  f.add(`/** Text helpers (module ${k}). */
export function slugify(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function capitalize(word: string): string {
  return word.length === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1);
}

export function truncate(text: string, max = ${20 + (k % 60)}): string {
  return text.length <= max ? text : \`\${text.slice(0, Math.max(0, max - 1))}…\`;
}

export function wordCount(text: string): number {
  return text.split(/\\s+/).filter((word) => word.length > 0).length;
}

export function padTable(rows: readonly string[][]): string {
  const widths = rows.reduce<number[]>((acc, row) => {
    row.forEach((cell, i) => {
      acc[i] = Math.max(acc[i] ?? 0, cell.length);
    });
    return acc;
  }, []);
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')).join('\\n');
}`);
  normalizeExport(f, prev, k);
}

function fillerCollections(f, prev, k) {
  fillerHeader(f, prev);
  f.add(`/** Collection helpers (module ${k}). */
export function chunk<T>(items: readonly T[], size = ${2 + (k % 9)}): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function groupBy<T, K extends string | number>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const bucket = groups.get(k);
    if (bucket) bucket.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function uniqueBy<T>(items: readonly T[], key: (item: T) => unknown): T[] {
  const seen = new Set<unknown>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  items.forEach((item) => (test(item) ? yes : no).push(item));
  return [yes, no];
}

export function sumBy<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}`);
  normalizeExport(f, prev, k);
}

function fillerValueObject(f, prev, k) {
  fillerHeader(f, prev);
  f.add(`/** A value object with validation (module ${k}). */
export class Quantity {
  private constructor(readonly value: number, readonly unit: string) {}

  static of(value: number, unit = 'pcs'): Quantity {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(\`invalid quantity: \${value}\`);
    return new Quantity(Math.round(value * ${10 ** (k % 3)}) / ${10 ** (k % 3)}, unit);
  }

  add(other: Quantity): Quantity {
    if (other.unit !== this.unit) throw new TypeError(\`unit mismatch: \${this.unit} vs \${other.unit}\`);
    return Quantity.of(this.value + other.value, this.unit);
  }

  scale(factor: number): Quantity {
    return Quantity.of(this.value * factor, this.unit);
  }

  equals(other: Quantity): boolean {
    return this.unit === other.unit && this.value === other.value;
  }

  toJSON(): { value: number; unit: string } {
    return { value: this.value, unit: this.unit };
  }

  toString(): string {
    return \`\${this.value} \${this.unit}\`;
  }
}

export function largest(quantities: readonly Quantity[]): Quantity | undefined {
  return quantities.reduce<Quantity | undefined>((best, q) => (best === undefined || q.value > best.value ? q : best), undefined);
}`);
  normalizeExport(f, prev, k);
}

function fillerStateMachine(f, prev, k) {
  fillerHeader(f, prev);
  f.add(`/** A small state machine (module ${k}). */
export type State = 'draft' | 'review' | 'approved' | 'rejected' | 'archived';
export type Event = { type: 'submit' } | { type: 'approve'; by: string } | { type: 'reject'; reason: string } | { type: 'archive' };

export interface Machine {
  state: State;
  history: string[];
}

export function transition(machine: Machine, event: Event): Machine {
  const next = nextState(machine.state, event);
  return { state: next, history: [...machine.history, \`\${machine.state} -> \${next}\`] };
}

function nextState(state: State, event: Event): State {
  switch (event.type) {
    case 'submit':
      return state === 'draft' ? 'review' : state;
    case 'approve':
      return state === 'review' ? 'approved' : state;
    case 'reject':
      return state === 'review' ? 'rejected' : state;
    case 'archive':
      return 'archived';
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export function replay(events: readonly Event[]): Machine {
  const initial: Machine = { state: 'draft', history: [] };
  return events.reduce(transition, initial);
}`);
  normalizeExport(f, prev, k);
}

function fillerPipeline(f, prev, k) {
  // Correct async code the tool must leave alone: promise-based fs, timer promises, Promise.all.
  f.add(`import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';`);
  fillerHeader(f, prev);
  f.add(`/** An async pipeline (module ${k}). */
export interface Item {
  id: number;
  name: string;
}

const store = new Map<number, Item>();

export async function lookup(id: number): Promise<Item | undefined> {
  await delay(0);
  return store.get(id);
}

export async function lookupMany(ids: readonly number[]): Promise<Item[]> {
  const found = await Promise.all(ids.map((id) => lookup(id)));
  return found.filter((item): item is Item => item !== undefined);
}

export async function loadNames(file: string): Promise<string[]> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\\n').map((line) => normalize(line)).filter((line) => line.length > 0);
  } catch {
    return [];
  }
}

export async function withRetry<T>(task: () => Promise<T>, attempts = ${2 + (k % 3)}): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await task();
    } catch (error) {
      lastError = error;
      await delay(${5 * (1 + (k % 4))} * (i + 1));
    }
  }
  throw lastError;
}`);
  normalizeExport(f, prev, k);
}

function fillerEvents(f, prev, k) {
  fillerHeader(f, prev);
  f.add(`/** A typed event bus (module ${k}). */
export type Listener<T> = (payload: T) => void;

export class EventBus<Events extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    const set = this.listeners.get(name) ?? new Set<Listener<never>>();
    set.add(listener as Listener<never>);
    this.listeners.set(name, set);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(name: K, payload: Events[K]): number {
    const set = this.listeners.get(name);
    if (!set) return 0;
    set.forEach((listener) => (listener as Listener<Events[K]>)(payload));
    return set.size;
  }
}

export interface AppEvents extends Record<string, unknown> {
  saved: { id: string };
  removed: { id: string; reason: string };
}

export function wireCounters(bus: EventBus<AppEvents>): { saved: number; removed: number } {
  const counts = { saved: 0, removed: 0 };
  bus.on('saved', () => {
    counts.saved += 1;
  });
  bus.on('removed', () => {
    counts.removed += 1;
  });
  return counts;
}`);
  normalizeExport(f, prev, k);
}

function fillerValidation(f, prev, k) {
  fillerHeader(f, prev);
  f.add(`/** Validators (module ${k}). */
export type Check<T> = (value: T) => string | undefined;

export interface Signup {
  email: string;
  name: string;
  age: number;
}

export const required: Check<string> = (value) => (value.trim().length > 0 ? undefined : 'required');
export const email: Check<string> = (value) => (/^[^@\\s]+@[^@\\s]+$/.test(value) ? undefined : 'invalid email');
export const minAge = (min: number): Check<number> => (value) => (value >= min ? undefined : \`must be at least \${min}\`);

export function validate(input: Signup): Record<string, string> {
  const errors: Record<string, string> = {};
  const checks: [keyof Signup, string | undefined][] = [
    ['email', required(input.email) ?? email(input.email)],
    ['name', required(input.name)],
    ['age', minAge(${13 + (k % 6)})(input.age)],
  ];
  for (const [field, error] of checks) {
    if (error !== undefined) errors[field] = error;
  }
  return errors;
}

export function isValid(input: Signup): boolean {
  return Object.keys(validate(input)).length === 0;
}`);
  normalizeExport(f, prev, k);
}

function fillerDtos(f, prev, k) {
  fillerHeader(f, prev);
  f.add(`/** Wire types and mappers (module ${k}). */
export interface AddressDto {
  street: string;
  city: string;
  zip: string;
}

export interface PersonDto {
  id: string;
  first_name: string;
  last_name: string;
  address?: AddressDto;
}

export interface Person {
  id: string;
  fullName: string;
  city?: string;
}

export function toPerson(dto: PersonDto): Person {
  const person: Person = { id: dto.id, fullName: \`\${dto.first_name} \${dto.last_name}\`.trim() };
  if (dto.address) person.city = dto.address.city;
  return person;
}

export function byCity(people: readonly Person[]): Record<string, number> {
  return people.reduce<Record<string, number>>((acc, person) => {
    const city = person.city ?? 'unknown';
    acc[city] = (acc[city] ?? 0) + 1;
    return acc;
  }, {});
}`);
  normalizeExport(f, prev, k);
}

// ---------------------------------------------------------------------------------------------
// Sync scripts: block, but no async code reaches them (only `--scope all` reports these).

function toolScript(k) {
  const f = new SourceFile(`src/tools/export-${String(k).padStart(3, '0')}.ts`);
  f.add(`import * as fs from 'node:fs';
import { DATA_DIR } from '../lib/config.js';

// A one-off maintenance script, run by hand: blocking IO is fine here.
export function countDataFiles(dir: string = DATA_DIR): number {`);
  f.site('blocking-io', '  return fs.readdirSync(dir).length;', 'fs.readdirSync in a sync-only script', 'all');
  f.add(`}

export function runExport(): number {
  const count = countDataFiles();
  process.stdout.write(\`\${count} files\\n\`);
  return count;
}`);
  return f;
}

function mainFile(firstFeature) {
  const f = new SourceFile('src/main.ts');
  if (!firstFeature) return f.add('export {};');
  const { type } = firstFeature;
  return f.add(`import { AuditLog } from './lib/audit.js';
import { Logger } from './lib/logger.js';
import { create${type}Controller } from './features/${firstFeature.slug}/controller.js';

async function main(): Promise<void> {
  const logger = new Logger('main');
  const controller = create${type}Controller(new AuditLog());
  const response = await controller.handleGet('1');
  logger.log('info', \`status \${response.status}\`);
}

main().catch((error: unknown) => {
  process.stderr.write(\`\${String(error)}\\n\`);
  process.exitCode = 1;
});`);
}

// ---------------------------------------------------------------------------------------------

/** Splits the file budget: fixed files, a few scripts, ~60% features (5 files each), the rest filler. */
function planLayout(total) {
  const fixed = 6;
  const tools = Math.max(1, Math.round(total / 400));
  const features = Math.floor(((total - fixed - tools) * 0.6) / 5);
  const fillers = total - fixed - tools - features * 5;
  return { fixed, tools, features, fillers };
}

function buildFiles(total) {
  const rng = createRng(SEED);
  const layout = planLayout(total);
  const files = [libSleep(), libAudit(), libConfig(), libResult(), libLogger()];
  const featureList = [];
  for (let i = 0; i < layout.features; i++) {
    const names = featureNames(i);
    // One feature in four is hot: a fixed share keeps counts stable when only --files changes.
    const variant = pickVariant(rng, i % 4 === 1);
    featureList.push(names);
    files.push(
      featureModel(names),
      featureRepository(names, variant),
      featureFormatter(names),
      featureService(names, variant),
      featureController(names, variant),
    );
  }
  files.push(mainFile(featureList[1] ?? featureList[0]));
  const packageSize = 25;
  for (let k = 0; k < layout.fillers; k++) {
    const pkg = Math.floor(k / packageSize);
    const pos = k % packageSize;
    const template = FILLERS[k % FILLERS.length];
    const f = new SourceFile(`src/pkg-${String(pkg).padStart(3, '0')}/${template.name.replace('filler', '').toLowerCase()}-${pos}.ts`);
    const prevTemplate = FILLERS[(k - 1 + FILLERS.length) % FILLERS.length];
    const prev = pos === 0 ? undefined : `./${prevTemplate.name.replace('filler', '').toLowerCase()}-${pos - 1}.js`;
    template(f, prev, k);
    files.push(f);
  }
  for (let k = 0; k < layout.tools; k++) files.push(toolScript(k));
  markSleepHelperScope(files);
  if (files.length !== total) throw new Error(`layout bug: ${files.length} files for ${total}`);
  return { files, layout };
}

/** The Atomics.wait in the helper is only async-reachable when some reachable code calls sleepSync. */
function markSleepHelperScope(files) {
  const helperSite = files[0].sites[0];
  const isCalled = files.some((f) => f.sites.some((site) => site.detail.startsWith('call of the project sleep helper')));
  helperSite.scope = isCalled ? 'reachable' : 'all';
}

function tsconfigText(outDir) {
  // typeRoots points at this repo's @types so the corpus type-checks wherever it is generated.
  const typeRoots = path.relative(outDir, path.join(REPO_ROOT, 'node_modules', '@types')).split(path.sep).join('/');
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [typeRoots],
    },
    include: ['src'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes the corpus into `outDir` and returns the expected.json content. */
export function generateTsProject({ outDir, files: total = 2000 }) {
  const { files, layout } = buildFiles(total);
  const sites = files.flatMap((f) => f.sites);
  const expected = {
    generator: 'bench/generate.mjs',
    version: GENERATOR_VERSION,
    language: 'typescript',
    seed: SEED,
    files: total,
    lines: files.reduce((sum, f) => sum + f.lines.length, 0),
    layout,
    ...countSites(sites, TS_RULES),
    notes: [
      'byRule: findings expected from `check` with the default --scope reachable; byRuleScopeAll: with --scope all.',
      'blocking-sleep counts each sleepSync(...) call plus the Atomics.wait inside src/lib/sleep.ts.',
      'Some blocking repositories are reached only through their interface: see each site\'s detail.',
    ],
    sites,
  };
  const extra = {
    'tsconfig.json': tsconfigText(outDir),
    'package.json': `${JSON.stringify({ name: 'bench-ts-project', private: true, type: 'module' }, null, 2)}\n`,
    '.gitignore': 'node_modules/\n',
    'expected.json': `${JSON.stringify(expected, null, 2)}\n`,
  };
  writeCorpus(outDir, files, extra);
  return expected;
}

function main() {
  const flags = parseFlags(process.argv.slice(2));
  const outDir = path.resolve(flags.out ?? path.join(REPO_ROOT, '.bench', 'ts-project'));
  const expected = generateTsProject({ outDir, files: parseFileCount(flags.files, 2000) });
  process.stdout.write(
    `generated ${expected.files} files (${expected.lines} lines) in ${path.relative(process.cwd(), outDir) || '.'}\n` +
      `expected (reachable): ${JSON.stringify(expected.byRule)}\n` +
      `expected (scope all): ${JSON.stringify(expected.byRuleScopeAll)}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
