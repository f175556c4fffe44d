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
  | { kind: 'rename'; name: string }
  /** No rewrite provably keeps the behaviour: the finding says what a person should do. */
  | { kind: 'report'; suggestion: string };

export interface BlockingApi {
  /** Dotted path the callee resolves to; a trailing `.*` matches every method of a client. */
  path: string;
  rule: 'blocking-sleep' | 'blocking-io';
  /** Reported only inside `async def` (harmless in sync code that no async code calls). */
  asyncContextOnly?: boolean;
  fix: BlockingFix;
  /** For messages: what to use instead. */
  replacement: string;
  /** The async API to move to, named in the message beside a thread wrap (markdown: names in backticks). */
  asyncEquivalent?: string;
  /**
   * The object's `__exit__` blocks too (it closes a file, waits for a process): a method call inside
   * the `with` block that binds it is reported, not wrapped, since the block is the blocking unit.
   */
  exitBlocks?: boolean;
  /**
   * It returns a file object whose reads and writes come later: the call runs in a thread only where
   * every use of that object is a file method that does too (`f = open(p)`, then `f.read()`).
   */
  opensFile?: boolean;
  /**
   * It sends what calls on its receiver queued since a client built it (`pipe.execute()` after
   * `pipe = r.pipeline()`): the statements from that building call to this one are the unit to run
   * in a thread.
   */
  sendsQueued?: boolean;
  /** A project method's `x_async` sibling, matched by name alone: moving to it is an unsafe fix. */
  siblingByName?: boolean;
}

const TO_THREAD: BlockingFix = { kind: 'to-thread' };
const THREAD_WRAP = 'await asyncio.to_thread(…)';

interface EntryOptions {
  asyncContextOnly?: boolean;
  asyncEquivalent?: string;
  exitBlocks?: boolean;
  opensFile?: boolean;
}

const toThread = (path: string, options: EntryOptions = {}): BlockingApi => ({
  path,
  rule: 'blocking-io',
  ...(options.asyncContextOnly ? { asyncContextOnly: true } : {}),
  ...(options.asyncEquivalent ? { asyncEquivalent: options.asyncEquivalent } : {}),
  ...(options.exitBlocks ? { exitBlocks: true } : {}),
  ...(options.opensFile ? { opensFile: true } : {}),
  fix: TO_THREAD,
  replacement: THREAD_WRAP,
});
/** Every `methods` of each class in `classes`, run in a thread. */
const methodsToThread = (classes: readonly string[], methods: readonly string[], options: EntryOptions = {}): BlockingApi[] =>
  classes.flatMap((cls) => methods.map((method) => toThread(`${cls}.${method}`, options)));
const reportOnly = (path: string, suggestion: string): BlockingApi => ({
  path,
  rule: 'blocking-io',
  fix: { kind: 'report', suggestion },
  replacement: suggestion,
});
const redisClient = (path: string): BlockingApi => ({
  path: `${path}.*`,
  rule: 'blocking-io',
  fix: { kind: 'async-client', clientPath: 'redis.asyncio.Redis', importModule: 'redis.asyncio' },
  replacement: 'an awaited redis.asyncio.Redis call',
});

/** redis-py: a client's `pipeline()` builds a `redis.client.Pipeline`; its commands only queue, `execute()` sends them. */
const REDIS_PIPELINE = 'redis.client.Pipeline';
const redisPipelineExecute: BlockingApi = {
  path: `${REDIS_PIPELINE}.execute`,
  rule: 'blocking-io',
  sendsQueued: true,
  fix: TO_THREAD,
  replacement: THREAD_WRAP,
  asyncEquivalent: 'a `redis.asyncio` client, whose pipeline runs with `await pipe.execute()`',
};
const REDIS_CLIENTS = ['redis.Redis', 'redis.StrictRedis', 'redis.client.Redis'] as const;

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'] as const;
const ASYNC_HTTP = 'an `httpx.AsyncClient`';
const ASYNC_EXEC = '`asyncio.create_subprocess_exec`';
const ASYNC_SHELL = '`asyncio.create_subprocess_shell`';
const ASYNC_FILES = '`aiofiles.open` / `anyio.open_file`';

const HTTPX_STREAM = 'move the `with` block that reads the stream into a sync function and `await asyncio.to_thread(…)` it, or use `async with client.stream(…)` on an `httpx.AsyncClient`';

const HTTPX = ['httpx', 'httpx2'] as const;
/** ASYNC212: the methods of a sync httpx client that send a request (or close its pool). */
const HTTPX_CLIENT_METHODS = [...HTTP_METHODS, 'send', 'close'] as const;
/** ASYNC211/212: urllib3's pools and managers; each method that sends a request. */
const URLLIB3_POOLS = [
  'urllib3.PoolManager',
  'urllib3.ProxyManager',
  'urllib3.HTTPConnectionPool',
  'urllib3.HTTPSConnectionPool',
  'urllib3.poolmanager.PoolManager',
  'urllib3.poolmanager.ProxyManager',
  'urllib3.connectionpool.HTTPConnectionPool',
  'urllib3.connectionpool.HTTPSConnectionPool',
] as const;
const URLLIB3_REQUEST_METHODS = ['request', 'urlopen', 'request_encode_url', 'request_encode_body'] as const;

/** ASYNC232: the concrete file classes `open()` and its kin return (not StringIO/BytesIO, which are in memory). */
const FILE_TYPES = ['io.TextIOWrapper', 'io.BufferedReader', 'io.BufferedWriter', 'io.BufferedRandom', 'io.FileIO'] as const;
/**
 * The file methods that do I/O. `fileno`, `isatty`, `readable`/`writable`/`seekable`, `tell` and the
 * attributes (`name`, `mode`, `closed`) do none worth a thread.
 */
export const FILE_METHODS: readonly string[] = ['read', 'read1', 'readall', 'readinto', 'readinto1', 'readline', 'readlines', 'write', 'writelines', 'flush', 'seek', 'truncate', 'close'];
const FILE = { asyncContextOnly: true, asyncEquivalent: ASYNC_FILES } as const;

/** A call that opens, reads or writes a file of the file system (not a pipe to a process). */
export function isFileApi(api: BlockingApi): boolean {
  return api.asyncEquivalent === ASYNC_FILES;
}
const OPENS_FILE = { ...FILE, opensFile: true } as const;
/** What a file object offers besides FILE_METHODS: no I/O, so a use of it keeps the object off the loop. */
export const FILE_QUIET_MEMBERS: ReadonlySet<string> = new Set(['name', 'mode', 'closed', 'encoding', 'errors', 'newlines', 'fileno', 'isatty', 'readable', 'writable', 'seekable', 'tell']);

/** ASYNC221/222: `os` process calls that run a program or wait for one. */
const OS_SPAWN = ['spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv', 'spawnve', 'spawnvp', 'spawnvpe'] as const;
const OS_WAIT = ['wait', 'wait3', 'wait4', 'waitid', 'waitpid'] as const;

export const BLOCKING_APIS: readonly BlockingApi[] = [
  // ASYNC251
  { path: 'time.sleep', rule: 'blocking-sleep', fix: { kind: 'replace-callee', callee: 'asyncio.sleep', importModule: 'asyncio' }, replacement: 'await asyncio.sleep(…)' },
  // ASYNC210: HTTP calls.
  ...HTTP_METHODS.map((method) => toThread(`requests.${method}`, { asyncEquivalent: ASYNC_HTTP })),
  toThread('requests.Session.*', { asyncEquivalent: ASYNC_HTTP }),
  toThread('urllib.request.urlopen', { asyncEquivalent: ASYNC_HTTP }),
  // urlopen's response reads the body from the socket.
  ...methodsToThread(['http.client.HTTPResponse'], ['read', 'read1', 'readinto', 'readline', 'readlines'], { asyncEquivalent: ASYNC_HTTP }),
  // httpx2 is the maintained continuation of httpx, with the same API.
  ...HTTPX.flatMap((httpx) => HTTP_METHODS.map((method) => toThread(`${httpx}.${method}`, { asyncEquivalent: ASYNC_HTTP }))),
  toThread('urllib3.request', { asyncEquivalent: ASYNC_HTTP }),
  // ASYNC212: sync httpx clients; ASYNC211: urllib3 pools.
  ...methodsToThread(HTTPX.map((httpx) => `${httpx}.Client`), HTTPX_CLIENT_METHODS, { asyncEquivalent: ASYNC_HTTP }),
  ...methodsToThread(URLLIB3_POOLS, URLLIB3_REQUEST_METHODS, { asyncEquivalent: ASYNC_HTTP }),
  // A streamed response is read in the `with` block that follows: a thread around the call moves none of it.
  ...HTTPX.flatMap((httpx) => [reportOnly(`${httpx}.stream`, HTTPX_STREAM), reportOnly(`${httpx}.Client.stream`, HTTPX_STREAM)]),
  // ASYNC220/221/222: processes.
  toThread('subprocess.run', { asyncEquivalent: ASYNC_EXEC }),
  toThread('subprocess.call', { asyncEquivalent: ASYNC_EXEC }),
  toThread('subprocess.check_call', { asyncEquivalent: ASYNC_EXEC }),
  toThread('subprocess.check_output', { asyncEquivalent: ASYNC_EXEC }),
  toThread('subprocess.getoutput', { asyncEquivalent: ASYNC_SHELL }),
  toThread('subprocess.getstatusoutput', { asyncEquivalent: ASYNC_SHELL }),
  // The Popen object lives on: its pipes, `wait()` and `communicate()` differ under asyncio's Process.
  reportOnly('subprocess.Popen', 'start it with `await asyncio.create_subprocess_exec(…)` (or `_shell`) and await its `communicate()`/`wait()`, or move the code that uses the process into a sync function and `await asyncio.to_thread(…)` it'),
  ...methodsToThread(['subprocess.Popen'], ['communicate', 'wait'], { asyncEquivalent: 'the `asyncio.subprocess.Process` of `asyncio.create_subprocess_exec`', exitBlocks: true }),
  toThread('os.system', { asyncEquivalent: ASYNC_SHELL }),
  toThread('os.popen', { asyncEquivalent: ASYNC_SHELL, opensFile: true }),
  toThread('os.posix_spawn', { asyncEquivalent: ASYNC_EXEC }),
  toThread('os.posix_spawnp', { asyncEquivalent: ASYNC_EXEC }),
  ...OS_SPAWN.map((name) => toThread(`os.${name}`, { asyncEquivalent: ASYNC_EXEC })),
  ...OS_WAIT.map((name) => toThread(`os.${name}`)),
  // Sockets.
  toThread('socket.create_connection', { asyncEquivalent: '`asyncio.open_connection`' }),
  toThread('socket.getaddrinfo', { asyncEquivalent: '`loop.getaddrinfo`' }),
  toThread('socket.gethostbyname', { asyncEquivalent: '`loop.getaddrinfo`' }),
  toThread('socket.socket.recv', { asyncEquivalent: '`loop.sock_recv`' }),
  toThread('socket.socket.send', { asyncEquivalent: '`loop.sock_sendall`' }),
  toThread('socket.socket.sendall', { asyncEquivalent: '`loop.sock_sendall`' }),
  toThread('socket.socket.connect', { asyncEquivalent: '`loop.sock_connect`' }),
  toThread('socket.socket.accept', { asyncEquivalent: '`loop.sock_accept`' }),
  // ASYNC230/231: opening files; ASYNC232: file objects. Counted inside `async def` only.
  toThread('builtins.open', OPENS_FILE),
  toThread('io.open', OPENS_FILE),
  toThread('io.open_code', OPENS_FILE),
  toThread('os.fdopen', OPENS_FILE),
  toThread('pathlib.Path.open', OPENS_FILE),
  ...methodsToThread(FILE_TYPES, FILE_METHODS, { ...FILE, exitBlocks: true }),
  toThread('pathlib.Path.read_text', FILE),
  toThread('pathlib.Path.write_text', FILE),
  toThread('pathlib.Path.read_bytes', FILE),
  toThread('pathlib.Path.write_bytes', FILE),
  toThread('pathlib.Path.touch', FILE),
  // ASYNC250: the console is a file too.
  toThread('builtins.input', { asyncContextOnly: true }),
  ...REDIS_CLIENTS.map(redisClient),
  redisPipelineExecute,
];

/** What a call outside the project returns, for the APIs whose result has blocking methods. */
export const RESULT_TYPES: ReadonlyMap<string, string> = new Map([
  ['builtins.open', 'io.TextIOWrapper'],
  ['io.open', 'io.TextIOWrapper'],
  ['os.fdopen', 'io.TextIOWrapper'],
  ['os.popen', 'io.TextIOWrapper'],
  ['pathlib.Path.open', 'io.TextIOWrapper'],
  ['io.open_code', 'io.BufferedReader'],
  ['urllib.request.urlopen', 'http.client.HTTPResponse'],
  ['urllib3.connection_from_url', 'urllib3.HTTPConnectionPool'],
  ['urllib3.PoolManager.connection_from_url', 'urllib3.HTTPConnectionPool'],
  ['urllib3.PoolManager.connection_from_host', 'urllib3.HTTPConnectionPool'],
  ...REDIS_CLIENTS.map((client) => [`${client}.pipeline`, REDIS_PIPELINE] as const),
]);

/**
 * Builder types: each method returns the object itself (`r.pipeline().set(k, v).execute()`), except
 * the ones listed.
 */
export const SELF_RETURNING_TYPES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [REDIS_PIPELINE, new Set(['execute', 'watch', 'unwatch', 'multi', 'reset', 'immediate_execute_command', 'pipeline_execute_command'])],
]);

/**
 * ASYNC211: `x.request("GET", …)` on an object the resolver cannot type, in a module that imports
 * urllib3, is likely a pool's request. Reported, not rewritten: a thread around an async method
 * would hand back an unawaited coroutine.
 */
export const LIKELY_POOL_REQUEST = {
  module: 'urllib3',
  method: 'request',
  httpMethods: new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace', 'connect']),
  suggestion: 'if it is a urllib3 pool, use `await asyncio.to_thread(…)`, or an `httpx.AsyncClient`',
} as const;

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
      replacement: entry.asyncEquivalent ? `await ${entry.asyncEquivalent}(…)` : THREAD_WRAP,
    }));
}

/** Exact paths by table, and the `.*` entries in table order: looked up on every call. */
const indexes = new WeakMap<readonly BlockingApi[], { exact: Map<string, BlockingApi>; wildcards: BlockingApi[] }>();

function indexOf(apis: readonly BlockingApi[]): { exact: Map<string, BlockingApi>; wildcards: BlockingApi[] } {
  let index = indexes.get(apis);
  if (index) return index;
  index = { exact: new Map(), wildcards: [] };
  for (const api of apis) {
    if (api.path.endsWith('.*')) index.wildcards.push(api);
    else if (!index.exact.has(api.path)) index.exact.set(api.path, api);
  }
  indexes.set(apis, index);
  return index;
}

export function findBlockingApi(apis: readonly BlockingApi[], path: string): BlockingApi | undefined {
  const { exact, wildcards } = indexOf(apis);
  const wildcard = wildcards.find((api) => path.startsWith(api.path.slice(0, -1)) && !path.slice(api.path.length - 1).includes('.'));
  const found = exact.get(path);
  if (!wildcard || !found) return found ?? wildcard;
  // The first in table order wins, as a linear scan would decide (config entries come first).
  return apis.indexOf(found) < apis.indexOf(wildcard) ? found : wildcard;
}
