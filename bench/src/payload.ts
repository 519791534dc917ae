/** Seeded payloads, so every tier moves the same bytes and a run replays exactly. */
import { createHash } from 'node:crypto';

/** Deterministic bytes for a seed: SHA-256 in counter mode (fast enough for benchmark setup). */
export function payload(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let counter = 0;
  for (let off = 0; off < size; off += 32) {
    const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
    block.copy(out, off, 0, Math.min(32, size - off));
  }
  return out;
}

/** `4 KiB`, `64 MiB`: the size label used in scenario names. */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
