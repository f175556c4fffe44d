// @vitest-environment jsdom
// The propagation chart parsed by Mermaid's own parser (mermaid needs a DOM; jsdom provides it).
import mermaid from 'mermaid';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/model.js';
import { formatMarkdown } from '../src/report/markdown.js';
import { mermaidLabel, propagationFlowchart } from '../src/report/mermaid.js';
import { expectGolden, largeReport, loadSampleReport } from './report-helpers.js';

function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^(`{3,})mermaid\n([\s\S]*?)\n\1$/gm)].map((match) => match[2] ?? '');
}

async function expectParses(source: string): Promise<void> {
  // mermaid.parse throws on a syntax error; with suppressErrors it would return false instead.
  await expect(mermaid.parse(source)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
}

interface ParsedFlowchart {
  /** Node id -> label as Mermaid will show it. */
  labels: Map<string, string>;
  edges: number;
  subgraphs: { title: string; nodes: string[] }[];
}

interface FlowchartDb {
  getVertices(): Map<string, { id: string; text?: string }>;
  getEdges(): unknown[];
  getSubGraphs(): { title: string; nodes: string[] }[];
}

/** What Mermaid understood: parsing alone accepts some wrong labels (`["say "hi""]` parses). */
async function parseFlowchart(source: string): Promise<ParsedFlowchart> {
  await expectParses(source);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
  const db = diagram.db as unknown as FlowchartDb;
  const labels = new Map([...db.getVertices().values()].map((vertex) => [vertex.id, decodeEntities(vertex.text ?? '')]));
  const subgraphs = db.getSubGraphs().map((subgraph) => ({ title: decodeEntities(subgraph.title), nodes: subgraph.nodes }));
  return { labels, edges: db.getEdges().length, subgraphs };
}

// Mermaid keeps `#quot;` / `#35;` as private placeholders until it renders; undo them the way it does.
function decodeEntities(text: string): string {
  const named: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
  return text
    .replace(/\ufb02\u00b0\u00b0(\d+)\u00b6\u00df/g, (_whole, code: string) => String.fromCharCode(Number(code)))
    .replace(/\ufb02\u00b0(\w+)\u00b6\u00df/g, (whole, name: string) => named[name] ?? whole);
}

beforeAll(() => {
  mermaid.initialize({ startOnLoad: false });
});

describe('propagation flowchart', () => {
  it('the parser rejects a broken chart, so passing means something', async () => {
    await expect(mermaid.parse('flowchart LR\n  a["x"] --> [')).rejects.toThrow();
    await expect(mermaid.parse('flowchart LR\n  a["x"]]')).rejects.toThrow();
    await expect(mermaid.parse('flowchart LR\n  subgraph s\n  a')).rejects.toThrow();
  });

  it('parses for the sample report, one node per function and root cause, grouped by file', async () => {
    const blocks = mermaidBlocks(formatMarkdown(loadSampleReport()));
    expect(blocks).toHaveLength(1);
    const parsed = await parseFlowchart(blocks[0] ?? '');
    expect([...parsed.labels.values()].sort()).toEqual([
      '--make-async Cache.*',
      'Cache.get',
      'KnowledgeBase.load',
      'KnowledgeBase.search',
      'Retrier.backoff',
      'Retrier.run',
      'answer',
      'handle<"T"> #1',
      'src/kb/store.ts:41 blocking-io',
      'src/retry.ts:12 blocking-sleep',
    ]);
    expect(parsed.edges).toBe(7);
    expect(parsed.subgraphs.map((subgraph) => [subgraph.title, subgraph.nodes.length])).toEqual([
      ['src/app.ts', 2],
      ['src/cache.ts', 1],
      ['src/kb/store.ts', 3],
      ['src/retry.ts', 3],
    ]);
    expect(blocks[0]).toContain('subgraph file3["src/retry.ts"]');
    expect(blocks[0]).toContain('n7 --> n0');
  });

  it('escapes labels that would break the syntax', async () => {
    const nasty = ['end', 'a"b', 'x;y', '%% not a comment', '`md`', '<script>alert(1)</script>', 'a#b', '[x]{y}(z)', 'a|b'];
    const sample = loadSampleReport();
    const report: Report = {
      ...sample,
      asyncFunctions: nasty.map((name, index) => ({
        name,
        file: index % 2 === 0 ? 'src/we ird "dir"/end.ts' : 'src/subgraph.ts',
        line: index + 1,
        because: index === 0 ? ['src/x.ts:1 blocking-io'] : [nasty[index - 1] ?? ''],
      })),
    };
    const chart = propagationFlowchart(report);
    expect(chart.collapsedTo).toBeUndefined();
    const parsed = await parseFlowchart(chart.mermaid);
    expect(new Set(parsed.labels.values())).toEqual(new Set([...nasty, 'src/x.ts:1 blocking-io']));
    expect(parsed.subgraphs.map((subgraph) => subgraph.title).sort()).toEqual(['src/subgraph.ts', 'src/we ird "dir"/end.ts', 'src/x.ts']);
    expect(mermaidLabel('a"<b>#1`', 'second')).toBe('"a#quot;#lt;b#gt;#35;1#96;<br/>second"');
  });

  it('collapses 500 functions to one node per file, says so, and still parses', async () => {
    const report = largeReport(500);
    const markdown = formatMarkdown(report);
    expect(markdown).toMatch(/The propagation has 51\d nodes, more than 60 can show readably, so the chart shows one node per file/);
    const [block = ''] = mermaidBlocks(markdown);
    const parsed = await parseFlowchart(block);
    expect(parsed.labels.size).toBe(50);
    expectGolden('large-chart.mmd', `${block}\n`);
    const nodeLines = block.split('\n').filter((line) => /^ {2}g\d+\[/.test(line));
    expect(nodeLines.length).toBeLessThanOrEqual(60);
    expect(block).toMatch(/g\d+\["src\/area0\/module0\.ts<br\/>10 async functions, 1 root cause"\]/);
    expect(block).toMatch(/g\d+ -->\|\d+\| g\d+/);
  });

  it('climbs to directories when even the files are too many', async () => {
    const chart = propagationFlowchart(largeReport(500), 20);
    expect(chart.collapsedTo).toBe('directories');
    expect((await parseFlowchart(chart.mermaid)).labels.size).toBe(10); // 50 files in 10 directories
    expect(chart.mermaid).toContain('["src/area0/<br/>');
  });

  it('a small report stays per function below the cap', () => {
    const chart = propagationFlowchart(largeReport(5));
    expect(chart.collapsedTo).toBeUndefined();
    expect(chart.nodeCount).toBe(6);
    expectGolden('small-chart.mmd', chart.mermaid);
  });
});
