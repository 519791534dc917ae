/**
 * The xxh64 hasher shared by the page device and the journal. `xxhash-wasm` instantiates a WebAssembly module
 * asynchronously, so it is created once per process and reused (its `h64Raw` is synchronous afterwards).
 */
import xxhash from 'xxhash-wasm';

/** The synchronous xxh64 function over bytes, after the one-time async init. */
export type Hash64 = (data: Uint8Array) => bigint;

let loading: Promise<Hash64> | undefined;

/** Loads (once) and returns xxh64 over raw bytes, seed 0. */
export function loadHash64(): Promise<Hash64> {
  loading ??= xxhash().then((api) => (data: Uint8Array) => api.h64Raw(data));
  return loading;
}
