// The blocking APIs the Python front-end knows, one entry per API, and their async equivalents.
// Kept as data so adding an API is one line.
import type { BlockingApiConfig } from '../../config.js';

export type BlockingFix =
  /** Replace the callee with an awaitable equivalent taking the same arguments. */
  | { kind: 'replace-callee'; callee: string; importModule: string }
  /** `await asyncio.to_thread(f, *args, **kwargs)`: run it off the event loop. */
  | { kind: 'to-thread' }
  /** A method of a sync client whose async client has the same methods: switch the client, await the call. */
  | { kind: 'async-client'; clientPath: string; importModule: string }
  /** A project method with an async sibling: call the sibling. */
  | { kind: 'rename'; name: string };

export interface BlockingApi {
  /** Dotted path the callee resolves to; a trailing `.*` matches every method of a client. */
  path: string;
  rule: 'blocking-sleep' | 'blocking-io';
  /** Reported only inside `async def` (harmless in sync code that no async code calls). */
  asyncContextOnly?: boolean;
  fix: BlockingFix;
  /** For messages: what to use instead. */
  replacement: string;
}

const TO_THREAD: BlockingFix = { kind: 'to-thread' };
const toThread = (path: string, asyncContextOnly = false): BlockingApi => ({
  path,
  rule: 'blocking-io',
  asyncContextOnly,
  fix: TO_THREAD,
  replacement: 'await asyncio.to_thread(…)',
});
const redisClient = (path: string): BlockingApi => ({
  path: `${path}.*`,
  rule: 'blocking-io',
  fix: { kind: 'async-client', clientPath: 'redis.asyncio.Redis', importModule: 'redis.asyncio' },
  replacement: 'an awaited redis.asyncio.Redis call',
});

export const BLOCKING_APIS: readonly BlockingApi[] = [
  { path: 'time.sleep', rule: 'blocking-sleep', fix: { kind: 'replace-callee', callee: 'asyncio.sleep', importModule: 'asyncio' }, replacement: 'await asyncio.sleep(…)' },
  toThread('requests.get'),
  toThread('requests.post'),
  toThread('requests.put'),
  toThread('requests.patch'),
  toThread('requests.delete'),
  toThread('requests.head'),
  toThread('requests.options'),
  toThread('requests.request'),
  toThread('requests.Session.*'),
  toThread('urllib.request.urlopen'),
  toThread('subprocess.run'),
  toThread('subprocess.call'),
  toThread('subprocess.check_call'),
  toThread('subprocess.check_output'),
  toThread('socket.create_connection'),
  toThread('socket.getaddrinfo'),
  toThread('socket.gethostbyname'),
  toThread('socket.socket.recv'),
  toThread('socket.socket.send'),
  toThread('socket.socket.sendall'),
  toThread('socket.socket.connect'),
  toThread('socket.socket.accept'),
  toThread('builtins.open', true),
  toThread('pathlib.Path.read_text', true),
  toThread('pathlib.Path.write_text', true),
  toThread('pathlib.Path.read_bytes', true),
  toThread('pathlib.Path.write_bytes', true),
  redisClient('redis.Redis'),
  redisClient('redis.StrictRedis'),
  redisClient('redis.client.Redis'),
];

/** Methods that block whatever the receiver, when the receiver's type is unknown (a `Path` mostly). */
export const BLOCKING_METHOD_NAMES: ReadonlySet<string> = new Set(['read_text', 'write_text', 'read_bytes', 'write_bytes']);

/** The config's `blocking` list, as table entries. */
export function configuredBlockingApis(configured: readonly BlockingApiConfig[]): BlockingApi[] {
  return configured
    .filter((entry) => entry.language === undefined || entry.language === 'python')
    .map((entry) => ({
      path: entry.call,
      rule: 'blocking-io' as const,
      fix: entry.asyncEquivalent
        ? entry.asyncEquivalent.includes('.')
          ? { kind: 'replace-callee' as const, callee: entry.asyncEquivalent, importModule: entry.module ?? entry.asyncEquivalent.replace(/\.[^.]*$/, '') }
          : { kind: 'rename' as const, name: entry.asyncEquivalent }
        : TO_THREAD,
      replacement: entry.asyncEquivalent ? `await ${entry.asyncEquivalent}(…)` : 'await asyncio.to_thread(…)',
    }));
}

export function findBlockingApi(apis: readonly BlockingApi[], path: string): BlockingApi | undefined {
  return apis.find((api) =>
    api.path.endsWith('.*') ? path.startsWith(api.path.slice(0, -1)) && !path.slice(api.path.length - 1).includes('.') : api.path === path,
  );
}
