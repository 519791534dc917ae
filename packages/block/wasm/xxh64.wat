;; XXH64 (xxHash's 64-bit hash, seed 0) over bytes in linear memory, for @strata/block's hash.ts.
;;
;; Why a module of our own: the digest is stored to memory (two little-endian 32-bit halves at `out`), so it never
;; crosses into JavaScript as a BigInt; the page device hashes every page it reads or writes and compares halves.
;; The algorithm is the reference one (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md, "XXH64"):
;; four accumulators over 32-byte stripes, their merge, then 8-, 4- and 1-byte tails and the avalanche. Rounds and
;; primes are written out in place (no calls, no globals), which V8 compiles to straight-line code.
;;
;; Rebuild after a change: `node scripts/build-xxh64.mjs` (needs `wat2wasm` from wabt); it rewrites
;; src/xxh64-wasm.ts. The tests check the result against the reference implementation for many lengths.
(module
  (memory (export "memory") 1)
  (func $round (param $acc i64) (param $input i64) (result i64)
    (i64.mul (i64.rotl (i64.add (local.get $acc) (i64.mul (local.get $input) (i64.const 0xC2B2AE3D27D4EB4F))) (i64.const 31)) (i64.const 0x9E3779B185EBCA87)))
  (func $merge (param $acc i64) (param $val i64) (result i64)
    (i64.add (i64.mul (i64.xor (local.get $acc) (call $round (i64.const 0) (local.get $val))) (i64.const 0x9E3779B185EBCA87)) (i64.const 0x85EBCA77C2B2AE63)))
  ;; xxh64 of `len` bytes at `ptr` with seed 0, stored little-endian at `out` (8 bytes).
  (func (export "xxh64") (param $ptr i32) (param $len i32) (param $out i32)
    (local $end i32) (local $limit i32) (local $h i64)
    (local $v1 i64) (local $v2 i64) (local $v3 i64) (local $v4 i64)
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (if (i32.ge_u (local.get $len) (i32.const 32))
      (then
        (local.set $limit (i32.sub (local.get $end) (i32.const 32)))
        (local.set $v1 (i64.add (i64.const 0x9E3779B185EBCA87) (i64.const 0xC2B2AE3D27D4EB4F)))
        (local.set $v2 (i64.const 0xC2B2AE3D27D4EB4F))
        (local.set $v3 (i64.const 0))
        (local.set $v4 (i64.sub (i64.const 0) (i64.const 0x9E3779B185EBCA87)))
        (loop $stripes
          (local.set $v1 (i64.mul (i64.rotl (i64.add (local.get $v1) (i64.mul (i64.load (local.get $ptr)) (i64.const 0xC2B2AE3D27D4EB4F))) (i64.const 31)) (i64.const 0x9E3779B185EBCA87)))
          (local.set $v2 (i64.mul (i64.rotl (i64.add (local.get $v2) (i64.mul (i64.load offset=8 (local.get $ptr)) (i64.const 0xC2B2AE3D27D4EB4F))) (i64.const 31)) (i64.const 0x9E3779B185EBCA87)))
          (local.set $v3 (i64.mul (i64.rotl (i64.add (local.get $v3) (i64.mul (i64.load offset=16 (local.get $ptr)) (i64.const 0xC2B2AE3D27D4EB4F))) (i64.const 31)) (i64.const 0x9E3779B185EBCA87)))
          (local.set $v4 (i64.mul (i64.rotl (i64.add (local.get $v4) (i64.mul (i64.load offset=24 (local.get $ptr)) (i64.const 0xC2B2AE3D27D4EB4F))) (i64.const 31)) (i64.const 0x9E3779B185EBCA87)))
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 32)))
          (br_if $stripes (i32.le_u (local.get $ptr) (local.get $limit))))
        (local.set $h (i64.add (i64.add (i64.rotl (local.get $v1) (i64.const 1)) (i64.rotl (local.get $v2) (i64.const 7)))
                               (i64.add (i64.rotl (local.get $v3) (i64.const 12)) (i64.rotl (local.get $v4) (i64.const 18)))))
        (local.set $h (call $merge (local.get $h) (local.get $v1)))
        (local.set $h (call $merge (local.get $h) (local.get $v2)))
        (local.set $h (call $merge (local.get $h) (local.get $v3)))
        (local.set $h (call $merge (local.get $h) (local.get $v4))))
      (else (local.set $h (i64.const 0x27D4EB2F165667C5))))
    (local.set $h (i64.add (local.get $h) (i64.extend_i32_u (local.get $len))))
    (block $done8
      (loop $eights
        (br_if $done8 (i32.gt_u (i32.add (local.get $ptr) (i32.const 8)) (local.get $end)))
        (local.set $h (i64.add (i64.mul (i64.rotl (i64.xor (local.get $h) (call $round (i64.const 0) (i64.load (local.get $ptr)))) (i64.const 27)) (i64.const 0x9E3779B185EBCA87)) (i64.const 0x85EBCA77C2B2AE63)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 8)))
        (br $eights)))
    (if (i32.le_u (i32.add (local.get $ptr) (i32.const 4)) (local.get $end))
      (then
        (local.set $h (i64.add (i64.mul (i64.rotl (i64.xor (local.get $h) (i64.mul (i64.load32_u (local.get $ptr)) (i64.const 0x9E3779B185EBCA87))) (i64.const 23)) (i64.const 0xC2B2AE3D27D4EB4F)) (i64.const 0x165667B19E3779F9)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))))
    (block $done1
      (loop $ones
        (br_if $done1 (i32.ge_u (local.get $ptr) (local.get $end)))
        (local.set $h (i64.mul (i64.rotl (i64.xor (local.get $h) (i64.mul (i64.load8_u (local.get $ptr)) (i64.const 0x27D4EB2F165667C5))) (i64.const 11)) (i64.const 0x9E3779B185EBCA87)))
        (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
        (br $ones)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 33))) (i64.const 0xC2B2AE3D27D4EB4F)))
    (local.set $h (i64.mul (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 29))) (i64.const 0x165667B19E3779F9)))
    (local.set $h (i64.xor (local.get $h) (i64.shr_u (local.get $h) (i64.const 32))))
    (i64.store (local.get $out) (local.get $h)))
)
