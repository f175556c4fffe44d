import { createTwoFilesPatch } from 'diff';
import { Chalk } from 'chalk';

/** A unified diff of one file, colored on request. */
export function unifiedDiff(file: string, before: string, after: string, color: boolean): string {
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, '', '', { context: 3 });
  const body = patch.split('\n').slice(1).join('\n'); // drop the "=====" line
  if (!color) return body;
  const chalk = new Chalk({ level: 1 });
  return body
    .split('\n')
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? chalk.bold(line)
        : line.startsWith('+')
          ? chalk.green(line)
          : line.startsWith('-')
            ? chalk.red(line)
            : line.startsWith('@@')
              ? chalk.cyan(line)
              : line,
    )
    .join('\n');
}
