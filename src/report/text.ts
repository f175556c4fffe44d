// Small text helpers the reporters share.
import { createHash } from 'node:crypto';

/** `1 entry`, `2 entries`: a count with its noun. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** A stable 32-hex-digit fingerprint of `text` (SARIF's partialFingerprints, GitLab's fingerprint). */
export function fingerprintHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
