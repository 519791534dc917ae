/**
 * The xxh64 hasher (XXH64, seed 0) shared by the page device, the journal and the image header: a small
 * WebAssembly module of our own (`wasm/xxh64.wat`, compiled into `xxh64-wasm.ts`), instantiated once per process.
 *
 * Why our own module: its digest is stored to wasm memory and read back as two 32-bit halves, so the page
 * device's per-page check never makes a `bigint`. A wasm `i64` result crosses into JavaScript as a BigInt (the
 * `xxhash-wasm` package then masks it, a second one), which the device split into halves through a typed array
 * again; on a cached 4 KiB page that came to about a tenth of the hash's cost (an interleaved loop on this
 * machine: 0.39 µs → 0.36 µs per 4 KiB page, digest in halves included). The values are xxHash's own (the tests
 * compare them with the reference implementation over many lengths).
 */
import { XXH64_WASM_BASE64 } from './xxh64-wasm.ts';

/** xxh64 over bytes, as a `bigint` (the journal's and the header's form: not on a per-page path). */
export type Hash64 = (data: Uint8Array) => bigint;

/**
 * xxh64 over bytes as its low and high 32-bit halves, at index 0 and 1 of the returned view. The view is the
 * hasher's own and the next call overwrites it: read both halves before hashing again.
 */
export type Hash64Halves = (data: Uint8Array) => Uint32Array;

interface Xxh64Exports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  xxh64(ptr: number, len: number, out: number): void;
}

/** The part of the WebAssembly JavaScript API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Where the input is copied in wasm memory: after the 8-byte digest, 8-byte aligned for the module's loads. */
const INPUT_AT = 16;
const WASM_PAGE = 65536;
/**
 * Wasm memory is little-endian, a `Uint32Array` reads in the host's order: on a little-endian host (x86, Arm)
 * the digest's halves are read straight from the module's memory; on a big-endian one (s390x) they are read
 * through a `DataView` into a view of their own.
 */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** One instance of the module and views of its memory (renewed when it grows). */
class Xxh64 {
  readonly #exports: Xxh64Exports;
  #bytes: Uint8Array;
  #halves: Uint32Array;
  /** The digest in wasm memory, for a big-endian host (see {@link HOST_LITTLE_ENDIAN}). */
  #digest: DataView;

  constructor() {
    // 701 bytes: compiling synchronously costs well under a millisecond, once per process.
    const module = new wasm.Module(Buffer.from(XXH64_WASM_BASE64, 'base64'));
    this.#exports = new wasm.Instance(module).exports as Xxh64Exports;
    this.#bytes = new Uint8Array(this.#exports.memory.buffer);
    this.#digest = new DataView(this.#exports.memory.buffer, 0, 8);
    this.#halves = HOST_LITTLE_ENDIAN ? new Uint32Array(this.#exports.memory.buffer, 0, 2) : new Uint32Array(2);
  }

  /** See {@link Hash64Halves}. */
  halves(data: Uint8Array): Uint32Array {
    if (INPUT_AT + data.length > this.#bytes.length) this.#grow(INPUT_AT + data.length);
    this.#bytes.set(data, INPUT_AT);
    this.#exports.xxh64(INPUT_AT, data.length, 0);
    if (!HOST_LITTLE_ENDIAN) {
      this.#halves[0] = this.#digest.getUint32(0, true);
      this.#halves[1] = this.#digest.getUint32(4, true);
    }
    return this.#halves;
  }

  /** Grows the memory to hold `bytes` (growing detaches the old buffer, so the views are made again). */
  #grow(bytes: number): void {
    const memory = this.#exports.memory;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / WASM_PAGE));
    this.#bytes = new Uint8Array(memory.buffer);
    this.#digest = new DataView(memory.buffer, 0, 8);
    if (HOST_LITTLE_ENDIAN) this.#halves = new Uint32Array(memory.buffer, 0, 2);
  }
}

let instance: Xxh64 | undefined;
const shared = (): Xxh64 => (instance ??= new Xxh64());

/** Returns xxh64 over raw bytes, seed 0, as a `bigint` (asynchronous for the callers written against a loader). */
export function loadHash64(): Promise<Hash64> {
  const x = shared();
  return Promise.resolve((data: Uint8Array) => {
    const h = x.halves(data);
    return (BigInt(h[1]!) << 32n) | BigInt(h[0]!);
  });
}

/** Returns xxh64 over raw bytes, seed 0, as two 32-bit halves ({@link Hash64Halves}): the per-page form. */
export function loadHash64Halves(): Promise<Hash64Halves> {
  const x = shared();
  return Promise.resolve((data: Uint8Array) => x.halves(data));
}
