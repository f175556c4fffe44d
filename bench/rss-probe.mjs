// Preloaded with `node --import` when GNU time is missing: Node cannot read a child's rusage, so
// the child reports its own peak RSS (KiB) on exit into the file named by BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
