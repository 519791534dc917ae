/**
 * CRC-32C and CRC-64/NVME in WebAssembly: the slicing-by-8 scheme of crc.ts, compiled from the text module
 * (kept below as the source of the bytes), with 64-bit table entries in one load for CRC-64 — which JavaScript,
 * lacking a 64-bit integer other than BigInt, must split in two halves. The bytes to hash are copied into the
 * module's memory (1 MiB at a time); the copy costs a few percent of the hash.
 *
 * Measured on the development machine (Node 20, x86-64, 1 MiB updates, GiB/s): CRC-64/NVME 0.13–0.18 in
 * JavaScript, 0.6–1.2 here (0.9–1.2 with aws-crt's native code); CRC-32C 0.33–0.78 in JavaScript, 0.8–1.8
 * here. The table in checksums.ts gives every figure and the choice per algorithm.
 *
 * The module (wat2wasm of this text gives the bytes below):
 * ```wat
 * (module
 *   ;; Slicing-by-8 reflected CRCs. The host fills the tables at 0 (8 tables of 256 entries: table k at
 *   ;; k*2048 for 64-bit entries, at k*1024 for 32-bit ones) and puts the bytes to hash at 16384.
 *   ;; Written out flat: V8 does not inline small wasm functions, and calls halve the speed.
 *   (memory (export "memory") 17)
 *   (func (export "crc64") (param $crc i64) (param $len i32) (result i64)
 *     (local $p i32) (local $end i32) (local $x i64)
 *     (local.set $p (i32.const 16384))
 *     (local.set $end (i32.add (i32.const 16384) (local.get $len)))
 *     (block $done8
 *       (loop $l8
 *         (br_if $done8 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $end)))
 *         (local.set $x (i64.xor (local.get $crc) (i64.load (local.get $p))))
 *         (local.set $crc
 *           (i64.xor
 *             (i64.xor
 *               (i64.xor
 *                 (i64.load offset=14336 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 0)) (i64.const 255))) (i32.const 3)))
 *                 (i64.load offset=12288 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 8)) (i64.const 255))) (i32.const 3))))
 *               (i64.xor
 *                 (i64.load offset=10240 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 16)) (i64.const 255))) (i32.const 3)))
 *                 (i64.load offset=8192 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 24)) (i64.const 255))) (i32.const 3)))))
 *             (i64.xor
 *               (i64.xor
 *                 (i64.load offset=6144 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 32)) (i64.const 255))) (i32.const 3)))
 *                 (i64.load offset=4096 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 40)) (i64.const 255))) (i32.const 3))))
 *               (i64.xor
 *                 (i64.load offset=2048 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 48)) (i64.const 255))) (i32.const 3)))
 *                 (i64.load offset=0 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 56)) (i64.const 255))) (i32.const 3)))))))
 *         (local.set $p (i32.add (local.get $p) (i32.const 8)))
 *         (br $l8)))
 *     (block $done
 *       (loop $l1
 *         (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
 *         (local.set $x (i64.xor (local.get $crc) (i64.load8_u (local.get $p))))
 *         (local.set $crc (i64.xor (i64.load offset=0 (i32.shl (i32.wrap_i64 (i64.and (i64.shr_u (local.get $x) (i64.const 0)) (i64.const 255))) (i32.const 3)))
 *                                  (i64.shr_u (local.get $crc) (i64.const 8))))
 *         (local.set $p (i32.add (local.get $p) (i32.const 1)))
 *         (br $l1)))
 *     (local.get $crc))
 *   (func (export "crc32") (param $crc i32) (param $len i32) (result i32)
 *     (local $p i32) (local $end i32) (local $x i32) (local $y i32)
 *     (local.set $p (i32.const 16384))
 *     (local.set $end (i32.add (i32.const 16384) (local.get $len)))
 *     (block $done8
 *       (loop $l8
 *         (br_if $done8 (i32.gt_u (i32.add (local.get $p) (i32.const 8)) (local.get $end)))
 *         (local.set $x (i32.xor (local.get $crc) (i32.load (local.get $p))))
 *         (local.set $y (i32.load offset=4 (local.get $p)))
 *         (local.set $crc
 *           (i32.xor
 *             (i32.xor
 *               (i32.xor
 *                 (i32.load offset=7168 (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 2)))
 *                 (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 255)) (i32.const 2))))
 *               (i32.xor
 *                 (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 255)) (i32.const 2)))
 *                 (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $x) (i32.const 24)) (i32.const 2)))))
 *             (i32.xor
 *               (i32.xor
 *                 (i32.load offset=3072 (i32.shl (i32.and (local.get $y) (i32.const 255)) (i32.const 2)))
 *                 (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $y) (i32.const 8)) (i32.const 255)) (i32.const 2))))
 *               (i32.xor
 *                 (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $y) (i32.const 16)) (i32.const 255)) (i32.const 2)))
 *                 (i32.load offset=0 (i32.shl (i32.shr_u (local.get $y) (i32.const 24)) (i32.const 2)))))))
 *         (local.set $p (i32.add (local.get $p) (i32.const 8)))
 *         (br $l8)))
 *     (block $done
 *       (loop $l1
 *         (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
 *         (local.set $x (i32.xor (local.get $crc) (i32.load8_u (local.get $p))))
 *         (local.set $crc (i32.xor (i32.load offset=0 (i32.shl (i32.and (local.get $x) (i32.const 255)) (i32.const 2)))
 *                                  (i32.shr_u (local.get $crc) (i32.const 8))))
 *         (local.set $p (i32.add (local.get $p) (i32.const 1)))
 *         (br $l1)))
 *     (local.get $crc))
 * )
 * ```
 */
import type { CrcState } from './crc.ts';

const MODULE_BASE64 = [
  'AGFzbQEAAAABDQJgAn5/AX5gAn9/AX8DAwIAAQUDAQARBxoDBm1lbW9yeQIABWNyYzY0AAAFY3JjMzIAAQr0AwKCAgICfwF+QYCA',
  'ASECQYCAASABaiEDAkADQCACQQhqIANLDQEgACACKQMAhSEEIARCAIhC/wGDp0EDdCkDgHAgBEIIiEL/AYOnQQN0KQOAYIUgBEIQ',
  'iEL/AYOnQQN0KQOAUCAEQhiIQv8Bg6dBA3QpA4BAhYUgBEIgiEL/AYOnQQN0KQOAMCAEQiiIQv8Bg6dBA3QpA4AghSAEQjCIQv8B',
  'g6dBA3QpA4AQIARCOIhC/wGDp0EDdCkDAIWFhSEAIAJBCGohAgwACwsCQANAIAIgA08NASAAIAIxAACFIQQgBEIAiEL/AYOnQQN0',
  'KQMAIABCCIiFIQAgAkEBaiECDAALCyAAC+0BAQR/QYCAASECQYCAASABaiEDAkADQCACQQhqIANLDQEgACACKAIAcyEEIAIoAgQh',
  'BSAEQf8BcUECdCgCgDggBEEIdkH/AXFBAnQoAoAwcyAEQRB2Qf8BcUECdCgCgCggBEEYdkECdCgCgCBzcyAFQf8BcUECdCgCgBgg',
  'BUEIdkH/AXFBAnQoAoAQcyAFQRB2Qf8BcUECdCgCgAggBUEYdkECdCgCAHNzcyEAIAJBCGohAgwACwsCQANAIAIgA08NASAAIAIt',
  'AABzIQQgBEH/AXFBAnQoAgAgAEEIdnMhACACQQFqIQIMAAsLIAAL',
].join('');

/** Where the module reads the bytes to hash, and how many it reads per call. */
const DATA_OFFSET = 16384;
const DATA_BYTES = 1024 * 1024;

/** The parts of the WebAssembly API used here (the compiler's Node types do not declare it). */
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface CrcExports {
  memory: WasmMemory;
  crc64(crc: bigint, length: number): bigint;
  crc32(crc: number, length: number): number;
}

let compiled: object | undefined;

/** A module instance with its own memory (tables and data area); only called where WebAssembly exists. */
function instantiate(): CrcExports {
  const api = wasmApi as WasmApi;
  compiled ??= new api.Module(Buffer.from(MODULE_BASE64, 'base64'));
  return new api.Instance(compiled).exports as CrcExports;
}

/** Writes the slicing-by-8 tables of a reflected 64-bit polynomial at the start of `memory`. */
function fillTables64(memory: WasmMemory, poly: bigint): void {
  const t = new BigUint64Array(memory.buffer, 0, 8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    t[n] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n] as bigint;
      t[k * 256 + n] = (prev >> 8n) ^ (t[Number(prev & 0xffn)] as bigint);
    }
  }
}

/** Writes the slicing-by-8 tables of a reflected 32-bit polynomial at the start of `memory`. */
function fillTables32(memory: WasmMemory, poly: number): void {
  const t = new Uint32Array(memory.buffer, 0, 8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n] as number;
      t[k * 256 + n] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
}

/** Feeds `data` through `step` a module-sized piece at a time. */
function feed(memory: WasmMemory, data: Uint8Array, step: (length: number) => void): void {
  const area = new Uint8Array(memory.buffer, DATA_OFFSET, DATA_BYTES);
  for (let off = 0; off < data.length; off += DATA_BYTES) {
    const piece = data.subarray(off, Math.min(off + DATA_BYTES, data.length));
    area.set(piece);
    step(piece.length);
  }
}

/**
 * A factory of running reflected 64-bit CRCs (init and xorout all ones) for `poly`, or undefined where
 * WebAssembly is unavailable. One instance serves every running CRC of the factory: updates are synchronous.
 */
export function wasmCrc64Family(poly: bigint): (() => CrcState) | undefined {
  if (wasmApi === undefined) return undefined;
  // Instantiated at the first use: a process that never hashes keeps no module memory.
  let wasm: CrcExports | undefined;
  return () => {
    if (wasm === undefined) {
      wasm = instantiate();
      fillTables64(wasm.memory, poly);
    }
    const module = wasm;
    let crc = 0xffffffffffffffffn;
    return {
      update(data) {
        feed(module.memory, data, (length) => {
          crc = BigInt.asUintN(64, module.crc64(BigInt.asIntN(64, crc), length));
        });
      },
      digest() {
        const b = Buffer.alloc(8);
        b.writeBigUInt64BE(crc ^ 0xffffffffffffffffn);
        return b;
      },
    };
  };
}

/** Like {@link wasmCrc64Family} for a reflected 32-bit polynomial (init and xorout 0xFFFFFFFF). */
export function wasmCrc32Family(poly: number): (() => CrcState) | undefined {
  if (wasmApi === undefined) return undefined;
  let wasm: CrcExports | undefined;
  return () => {
    if (wasm === undefined) {
      wasm = instantiate();
      fillTables32(wasm.memory, poly);
    }
    const module = wasm;
    let crc = 0xffffffff;
    return {
      update(data) {
        feed(module.memory, data, (length) => {
          crc = module.crc32(crc | 0, length) >>> 0;
        });
      },
      digest() {
        const b = Buffer.alloc(4);
        b.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
        return b;
      },
    };
  };
}
