// The bench baseline (bench/baseline.json): per command, wall time, CPU time and peak RSS as ratios
// to `tsc --noEmit` measured in the same run. Ratios, because absolute seconds on a shared machine
// say more about the neighbours than about the code. Pure functions; bench/run.mjs does the I/O.

/** A ratio that grew by more than this against the baseline is flagged in the comparison. */
export const BASELINE_TOLERANCE = 0.1;

/** `m` and `tsc`: { median (wall s), cpuMedian (user+system s), peakMiB }, any of which may be missing. */
export function ratiosOf(m, tsc) {
  const ratio = (value, base) => (value !== undefined && base ? Number((value / base).toFixed(3)) : undefined);
  return { wall: ratio(m.median, tsc.median), cpu: ratio(m.cpuMedian, tsc.cpuMedian), rss: ratio(m.peakMiB, tsc.peakMiB) };
}

/** The run as a baseline: tsc's absolute numbers, and every other command that worked relative to them. */
export function baselineOf(measurements, { corpus, machine, commit, date }) {
  const tsc = measurements.find((m) => m.name === 'tsc');
  if (!tsc) return undefined;
  const commands = {};
  for (const m of measurements) if (m.name !== 'tsc' && m.ok) commands[m.name] = ratiosOf(m, tsc);
  const round = (value, digits) => (value === undefined ? undefined : Number(value.toFixed(digits)));
  return {
    note: 'Written by `node bench/run.mjs --update-baseline`: each command as a ratio to `tsc --noEmit` on the TypeScript corpus in the same run (wall = median wall time, cpu = median user+system time, rss = peak RSS).',
    date,
    commit,
    corpus,
    machine,
    tsc: { wallSeconds: round(tsc.median, 2), cpuSeconds: round(tsc.cpuMedian, 2), peakMiB: round(tsc.peakMiB, 0) },
    commands,
  };
}

/**
 * Per command, the ratios now against the baseline's, as table rows; `grown` names the commands
 * whose wall, CPU or RSS ratio grew by more than the tolerance; `note` says why nothing was compared.
 */
export function compareWithBaseline(current, baseline) {
  if (!baseline) return { rows: [], grown: [], note: 'no baseline: run with --update-baseline to write one' };
  // Ratios depend on the corpus size: compared only on the same TypeScript corpus (and, for the
  // Python command, the same Python corpus).
  if (baseline.corpus?.files !== current.corpus.files) {
    return { rows: [], grown: [], note: `the baseline was measured on ${baseline.corpus?.files} TypeScript files, this run on ${current.corpus.files}: not compared` };
  }
  const cell = (now, then) => {
    if (now === undefined || then === undefined) return '?';
    const change = now / then - 1;
    return `${then.toFixed(2)}x -> ${now.toFixed(2)}x (${change >= 0 ? '+' : ''}${(change * 100).toFixed(0)}%)`;
  };
  const rows = [];
  const grown = [];
  for (const [name, now] of Object.entries(current.commands)) {
    const then = baseline.commands?.[name];
    if (!then) {
      rows.push([name, 'not in baseline', '', '', '']);
      continue;
    }
    if (name.startsWith('py-') && (baseline.corpus?.pyFiles !== current.corpus.pyFiles || (baseline.corpus?.pyLines ?? 0) !== (current.corpus.pyLines ?? 0))) {
      const size = (corpus) => `${corpus?.pyFiles} Python files${corpus?.pyLines ? ` / ${corpus.pyLines} lines` : ''}`;
      rows.push([name, `baseline on ${size(baseline.corpus)}, not ${size(current.corpus)}`, '', '', '']);
      continue;
    }
    const keys = ['wall', 'cpu', 'rss'].filter((key) => now[key] !== undefined && then[key] !== undefined && now[key] > then[key] * (1 + BASELINE_TOLERANCE));
    if (keys.length) grown.push(`${name} (${keys.join(', ')})`);
    rows.push([name, cell(now.wall, then.wall), cell(now.cpu, then.cpu), cell(now.rss, then.rss), keys.length ? `grew: ${keys.join(', ')}` : '']);
  }
  return { rows, grown };
}
