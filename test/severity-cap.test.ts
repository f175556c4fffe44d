// A finding's severity cap (RuleHit.severityCap): an await-non-thenable finding the tool cannot prove
// is at most `warning` even when the config raises the rule to `error`, a rule configured lower stays
// lower, and a provable one follows the config. Both languages go through the engine's one rule.
import { afterEach, describe, expect, it } from 'vitest';
import { capSeverity } from '../src/model.js';
import { runCli } from './support/cli.js';
import { jsonReport, makeProject, removeProjects } from './support/project.js';

afterEach(removeProjects);

const TS_SOURCE = `export async function run(task: () => void): Promise<number> {
  await task();
  return await count();
}

function count(): number {
  return 1;
}
`;

const PY_PROTOCOL = `from typing import Protocol


class Sender(Protocol):
    def send(self, text: str) -> None:
        ...


def size() -> int:
    return 1


async def deliver(sender: Sender) -> int:
    await sender.send("hi")
    return await size()
`;

/** Severity per line of the await-non-thenable findings of `check` under the config's rules. */
async function severities(files: Record<string, string>, rules: Record<string, string> | undefined): Promise<Record<number, string>> {
  const config: Record<string, string> = rules ? { 'async-migrate.config.json': JSON.stringify({ rules }) } : {};
  const dir = makeProject({ ...files, ...config });
  const result = await runCli(['check', '.', '--format', 'json'], dir);
  expect(result.stderr).toBe('');
  const findings = jsonReport(result).findings.filter((finding) => finding.rule === 'await-non-thenable');
  return Object.fromEntries(findings.map((finding) => [finding.line, finding.severity]));
}

describe('severity caps', () => {
  it('lowers to the cap, never raises, and an absent cap keeps the severity', () => {
    expect(capSeverity('error', 'warning')).toBe('warning');
    expect(capSeverity('error', 'info')).toBe('info');
    expect(capSeverity('info', 'warning')).toBe('info');
    expect(capSeverity('warning', undefined)).toBe('warning');
  });

  it.each([
    ['the default', undefined, { 2: 'warning', 3: 'error' }],
    ['a rule raised to error', { 'await-non-thenable': 'error' }, { 2: 'warning', 3: 'error' }],
    ['a rule lowered to info', { 'await-non-thenable': 'info' }, { 2: 'info', 3: 'info' }],
  ])('TypeScript, %s: an await on a `void` result is at most warning, one on a number follows the config', async (_name, rules, expected) => {
    expect(await severities({ 'src/run.ts': TS_SOURCE }, rules)).toEqual(expected);
  });

  it.each([
    ['the default', undefined, { 14: 'warning', 15: 'error' }],
    ['a rule raised to error', { 'await-non-thenable': 'error' }, { 14: 'warning', 15: 'error' }],
    ['a rule lowered to info', { 'await-non-thenable': 'info' }, { 14: 'info', 15: 'info' }],
  ])('Python, %s: an await on a Protocol stub is at most warning, one on a plain function follows the config', async (_name, rules, expected) => {
    expect(await severities({ 'deliver.py': PY_PROTOCOL }, rules)).toEqual(expected);
  });
});
