// @vitest-environment jsdom
// The Markdown report of the bundled example (its golden file, which report-example.test.ts keeps
// equal to the real output) renders: its Mermaid block is parsed by Mermaid's own parser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mermaid from 'mermaid';
import { beforeAll, describe, expect, it } from 'vitest';
import { GOLDEN_DIR } from './report-helpers.js';

describe('fixtures/example Markdown report', () => {
  beforeAll(() => {
    mermaid.initialize({ startOnLoad: false });
  });

  it('has a Mermaid flowchart that Mermaid parses', async () => {
    const markdown = readFileSync(join(GOLDEN_DIR, 'example.md'), 'utf8');
    const blocks = [...markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((match) => match[1]!);
    expect(blocks).toHaveLength(1);
    await expect(mermaid.parse(blocks[0]!)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });
});
