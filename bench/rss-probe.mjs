// Preloaded with `node --import` when GNU time is missing: Node cannot read a child's rusage, so
// the child reports its own peak RSS (KiB) and user and system CPU seconds on exit into the file
// named by BENCH_RSS_FILE, in GNU time's `%M %U %S` order.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(target, `${usage.maxRSS} ${usage.userCPUTime / 1e6} ${usage.systemCPUTime / 1e6}`);
  });
}
