// The propagation as a Mermaid flowchart: root causes -> functions turned async -> entry points (the
// async functions nothing else waits on). Built only from `asyncFunctions[].because`, since that is
// all the report keeps of the call graph.
import { posix } from 'node:path';
import type { AsyncFunctionEntry, Report } from '../model.js';
import { plural } from './text.js';

/** Above this many nodes a per-function chart stops being readable (and GitHub stops rendering it). */
export const DEFAULT_NODE_CAP = 60;

export interface PropagationChart {
  /** The `flowchart` source, without the Markdown fence. */
  mermaid: string;
  /** Nodes of the full per-function graph (functions and root causes). */
  nodeCount: number;
  /** Set when the chart was collapsed: one node per file, or per directory when files are too many. */
  collapsedTo?: 'files' | 'directories';
}

type NodeKind = 'function' | 'root' | 'external';

interface GraphNode {
  key: string;
  label: string;
  /** The file the node lives in, for grouping; undefined for `--make-async` targets and the like. */
  file: string | undefined;
  kind: NodeKind;
}

interface PropagationGraph {
  nodes: Map<string, GraphNode>;
  /** `from -> to`: `to` turned async because of `from`. */
  edges: Map<string, { from: string; to: string }>;
}

export function propagationFlowchart(report: Report, cap: number = DEFAULT_NODE_CAP): PropagationChart {
  const graph = buildGraph(report.asyncFunctions);
  const nodeCount = graph.nodes.size;
  if (nodeCount <= cap) return { mermaid: detailedChart(graph), nodeCount };
  const collapsed = collapsedChart(graph, cap);
  return { mermaid: collapsed.mermaid, nodeCount, collapsedTo: collapsed.level };
}

function buildGraph(entries: readonly AsyncFunctionEntry[]): PropagationGraph {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, { from: string; to: string }>();
  const indicesByName = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    nodes.set(`f${index}`, { key: `f${index}`, label: entry.name, file: entry.file, kind: 'function' });
    indicesByName.set(entry.name, [...(indicesByName.get(entry.name) ?? []), index]);
  });

  // `because` holds names only; two functions can share one, so prefer the one in the same file.
  const resolve = (step: string, isLast: boolean, nearFile: string | undefined): string => {
    const candidates = indicesByName.get(step);
    if (candidates !== undefined) {
      const sameFile = candidates.find((index) => entries[index]?.file === nearFile);
      return `f${sameFile ?? candidates[0]}`;
    }
    const kind: NodeKind = isLast ? 'root' : 'external';
    const key = `${kind}:${step}`;
    if (!nodes.has(key)) nodes.set(key, { key, label: step, file: isLast ? rootCauseFile(step) : undefined, kind });
    return key;
  };

  entries.forEach((entry, index) => {
    let dependent = `f${index}`;
    entry.because.forEach((step, position) => {
      const cause = resolve(step, position === entry.because.length - 1, nodes.get(dependent)?.file ?? entry.file);
      if (cause !== dependent) edges.set(`${cause}->${dependent}`, { from: cause, to: dependent });
      dependent = cause;
    });
  });
  return { nodes, edges };
}

/** `src/retry.ts:12 blocking-sleep` -> `src/retry.ts`; a `--make-async` target has no file. */
function rootCauseFile(reason: string): string | undefined {
  return /^(\S+?):\d+(?::\d+)?\s/.exec(reason)?.[1];
}

function entryPointKeys(graph: PropagationGraph): Set<string> {
  const causes = new Set([...graph.edges.values()].map((edge) => edge.from));
  return new Set([...graph.nodes.values()].filter((n) => n.kind === 'function' && !causes.has(n.key)).map((n) => n.key));
}

const CLASS_DEFS = [
  '  classDef root fill:#fde2e1,stroke:#c0392b,color:#000',
  '  classDef entry fill:#e3f2e1,stroke:#2e7d32,color:#000',
];

function detailedChart(graph: PropagationGraph): string {
  const ids = new Map<string, string>();
  [...graph.nodes.keys()].forEach((key, index) => ids.set(key, `n${index}`));
  const id = (key: string): string => ids.get(key) ?? key;
  const entryPoints = entryPointKeys(graph);
  const lines = ['flowchart LR', ...CLASS_DEFS];

  const nodeLine = (node: GraphNode): string =>
    node.kind === 'root' ? `${id(node.key)}(${mermaidLabel(node.label)})` : `${id(node.key)}[${mermaidLabel(node.label)}]`;
  const byFile = groupBy([...graph.nodes.values()], (node) => node.file);
  sortedGroupKeys(byFile).forEach((file, index) => {
    const members = byFile.get(file) ?? [];
    if (file === undefined) {
      for (const node of members) lines.push(`  ${nodeLine(node)}`);
      return;
    }
    lines.push(`  subgraph file${index}[${mermaidLabel(file)}]`);
    for (const node of members) lines.push(`    ${nodeLine(node)}`);
    lines.push('  end');
  });
  for (const edge of graph.edges.values()) lines.push(`  ${id(edge.from)} --> ${id(edge.to)}`);

  const roots = [...graph.nodes.values()].filter((node) => node.kind === 'root').map((node) => id(node.key));
  if (roots.length > 0) lines.push(`  class ${roots.join(',')} root`);
  if (entryPoints.size > 0) lines.push(`  class ${[...entryPoints].map(id).join(',')} entry`);
  return `${lines.join('\n')}\n`;
}

function collapsedChart(graph: PropagationGraph, cap: number): { mermaid: string; level: 'files' | 'directories' } {
  // Files first; while there are still too many groups, climb one directory level at a time.
  let depth = 0;
  let groupOf = (node: GraphNode): string => groupPath(node.file, depth);
  let groups = groupBy([...graph.nodes.values()], groupOf);
  const deepest = Math.max(0, ...[...graph.nodes.values()].map((node) => node.file?.split('/').length ?? 0));
  while (groups.size > cap && depth < deepest) {
    depth += 1;
    const atDepth = depth;
    groupOf = (node) => groupPath(node.file, atDepth);
    groups = groupBy([...graph.nodes.values()], groupOf);
  }

  const entryPoints = entryPointKeys(graph);
  const keys = sortedGroupKeys(groups);
  const ids = new Map(keys.map((key, index) => [key, `g${index}`]));
  const lines = ['flowchart LR', ...CLASS_DEFS];
  const rootGroups: string[] = [];
  const entryGroups: string[] = [];
  for (const key of keys) {
    const members = groups.get(key) ?? [];
    const functions = members.filter((n) => n.kind !== 'root').length;
    const roots = members.length - functions;
    const entries = members.filter((n) => entryPoints.has(n.key)).length;
    const counts = [
      functions > 0 ? plural(functions, 'async function') : '',
      roots > 0 ? plural(roots, 'root cause') : '',
      entries > 0 ? plural(entries, 'entry point') : '',
    ].filter((text) => text !== '');
    const groupId = ids.get(key) ?? key;
    lines.push(`  ${groupId}[${mermaidLabel(key, counts.join(', '))}]`);
    if (roots > 0) rootGroups.push(groupId);
    else if (entries === members.length) entryGroups.push(groupId);
  }

  const edgeCounts = new Map<string, number>();
  const nodeGroup = (key: string): string => {
    const node = graph.nodes.get(key);
    return node === undefined ? key : groupOf(node);
  };
  for (const edge of graph.edges.values()) {
    const from = ids.get(nodeGroup(edge.from));
    const to = ids.get(nodeGroup(edge.to));
    if (from === undefined || to === undefined || from === to) continue;
    edgeCounts.set(`${from} ${to}`, (edgeCounts.get(`${from} ${to}`) ?? 0) + 1);
  }
  for (const [pair, count] of edgeCounts) {
    const [from, to] = pair.split(' ');
    lines.push(`  ${from} -->|${count}| ${to}`);
  }
  if (rootGroups.length > 0) lines.push(`  class ${rootGroups.join(',')} root`);
  if (entryGroups.length > 0) lines.push(`  class ${entryGroups.join(',')} entry`);
  return { mermaid: `${lines.join('\n')}\n`, level: depth === 0 ? 'files' : 'directories' };
}

const NO_FILE_GROUP = '(targets and other causes)';

function groupPath(file: string | undefined, depth: number): string {
  if (file === undefined) return NO_FILE_GROUP;
  let path = file;
  for (let level = 0; level < depth; level += 1) {
    const parent = posix.dirname(path);
    if (parent === path) break;
    path = parent;
  }
  return depth > 0 && path !== '.' ? `${path}/` : path;
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [item]);
    else members.push(item);
  }
  return groups;
}

// `area2` before `area10`: numbered files and directories read in their order.
const PATH_ORDER = new Intl.Collator('en', { numeric: true });

/** Files in path order, with the group of file-less nodes last, so the output is stable. */
function sortedGroupKeys<K extends string | undefined>(groups: Map<K, unknown>): K[] {
  return [...groups.keys()].sort((a, b) => {
    if (a === b) return 0;
    if (a === undefined || a === NO_FILE_GROUP) return 1;
    if (b === undefined || b === NO_FILE_GROUP) return -1;
    return PATH_ORDER.compare(a, b);
  });
}


const MERMAID_ENTITIES: Record<string, string> = {
  '#': '#35;',
  '"': '#quot;',
  '<': '#lt;',
  '>': '#gt;',
  '&': '#amp;',
  '`': '#96;',
};

/**
 * A quoted Mermaid label. Mermaid decodes `#name;` / `#code;` entities, so every character that could
 * end the quote, open a markdown string or read as HTML is written as one; lines join with `<br/>`.
 */
export function mermaidLabel(...lines: string[]): string {
  const escaped = lines.map((line) => line.replace(/\s+/g, ' ').replace(/[#"<>&`]/g, (c) => MERMAID_ENTITIES[c] ?? c));
  return `"${escaped.join('<br/>')}"`;
}
