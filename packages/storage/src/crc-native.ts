/**
 * The native CRC-32 and CRC-32C of `@node-rs/crc32` (SIMD CRC-32, SSE 4.2 / ARMv8 CRC-32C), loaded when it is
 * installed for this platform; `undefined` otherwise, and checksums.ts falls back to `zlib.crc32` and
 * WebAssembly. It is loaded through `createRequire` so that a bundler leaves it as a runtime dependency (its
 * loader picks a `.node` file per platform, which cannot be bundled); a bundle finds it when the package that
 * runs the bundle depends on it.
 */
import { createRequire } from 'node:module';

/** The two functions of `@node-rs/crc32` used here: standard CRCs, continued from `initialState`. */
export interface NativeCrc32 {
  crc32(input: Uint8Array, initialState?: number): number;
  crc32c(input: Uint8Array, initialState?: number): number;
}

function load(): NativeCrc32 | undefined {
  if (process.env.STRATA_NATIVE_CRC === '0') return undefined;
  try {
    const mod = createRequire(import.meta.url)('@node-rs/crc32') as Partial<NativeCrc32>;
    return typeof mod.crc32 === 'function' && typeof mod.crc32c === 'function' ? (mod as NativeCrc32) : undefined;
  } catch {
    return undefined;
  }
}

/** `@node-rs/crc32`, or undefined when it cannot be loaded (or `STRATA_NATIVE_CRC=0` turns it off). */
export const nativeCrc32: NativeCrc32 | undefined = load();
