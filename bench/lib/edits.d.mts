export function seededRandom(seed: number): () => number;
export function editFiles(files: readonly string[], options: { seed: number; percent: number }): string[];
