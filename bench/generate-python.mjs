#!/usr/bin/env node
// Generates a deterministic stdlib-only Python corpus for `npm run bench`, with a known set of sites
// per rule written to expected.json (file and line of each).
//
//   node bench/generate-python.mjs [--files 1000] [--lines 0] [--out .bench/py-project]
//
// --lines N pads the modules with ordinary code (no sites) up to about N lines in all, appended after
// each module's own text so the planted sites keep their lines: issue 17 measured a 1,067-file /
// 513k-line application, whose modules are twenty times longer than the 28 lines of the plain corpus.
//
// Shape: an `app` package of features (model with a Protocol, repository, service, handler) plus
// ordinary modules, and a tiny `requests`-like package shipped in the corpus so `import requests`
// resolves without installing anything. A quarter of the features are hot: repositories call
// `requests.get/post` and `time.sleep`, reached from `async def` services through sync layers; services
// await sync methods and drop coroutines. Sync maintenance scripts block outside any async path and
// count only under `--scope all`.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SourceFile, countSites, createRng, parseFileCount, parseFlags, writeCorpus } from './lib/source-file.mjs';

export const PY_RULES = ['blocking-sleep', 'blocking-io', 'await-non-thenable', 'floating-promise'];
export const GENERATOR_VERSION = 1;
const SEED = 20240612;
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NOUNS = ['order', 'invoice', 'customer', 'product', 'shipment', 'payment', 'account', 'ticket', 'report', 'session', 'coupon', 'review', 'vendor', 'booking', 'device'];

function py(relPath, text) {
  return new SourceFile(relPath).add(text);
}

// ---------------------------------------------------------------------------------------------
// Fixed files: the requests stand-in and the shared library

function requestsPackage() {
  return py('requests/__init__.py', `"""A tiny stand-in for the \`requests\` package: same call shapes, no network."""
from __future__ import annotations

import json as _json
from typing import Any


class Response:
    def __init__(self, url: str, status_code: int = 200, body: Any = None) -> None:
        self.url = url
        self.status_code = status_code
        self._body = body if body is not None else {}

    def json(self) -> Any:
        return self._body

    @property
    def text(self) -> str:
        return _json.dumps(self._body)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HTTPError(f"{self.status_code} for {self.url}")


class HTTPError(Exception):
    pass


def get(url: str, params: dict[str, Any] | None = None, timeout: float | None = None) -> Response:
    return Response(url, 200, {"url": url, "params": params or {}})


def post(url: str, json: Any = None, timeout: float | None = None) -> Response:
    return Response(url, 201, json)`);
}

function libFiles() {
  return [
    py('app/__init__.py', '"""Synthetic application package for the async-migrate benchmark."""'),
    py('app/lib/__init__.py', ''),
    py('app/lib/audit.py', `"""An audit trail whose writes are coroutines."""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class AuditEntry:
    action: str
    subject: str
    at: float = field(default_factory=time.time)


class AuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record_async(self, action: str, subject: str) -> None:
        await asyncio.sleep(0)
        self.entries.append(AuditEntry(action, subject))

    async def flush_async(self) -> int:
        await asyncio.sleep(0)
        count = len(self.entries)
        self.entries.clear()
        return count

    def size(self) -> int:
        return len(self.entries)`),
    py('app/lib/config.py', `"""Settings shared by the features."""
from __future__ import annotations

import os

API_URL = os.environ.get("APP_API_URL", "http://localhost:8080")
RETRY_LIMIT = 3
PAGE_SIZE = 50


def endpoint(collection: str, record_id: str = "") -> str:
    base = f"{API_URL}/{collection}"
    return f"{base}/{record_id}" if record_id else base`),
  ];
}

// ---------------------------------------------------------------------------------------------
// Features

function featureNames(index) {
  const noun = NOUNS[index % NOUNS.length];
  const n = Math.floor(index / NOUNS.length);
  const mod = `${noun}_${n}`;
  const type = `${noun[0].toUpperCase()}${noun.slice(1)}${n}`;
  return { mod, type, dir: `app/features/${mod}` };
}

function pickVariant(rng, isHot) {
  if (!isHot) return { hot: false };
  return {
    hot: true,
    retrySleep: rng.chance(0.6),
    postOnSave: rng.chance(0.5),
    unreachableExport: rng.chance(0.3),
    awaitSync: rng.chance(0.6),
    floatingInService: rng.chance(0.5),
    floatingInHandler: rng.chance(0.3),
    viaProtocol: rng.chance(0.4),
  };
}

function featureModel(names) {
  const { type } = names;
  return py(`${names.dir}/model.py`, `from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class ${type}Record:
    id: str
    title: str = ""
    amount: int = 0
    tags: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "${type}Record":
        return cls(str(data.get("id", "")), str(data.get("title", "")), int(data.get("amount", 0)), list(data.get("tags", [])))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "amount": self.amount, "tags": self.tags}


class ${type}Store(Protocol):
    def load(self, record_id: str) -> ${type}Record | None: ...

    def save(self, record: ${type}Record) -> None: ...

    def count(self) -> int: ...`);
}

function featureRepository(names, v) {
  const { type, mod } = names;
  const f = new SourceFile(`${names.dir}/repository.py`);
  const reach = v.viaProtocol ? `reached only via the ${type}Store Protocol` : `reached via ${type}Repository`;
  if (!v.hot) {
    return f.add(`from __future__ import annotations

from .model import ${type}Record


class ${type}Repository:
    """Keeps records in memory; production swaps in a database-backed store."""

    def __init__(self) -> None:
        self._records: dict[str, ${type}Record] = {}

    def load(self, record_id: str) -> ${type}Record | None:
        return self._records.get(record_id)

    def save(self, record: ${type}Record) -> None:
        self._records[record.id] = record

    def count(self) -> int:
        return len(self._records)`);
  }
  f.add('from __future__ import annotations', '');
  if (v.retrySleep) f.add('import time', '');
  f.add(`import requests

from app.lib.config import RETRY_LIMIT, endpoint

from .model import ${type}Record


def fetch_record(record_id: str) -> requests.Response:`);
  f.site('blocking-io', `    return requests.get(endpoint("${mod}", record_id), timeout=5)`, `requests.get in a module helper; ${reach}`);
  f.add(`

class ${type}Repository:
    def __init__(self) -> None:
        self._cache: dict[str, ${type}Record] = {}

    def load(self, record_id: str) -> ${type}Record | None:
        if record_id in self._cache:
            return self._cache[record_id]
        for attempt in range(RETRY_LIMIT):
            response = fetch_record(record_id)
            if response.status_code == 200:
                record = ${type}Record.from_json(response.json())
                self._cache[record_id] = record
                return record`);
  if (v.retrySleep) f.site('blocking-sleep', '            time.sleep(0.05 * (attempt + 1))', `time.sleep in a retry loop; ${reach}`);
  f.add(`        return None

    def save(self, record: ${type}Record) -> None:
        self._cache[record.id] = record`);
  if (v.postOnSave) f.site('blocking-io', `        requests.post(endpoint("${mod}"), json=record.to_json(), timeout=5)`, `requests.post in a method; ${reach}`);
  f.add(`
    def count(self) -> int:
        return len(self._cache)`);
  if (v.unreachableExport) {
    // Nothing calls this: it blocks, but no async code reaches it.
    f.add(`
    def export_all(self) -> int:`);
    f.site('blocking-io', `        response = requests.post(endpoint("${mod}-export"), json=[r.to_json() for r in self._cache.values()])`, 'uncalled method', 'all');
    f.add('        return response.status_code');
  }
  return f;
}

function featureService(names, v) {
  const { type, mod } = names;
  const storeType = v.hot && v.viaProtocol ? `${type}Store` : `${type}Repository`;
  const f = new SourceFile(`${names.dir}/service.py`);
  f.add(`from __future__ import annotations

import asyncio

from app.lib.audit import AuditLog

from .model import ${type}Record, ${type}Store
from .repository import ${type}Repository


class ${type}Service:
    def __init__(self, repo: ${storeType}, audit: AuditLog) -> None:
        self.repo: ${storeType} = repo
        self.audit = audit

    def resolve(self, record_id: str) -> ${type}Record | None:
        # Sync on purpose: hot paths want the record without a scheduler hop.
        return self.repo.load(record_id)

    async def get(self, record_id: str) -> str | None:
        record = self.resolve(record_id)
        if record is None:
            return None`);
  if (v.hot && v.floatingInService) {
    f.site('floating-promise', `        self.audit.record_async("${mod}.get", record_id)`, 'dropped coroutine of an async method');
  } else {
    f.add(`        await self.audit.record_async("${mod}.get", record_id)`);
  }
  if (v.hot && v.awaitSync) {
    f.site('await-non-thenable', '        total = await self.repo.count()', 'await of a sync method in another module');
  } else {
    f.add('        total = self.repo.count()');
  }
  f.add(`        return f"{record.title} ({total} known)"

    async def update(self, record: ${type}Record) -> None:
        self.repo.save(record)
        task = asyncio.create_task(self.audit.record_async("${mod}.update", record.id))
        await task

    async def flush(self) -> int:
        return await self.audit.flush_async()


def default_service() -> ${type}Service:
    return ${type}Service(${type}Repository(), AuditLog())`);
  return f;
}

function featureHandler(names, v) {
  const { type } = names;
  const f = new SourceFile(`${names.dir}/handler.py`);
  f.add(`from __future__ import annotations

import asyncio
from typing import Any

from .model import ${type}Record
from .service import ${type}Service, default_service


async def handle_get(record_id: str, service: ${type}Service | None = None) -> dict[str, Any]:
    service = service or default_service()
    body = await service.get(record_id)
    if body is None:
        return {"status": 404, "body": "not found"}
    return {"status": 200, "body": body}


async def handle_put(record_id: str, patch: dict[str, Any], service: ${type}Service) -> dict[str, Any]:
    current = service.resolve(record_id) or ${type}Record(record_id)
    merged = ${type}Record.from_json({**current.to_json(), **patch, "id": record_id})`);
  if (v.hot && v.floatingInHandler) {
    f.site('floating-promise', '    service.update(merged)', 'dropped coroutine of an async method in another module');
  } else {
    f.add('    await service.update(merged)');
  }
  f.add(`    return {"status": 204, "body": ""}


async def handle_batch(ids: list[str], service: ${type}Service) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(handle_get(i, service) for i in ids)))`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Ordinary modules: each exports normalize() and calls the previous module's, for long sync chains.

const FILLERS = [fillerText, fillerCollections, fillerDataclass, fillerStates, fillerPipeline, fillerValidation];

function fillerHead(f, prev, extraImports = '') {
  f.add('from __future__ import annotations', '');
  if (extraImports) f.add(extraImports, '');
  if (prev) f.add(`from .${prev} import normalize as normalize_previous`, '');
}

function normalizeDef(f, prev, k) {
  const inner = prev ? 'normalize_previous(value)' : 'value';
  f.add(`

def normalize(value: str) -> str:
    value = ${inner}.strip()
    return value[:${40 + (k % 40)}]`);
}

function fillerText(f, prev, k) {
  fillerHead(f, prev, 'import re');
  f.add(`
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _NON_WORD.sub("-", text.strip().lower()).strip("-")


def truncate(text: str, limit: int = ${20 + (k % 60)}) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def word_count(text: str) -> int:
    return len([word for word in text.split() if word])


def pad_table(rows: list[list[str]]) -> str:
    widths: list[int] = []
    for row in rows:
        for i, cell in enumerate(row):
            if i >= len(widths):
                widths.append(0)
            widths[i] = max(widths[i], len(cell))
    return "\\n".join(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows)`);
  normalizeDef(f, prev, k);
}

function fillerCollections(f, prev, k) {
  fillerHead(f, prev, 'from collections import defaultdict\nfrom typing import Callable, Hashable, Iterable, TypeVar');
  f.add(`T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def chunk(items: list[T], size: int = ${2 + (k % 9)}) -> list[list[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    groups: defaultdict[K, list[T]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return dict(groups)


def unique_by(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    seen: set[Hashable] = set()
    out: list[T] = []
    for item in items:
        marker = key(item)
        if marker not in seen:
            seen.add(marker)
            out.append(item)
    return out


def partition(items: Iterable[T], test: Callable[[T], bool]) -> tuple[list[T], list[T]]:
    yes: list[T] = []
    no: list[T] = []
    for item in items:
        (yes if test(item) else no).append(item)
    return yes, no`);
  normalizeDef(f, prev, k);
}

function fillerDataclass(f, prev, k) {
  fillerHead(f, prev, 'from dataclasses import dataclass');
  f.add(`
@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str = "pcs"

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError(f"invalid quantity: {self.value}")

    def add(self, other: "Quantity") -> "Quantity":
        if other.unit != self.unit:
            raise TypeError(f"unit mismatch: {self.unit} vs {other.unit}")
        return Quantity(round(self.value + other.value, ${k % 4}), self.unit)

    def scale(self, factor: float) -> "Quantity":
        return Quantity(round(self.value * factor, ${k % 4}), self.unit)

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


def largest(quantities: list[Quantity]) -> Quantity | None:
    return max(quantities, key=lambda q: q.value, default=None)`);
  normalizeDef(f, prev, k);
}

function fillerStates(f, prev, k) {
  fillerHead(f, prev, 'from enum import Enum');
  f.add(`
class State(Enum):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


_TRANSITIONS: dict[tuple[State, str], State] = {
    (State.DRAFT, "submit"): State.REVIEW,
    (State.REVIEW, "approve"): State.APPROVED,
    (State.REVIEW, "reject"): State.REJECTED,
}


def next_state(state: State, event: str) -> State:
    if event == "archive":
        return State.ARCHIVED
    return _TRANSITIONS.get((state, event), state)


def replay(events: list[str], start: State = State.DRAFT) -> tuple[State, list[str]]:
    history: list[str] = []
    state = start
    for event in events:
        following = next_state(state, event)
        history.append(f"{state.value} -> {following.value}")
        state = following
    return state, history`);
  normalizeDef(f, prev, k);
}

function fillerPipeline(f, prev, k) {
  // Correct async code the tool must leave alone: asyncio.sleep, gather, to_thread.
  fillerHead(f, prev, 'import asyncio\nfrom typing import Awaitable, Callable, TypeVar');
  f.add(`T = TypeVar("T")

_STORE: dict[int, str] = {}


async def lookup(item_id: int) -> str | None:
    await asyncio.sleep(0)
    return _STORE.get(item_id)


async def lookup_many(ids: list[int]) -> list[str]:
    found = await asyncio.gather(*(lookup(i) for i in ids))
    return [normalize(item) for item in found if item is not None]


async def with_retry(task: Callable[[], Awaitable[T]], attempts: int = ${2 + (k % 3)}) -> T:
    last: BaseException | None = None
    for attempt in range(attempts):
        try:
            return await task()
        except Exception as error:  # noqa: BLE001 - retried, then re-raised
            last = error
            await asyncio.sleep(${(0.01 * (1 + (k % 4))).toFixed(2)} * (attempt + 1))
    assert last is not None
    raise last


async def checksum_in_thread(text: str) -> int:
    return await asyncio.to_thread(sum, (ord(c) for c in text))`);
  normalizeDef(f, prev, k);
}

function fillerValidation(f, prev, k) {
  fillerHead(f, prev, 'import re\nfrom typing import Callable, Optional');
  f.add(`Check = Callable[[str], Optional[str]]

_EMAIL = re.compile(r"^[^@\\s]+@[^@\\s]+$")


def required(value: str) -> str | None:
    return None if value.strip() else "required"


def email(value: str) -> str | None:
    return None if _EMAIL.match(value) else "invalid email"


def min_length(limit: int) -> Check:
    def check(value: str) -> str | None:
        return None if len(value) >= limit else f"at least {limit} characters"

    return check


def validate(form: dict[str, str]) -> dict[str, str]:
    rules: dict[str, list[Check]] = {
        "email": [required, email],
        "name": [required, min_length(${2 + (k % 5)})],
    }
    errors: dict[str, str] = {}
    for name, checks in rules.items():
        for check in checks:
            error = check(form.get(name, ""))
            if error:
                errors[name] = error
                break
    return errors`);
  normalizeDef(f, prev, k);
}

// ---------------------------------------------------------------------------------------------

function toolScript(k) {
  const f = new SourceFile(`app/tools/export_${String(k).padStart(3, '0')}.py`);
  f.add(`"""A maintenance script, run by hand: blocking calls are fine here."""
from __future__ import annotations

import time

import requests

from app.lib.config import endpoint


def wait_for_api(attempts: int = 3) -> bool:
    for _ in range(attempts):`);
  f.site('blocking-io', '        response = requests.get(endpoint("health"), timeout=2)', 'requests.get in a sync-only script', 'all');
  f.add(`        if response.status_code == 200:
            return True`);
  f.site('blocking-sleep', '        time.sleep(1)', 'time.sleep in a sync-only script', 'all');
  f.add(`    return False


if __name__ == "__main__":
    raise SystemExit(0 if wait_for_api() else 1)`);
  return f;
}

function planLayout(total) {
  const fixed = 5; // requests, app/__init__, app/lib/{__init__,audit,config}
  const tools = Math.max(1, Math.round(total / 200));
  const featureCount = Math.floor(((total - fixed - tools - 3) * 0.55) / 6);
  const fillerBudget = total - fixed - tools - 2 - featureCount * 6; // 2: app/features and app/tools __init__
  return { fixed, tools, featureCount, fillerBudget };
}

// ---------------------------------------------------------------------------------------------
// Padding: ordinary code appended to modules for --lines. Each block is self-contained (builtins
// only), calls the previous block's function in the same module, and mixes what real modules hold:
// classes with methods calling each other through self, dict.get, comprehensions, try/except, and
// correct async code (awaited calls only), so nothing in it is a finding.

const PAD_BLOCKS = [padRegistry, padParser, padAsyncCache, padReport];

function padRegistry(j, prev) {
  return `

class Registry${j}:
    \"\"\"Keeps named entries with a version each.\"\"\"

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, object]] = {}
        self._version = ${j % 7}

    def put(self, key: str, value: object) -> None:
        entry = self._entries.get(key) or {}
        entry["value"] = value
        entry["version"] = self._bump()
        self._entries[key] = entry

    def get(self, key: str, default: object = None) -> object:
        entry = self._entries.get(key)
        return default if entry is None else entry.get("value", default)

    def _bump(self) -> int:
        self._version += 1
        return self._version

    def keys_like(self, prefix: str) -> list[str]:
        return sorted(key for key in self._entries if key.startswith(prefix))


def registry_summary_${j}(items: dict[str, object]) -> str:
    registry = Registry${j}()
    for key, value in items.items():
        registry.put(key, value)
    keys = registry.keys_like("${String.fromCharCode(97 + (j % 26))}")
    head = ${prev ? `${prev}(", ".join(keys))` : '", ".join(keys)'}
    return f"{head}: {len(keys)} of {len(items)}"`;
}

function padParser(j, prev) {
  return `

def parse_pairs_${j}(text: str, separator: str = "=") -> dict[str, str]:
    pairs: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or separator not in line:
            continue
        key, _, value = line.partition(separator)
        pairs[key.strip().lower()] = value.strip()
    return pairs


def coerce_${j}(value: str) -> int | float | bool | str:
    lowered = value.lower()
    if lowered in ("true", "yes", "on"):
        return True
    if lowered in ("false", "no", "off"):
        return False
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return ${prev ? `${prev}(value)` : 'value'}


def parse_settings_${j}(text: str) -> dict[str, int | float | bool | str]:
    return {key: coerce_${j}(value) for key, value in parse_pairs_${j}(text).items() if key}`;
}

function padAsyncCache(j, prev) {
  return `

class Cache${j}:
    def __init__(self, limit: int = ${8 + (j % 24)}) -> None:
        self.limit = limit
        self.hits = 0
        self.misses = 0
        self._data: dict[str, str] = {}

    async def fetch(self, key: str) -> str:
        found = self._data.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        value = await self.compute(key)
        self.store(key, value)
        return value

    async def compute(self, key: str) -> str:
        return ${prev ? `${prev}(key.upper())` : 'key.upper()'}

    def store(self, key: str, value: str) -> None:
        if len(self._data) >= self.limit:
            oldest = next(iter(self._data))
            del self._data[oldest]
        self._data[key] = value

    def ratio(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


async def warm_cache_${j}(keys: list[str]) -> float:
    cache = Cache${j}()
    for key in keys:
        await cache.fetch(key)
    return cache.ratio()`;
}

function padReport(j, prev) {
  return `

def summarize_${j}(rows: list[dict[str, object]], field: str = "amount") -> dict[str, float]:
    values = [float(row.get(field, 0) or 0) for row in rows if isinstance(row, dict)]
    if not values:
        return {"count": 0.0, "total": 0.0, "mean": 0.0}
    total = sum(values)
    return {"count": float(len(values)), "total": total, "mean": total / len(values)}


def render_${j}(rows: list[dict[str, object]]) -> str:
    stats = summarize_${j}(rows)
    lines = [f"{name:>8}: {value:10.2f}" for name, value in sorted(stats.items())]
    label = ${prev ? `${prev}("report ${j}")` : '"report ${j}"'}
    return "\\n".join([label, *lines])`;
}

/**
 * Appends blocks to `f` until it has at least `target` lines. Every block ends with a plain
 * `pad_text_<j>(str) -> str` the next block calls, so the module is one long sync call chain.
 */
function pad(f, target, seed) {
  let prev;
  for (let j = seed; f.lines.length < target; j++) {
    const block = PAD_BLOCKS[j % PAD_BLOCKS.length];
    f.add(block(j, prev));
    const name = `pad_text_${j}`;
    f.add(`

def ${name}(text: str) -> str:
    return ${prev ? `${prev}(text).strip()` : 'text.strip()'}`);
    prev = name;
  }
}

function buildFiles(total) {
  const rng = createRng(SEED);
  const layout = planLayout(total);
  const files = [requestsPackage(), ...libFiles(), py('app/features/__init__.py', ''), py('app/tools/__init__.py', '')];
  for (let i = 0; i < layout.featureCount; i++) {
    const names = featureNames(i);
    const variant = pickVariant(rng, i % 4 === 1);
    files.push(
      py(`${names.dir}/__init__.py`, ''),
      featureModel(names),
      featureRepository(names, variant),
      featureService(names, variant),
      featureHandler(names, variant),
    );
    // A sixth file per feature keeps the share of ordinary code realistic: a pure helpers module.
    files.push(py(`${names.dir}/helpers.py`, `from __future__ import annotations


def describe(title: str, amount: int) -> str:
    return f"{title or '(untitled)'}: {amount / 100:.2f}"`));
  }
  // Fillers live in packages of up to 25 modules, each package with its __init__.py.
  let k = 0;
  let pkg = 0;
  let budget = layout.fillerBudget;
  while (budget > 0) {
    const dir = `app/pkg_${String(pkg).padStart(3, '0')}`;
    files.push(py(`${dir}/__init__.py`, ''));
    budget -= 1;
    for (let pos = 0; pos < 25 && budget > 0; pos++, k++, budget--) {
      const template = FILLERS[k % FILLERS.length];
      const name = (t, p) => `${t.name.replace('filler', '').toLowerCase()}_${p}`;
      const prev = pos === 0 ? undefined : name(FILLERS[(k - 1) % FILLERS.length], pos - 1);
      const f = new SourceFile(`${dir}/${name(template, pos)}.py`);
      template(f, prev, k);
      files.push(f);
    }
    pkg += 1;
  }
  for (let i = 0; i < layout.tools; i++) files.push(toolScript(i));
  if (files.length !== total) throw new Error(`layout bug: ${files.length} files for ${total}`);
  return { files, layout };
}

/** Writes the corpus into `outDir` and returns the expected.json content. */
export function generatePythonProject({ outDir, files: total = 1000, lines: targetLines = 0 }) {
  const { files, layout } = buildFiles(total);
  if (targetLines > 0) {
    // Padding goes to the modules with a body (not the empty __init__.py files), evenly.
    const bodies = files.filter((f) => f.lines.some((line) => line.trim() !== ''));
    const have = files.reduce((sum, f) => sum + f.lines.length, 0);
    const each = Math.max(0, Math.ceil((targetLines - have) / bodies.length));
    bodies.forEach((f, index) => pad(f, f.lines.length + each, index * 7));
  }
  const sites = files.flatMap((f) => f.sites);
  const expected = {
    generator: 'bench/generate-python.mjs',
    version: GENERATOR_VERSION,
    language: 'python',
    seed: SEED,
    files: total,
    paddedTo: targetLines,
    lines: files.reduce((sum, f) => sum + f.lines.length, 0),
    layout,
    ...countSites(sites, PY_RULES),
    notes: [
      'byRule: findings expected from `check --language python` with the default --scope reachable; byRuleScopeAll: with --scope all.',
      '`requests` is a stand-in package shipped in the corpus (requests/__init__.py); calls of it count as blocking-io.',
    ],
    sites,
  };
  const extra = {
    'pyproject.toml': '[project]\nname = "bench-py-project"\nversion = "0.0.0"\nrequires-python = ">=3.10"\n',
    '.gitignore': '__pycache__/\n',
    'expected.json': `${JSON.stringify(expected, null, 2)}\n`,
  };
  writeCorpus(outDir, files, extra);
  return expected;
}

function main() {
  const flags = parseFlags(process.argv.slice(2));
  const outDir = path.resolve(flags.out ?? path.join(REPO_ROOT, '.bench', 'py-project'));
  const lines = flags.lines === undefined ? 0 : Number(flags.lines);
  if (!Number.isInteger(lines) || lines < 0) throw new Error(`--lines must be a whole number, got ${flags.lines}`);
  const expected = generatePythonProject({ outDir, files: parseFileCount(flags.files, 1000), lines });
  process.stdout.write(
    `generated ${expected.files} files (${expected.lines} lines) in ${path.relative(process.cwd(), outDir) || '.'}\n` +
      `expected (reachable): ${JSON.stringify(expected.byRule)}\n` +
      `expected (scope all): ${JSON.stringify(expected.byRuleScopeAll)}\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
