// A full garbage collection at a phase boundary where most of what a phase allocated has just died.
// V8 collects its old generation when it reaches a limit set at the previous collection (up to about
// four times the heap then live), so a phase's dead temporaries can stay in memory long after it:
// on a large Python project the last collection came midway through the analysis, and the peak of
// the run was the analysis's dead objects still held while the plan and the edits were made
// (bench/README.md, "Python: branch `pymem`"). Asked through the inspector protocol
// (HeapProfiler.collectGarbage, which also gives the freed pages back): no `--expose-gc`, no re-spawn.
import type { Session } from 'node:inspector';

let session: Session | undefined;

/** Collects; resolves when done (the protocol runs it as a task). Does nothing where the inspector is unavailable. */
export async function collectGarbage(): Promise<void> {
  let open = session;
  try {
    // Imported here: a Node built without the inspector throws on importing it.
    if (!open) {
      const { Session: InspectorSession } = await import('node:inspector');
      open = session = new InspectorSession();
      open.connect();
    }
  } catch {
    // Only memory is at stake: the run goes on as it would have.
    return;
  }
  await new Promise<void>((resolve) => {
    try {
      open.post('HeapProfiler.collectGarbage', () => resolve());
    } catch {
      resolve();
    }
  });
}
