import path from 'node:path';

/** A path relative to the report root with `/` separators, as the report contract wants. */
export function toReportPath(root: string, absolute: string): string {
  const relative = path.relative(root, absolute);
  return (relative === '' ? '.' : relative).split(path.sep).join('/');
}

/** 1-based line and column of an offset. `lineStarts` from `computeLineStarts`. */
export function lineAndColumn(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - lineStarts[low]! + 1 };
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) starts.push(i + 1);
    else if (ch === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}
