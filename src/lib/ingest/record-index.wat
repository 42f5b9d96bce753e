;; The record index's byte loop (record-index.ts) with 128-bit SIMD: 64 bytes per step, as bit masks of where the
;; quotes, line feeds, carriage returns and bytes outside ASCII are. Quote parity over a block is the prefix XOR of
;; its quote mask, so a block with none of those bytes (most of them) costs a few instructions, and a line feed
;; costs one count-trailing-zeros. The rules are RecordIndexer's, bit for bit; record-index.test.ts compares the two.
;;
;; The page copies each step's bytes into this module's memory (a window) and calls `scan`; the state between
;; calls is in the exported globals, which the page sets before and reads after each call.
;;
;; It also writes where each delimiter outside quotes stands, and for each record how many of them came before
;; it: with both, the page finds any field of any record without reading the record again (chunk-screen.ts).
(module
  (memory (export "memory") 1)

  ;; Quotes seen so far in the chunk, modulo 2: 1 while inside a quoted field.
  (global $parity (export "parity") (mut i32) (i32.const 0))
  ;; Chunk position where the record being read started.
  (global $last (export "last") (mut i32) (i32.const 0))
  ;; Chunk position before which the bytes are valid UTF-8; -1 once an invalid sequence was met.
  (global $valid (export "valid") (mut i32) (i32.const 0))
  ;; 1 while every quote and carriage return stands where DuckDB reads it as quote parity does.
  (global $regular (export "regular") (mut i32) (i32.const 1))
  ;; Record starts written by the last call.
  (global $written (export "written") (mut i32) (i32.const 0))
  (global $delimiter (export "delimiter") (mut i32) (i32.const 0x2c))
  ;; Delimiters outside quotes from the chunk's start, and as many before the record being read ($last).
  (global $fields (export "fields") (mut i32) (i32.const 0))
  (global $fieldsAtLast (export "fieldsAtLast") (mut i32) (i32.const 0))
  ;; Delimiter positions written by the last call.
  (global $delimitersWritten (export "delimitersWritten") (mut i32) (i32.const 0))
  ;; Line feeds and carriage returns outside quotes from the chunk's start: the engine reads a later chunk with the
  ;; header's line ending, so the page screens a chunk only where every line ends that way.
  (global $lineFeeds (export "lineFeeds") (mut i32) (i32.const 0))
  (global $carriageReturns (export "carriageReturns") (mut i32) (i32.const 0))

  ;; Where each byte of the 64 at $p equals $a, $b, $c or $d, one bit per byte.
  (func $anyOf (param $p i32) (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result i64)
    (call $bits
      (call $isAny (v128.load offset=0 align=1 (local.get $p)) (local.get $a) (local.get $b) (local.get $c) (local.get $d))
      (call $isAny (v128.load offset=16 align=1 (local.get $p)) (local.get $a) (local.get $b) (local.get $c) (local.get $d))
      (call $isAny (v128.load offset=32 align=1 (local.get $p)) (local.get $a) (local.get $b) (local.get $c) (local.get $d))
      (call $isAny (v128.load offset=48 align=1 (local.get $p)) (local.get $a) (local.get $b) (local.get $c) (local.get $d))))

  ;; All ones in each byte of $v that equals $a, $b, $c or $d.
  (func $isAny (param $v v128) (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $a)) (i8x16.eq (local.get $v) (local.get $b)))
             (v128.or (i8x16.eq (local.get $v) (local.get $c)) (i8x16.eq (local.get $v) (local.get $d)))))

  ;; The high bits of the 64 bytes of four vectors, one bit per byte.
  (func $bits (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result i64)
    (i64.or
      (i64.or
        (i64.extend_i32_u (i8x16.bitmask (local.get $a)))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (local.get $b))) (i64.const 16)))
      (i64.or
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (local.get $c))) (i64.const 32))
        (i64.shl (i64.extend_i32_u (i8x16.bitmask (local.get $d))) (i64.const 48)))))

  ;; Bit i set when bits 0..i of $x hold an odd number of ones.
  (func $prefixXor (param $x i64) (result i64)
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 1))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 2))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 4))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 8))))
    (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 16))))
    (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 32))))

  ;; Past the UTF-8 sequences from chunk position $from (a sequence boundary) up to at least $upTo, or -1 at an
  ;; invalid one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, nothing cut off at $end).
  ;; $at: the memory address of chunk position 0.
  (func $utf8 (param $at i32) (param $from i32) (param $upTo i32) (param $end i32) (result i32)
    (local $j i32) (local $c i32) (local $more i32) (local $low i32) (local $high i32) (local $second i32) (local $m i32)
    (local.set $j (local.get $from))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $j) (local.get $upTo)))
        (local.set $c (i32.load8_u (i32.add (local.get $at) (local.get $j))))
        (if (i32.lt_u (local.get $c) (i32.const 0x80))
          (then (local.set $j (i32.add (local.get $j) (i32.const 1))) (br $next)))
        (local.set $low (i32.const 0x80))
        (local.set $high (i32.const 0xbf))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 0xc2)) (i32.le_u (local.get $c) (i32.const 0xdf)))
          (then (local.set $more (i32.const 1)))
          (else (if (i32.and (i32.ge_u (local.get $c) (i32.const 0xe0)) (i32.le_u (local.get $c) (i32.const 0xef)))
            (then
              (local.set $more (i32.const 2))
              (if (i32.eq (local.get $c) (i32.const 0xe0)) (then (local.set $low (i32.const 0xa0))))
              (if (i32.eq (local.get $c) (i32.const 0xed)) (then (local.set $high (i32.const 0x9f)))))
            (else (if (i32.and (i32.ge_u (local.get $c) (i32.const 0xf0)) (i32.le_u (local.get $c) (i32.const 0xf4)))
              (then
                (local.set $more (i32.const 3))
                (if (i32.eq (local.get $c) (i32.const 0xf0)) (then (local.set $low (i32.const 0x90))))
                (if (i32.eq (local.get $c) (i32.const 0xf4)) (then (local.set $high (i32.const 0x8f)))))
              (else (return (i32.const -1))))))))
        (if (i32.ge_s (i32.add (local.get $j) (local.get $more)) (local.get $end)) (then (return (i32.const -1))))
        (local.set $second (i32.load8_u (i32.add (local.get $at) (i32.add (local.get $j) (i32.const 1)))))
        (if (i32.or (i32.lt_u (local.get $second) (local.get $low)) (i32.gt_u (local.get $second) (local.get $high)))
          (then (return (i32.const -1))))
        (local.set $m (i32.const 2))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.gt_s (local.get $m) (local.get $more)))
            (if (i32.ne (i32.and (i32.load8_u (i32.add (local.get $at) (i32.add (local.get $j) (local.get $m)))) (i32.const 0xc0)) (i32.const 0x80))
              (then (return (i32.const -1))))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))
            (br $tail)))
        (local.set $j (i32.add (local.get $j) (i32.add (local.get $more) (i32.const 1))))
        (br $next)))
    (local.get $j))

  ;; Index the $n bytes at address $win, which are the chunk's bytes from position $base on; the byte before them
  ;; (at $win - 1) is the chunk's previous byte (a line feed at the chunk's start), and the bytes after them are the
  ;; chunk's next ones (up to 4 of them, where there are any; then zeros). $end: the position where the indexed
  ;; bytes end. Record starts go to $starts (4 bytes each), $written of them, and the delimiters before each to
  ;; $before (4 bytes each, in step with $starts); each delimiter's position goes to $delimiters, $delimitersWritten.
  (func (export "scan") (param $win i32) (param $n i32) (param $base i32) (param $end i32) (param $starts i32)
    (param $beforeRecords i32) (param $delimiters i32)
    (local $off i32) (local $p i32) (local $left i32) (local $mask i64)
    (local $q i64) (local $lf i64) (local $cr i64) (local $high i64)
    (local $inside i64) (local $before i64) (local $bits i64) (local $near i64)
    (local $i i32) (local $at i32) (local $blockEnd i32) (local $record i32)
    (local $d i64) (local $outside i64) (local $lowBits i64)
    (local $vq v128) (local $vl v128) (local $vr v128) (local $vd v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local.set $vq (i8x16.splat (i32.const 0x22)))
    (local.set $vl (i8x16.splat (i32.const 0x0a)))
    (local.set $vr (i8x16.splat (i32.const 0x0d)))
    (local.set $vd (i8x16.splat (global.get $delimiter)))
    ;; Chunk position 0's address (positions before $base are never read, but the record's start may be $base - 1).
    (local.set $at (i32.sub (local.get $win) (local.get $base)))
    (global.set $written (i32.const 0))
    (global.set $delimitersWritten (i32.const 0))
    (block $end_blocks
      (loop $block
        (br_if $end_blocks (i32.ge_s (local.get $off) (local.get $n)))
        (local.set $p (i32.add (local.get $win) (local.get $off)))
        (local.set $left (i32.sub (local.get $n) (local.get $off)))
        (local.set $mask
          (if (result i64) (i32.ge_s (local.get $left) (i32.const 64))
            (then (i64.const -1))
            (else (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $left))) (i64.const 1)))))
        (local.set $v0 (v128.load offset=0 align=1 (local.get $p)))
        (local.set $v1 (v128.load offset=16 align=1 (local.get $p)))
        (local.set $v2 (v128.load offset=32 align=1 (local.get $p)))
        (local.set $v3 (v128.load offset=48 align=1 (local.get $p)))
        (local.set $d (i64.and (local.get $mask) (call $bits
          (i8x16.eq (local.get $v0) (local.get $vd)) (i8x16.eq (local.get $v1) (local.get $vd))
          (i8x16.eq (local.get $v2) (local.get $vd)) (i8x16.eq (local.get $v3) (local.get $vd)))))
        ;; Most blocks hold none of the four kinds of byte: one test over all 64 (bytes past the window may set it;
        ;; the masks below leave them out).
        (if (i8x16.bitmask (v128.or
              (v128.or (v128.or (v128.or (i8x16.eq (local.get $v0) (local.get $vq)) (i8x16.eq (local.get $v0) (local.get $vl)))
                       (v128.or (i8x16.eq (local.get $v0) (local.get $vr)) (local.get $v0)))
                       (v128.or (v128.or (i8x16.eq (local.get $v1) (local.get $vq)) (i8x16.eq (local.get $v1) (local.get $vl)))
                       (v128.or (i8x16.eq (local.get $v1) (local.get $vr)) (local.get $v1))))
              (v128.or (v128.or (v128.or (i8x16.eq (local.get $v2) (local.get $vq)) (i8x16.eq (local.get $v2) (local.get $vl)))
                       (v128.or (i8x16.eq (local.get $v2) (local.get $vr)) (local.get $v2)))
                       (v128.or (v128.or (i8x16.eq (local.get $v3) (local.get $vq)) (i8x16.eq (local.get $v3) (local.get $vl)))
                       (v128.or (i8x16.eq (local.get $v3) (local.get $vr)) (local.get $v3))))))
          (then
            (local.set $q (i64.and (local.get $mask) (call $bits
              (i8x16.eq (local.get $v0) (local.get $vq)) (i8x16.eq (local.get $v1) (local.get $vq))
              (i8x16.eq (local.get $v2) (local.get $vq)) (i8x16.eq (local.get $v3) (local.get $vq)))))
            (local.set $lf (i64.and (local.get $mask) (call $bits
              (i8x16.eq (local.get $v0) (local.get $vl)) (i8x16.eq (local.get $v1) (local.get $vl))
              (i8x16.eq (local.get $v2) (local.get $vl)) (i8x16.eq (local.get $v3) (local.get $vl)))))
            (local.set $cr (i64.and (local.get $mask) (call $bits
              (i8x16.eq (local.get $v0) (local.get $vr)) (i8x16.eq (local.get $v1) (local.get $vr))
              (i8x16.eq (local.get $v2) (local.get $vr)) (i8x16.eq (local.get $v3) (local.get $vr)))))
            (local.set $high (i64.and (local.get $mask)
              (call $bits (local.get $v0) (local.get $v1) (local.get $v2) (local.get $v3)))))
          (else
            (local.set $q (i64.const 0)) (local.set $lf (i64.const 0)) (local.set $cr (i64.const 0)) (local.set $high (i64.const 0))))
        ;; Bit set: the byte is inside a quoted field, counting its own quote (so a quote's bit is the state
        ;; after it, and $inside ^ $q the state before it).
        (local.set $inside (i64.sub (i64.const 0) (i64.extend_i32_u (global.get $parity))))
        (if (i64.ne (local.get $q) (i64.const 0))
          (then
            (local.set $inside (i64.xor (call $prefixXor (local.get $q)) (local.get $inside)))
            (global.set $parity (i32.wrap_i64 (i64.shr_u (local.get $inside) (i64.const 63))))))
        (local.set $outside (i64.and (local.get $d) (i64.xor (local.get $inside) (i64.const -1))))
        (if (i64.ne (i64.or (i64.or (local.get $q) (local.get $lf)) (i64.or (local.get $cr) (local.get $high))) (i64.const 0))
          (then
            (global.set $lineFeeds (i32.add (global.get $lineFeeds)
              (i32.wrap_i64 (i64.popcnt (i64.and (local.get $lf) (i64.xor (local.get $inside) (i64.const -1)))))))
            (global.set $carriageReturns (i32.add (global.get $carriageReturns)
              (i32.wrap_i64 (i64.popcnt (i64.and (local.get $cr) (i64.xor (local.get $inside) (i64.const -1)))))))
            (if (global.get $regular)
              (then
                (local.set $before (i64.xor (local.get $inside) (local.get $q)))
                ;; A quote outside a field opens one: after a delimiter, a line feed or a quote.
                (local.set $bits (i64.and (local.get $q) (i64.xor (local.get $before) (i64.const -1))))
                (if (i64.ne (local.get $bits) (i64.const 0))
                  (then
                    (local.set $near (call $anyOf (i32.sub (local.get $p) (i32.const 1)) (local.get $vd) (local.get $vl) (local.get $vq) (local.get $vq)))
                    (if (i64.ne (i64.and (local.get $bits) (i64.xor (local.get $near) (i64.const -1))) (i64.const 0))
                      (then (global.set $regular (i32.const 0))))))
                ;; A quote inside a field closes it or doubles: a quote, delimiter or line end follows (or the end).
                (local.set $bits (i64.and (local.get $q) (local.get $before)))
                (if (i64.ne (local.get $bits) (i64.const 0))
                  (then
                    (local.set $near (call $anyOf (i32.add (local.get $p) (i32.const 1)) (local.get $vq) (local.get $vd) (local.get $vl) (local.get $vr)))
                    (local.set $i (i32.sub (i32.sub (local.get $end) (i32.const 1)) (i32.add (local.get $base) (local.get $off))))
                    (if (i32.and (i32.ge_s (local.get $i) (i32.const 0)) (i32.lt_s (local.get $i) (i32.const 64)))
                      (then (local.set $near (i64.or (local.get $near) (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $i)))))))
                    (if (i64.ne (i64.and (local.get $bits) (i64.xor (local.get $near) (i64.const -1))) (i64.const 0))
                      (then (global.set $regular (i32.const 0))))))
                ;; A carriage return outside quotes ends a line only with a line feed after it.
                (local.set $bits (i64.and (local.get $cr) (i64.xor (local.get $inside) (i64.const -1))))
                (if (i64.ne (local.get $bits) (i64.const 0))
                  (then
                    (if (i64.ne (i64.and (local.get $bits)
                          (i64.xor (call $anyOf (i32.add (local.get $p) (i32.const 1)) (local.get $vl) (local.get $vl) (local.get $vl) (local.get $vl)) (i64.const -1))) (i64.const 0))
                      (then (global.set $regular (i32.const 0))))))))
            ;; Each line feed outside quotes ends a record; a blank line (nothing, or a lone carriage return) is none.
            (local.set $bits (i64.and (local.get $lf) (i64.xor (local.get $inside) (i64.const -1))))
            (block $lines_done
              (loop $line
                (br_if $lines_done (i64.eqz (local.get $bits)))
                (local.set $i (i32.add (i32.add (local.get $base) (local.get $off)) (i32.wrap_i64 (i64.ctz (local.get $bits)))))
                ;; The record's first byte is read only when it is the one before the line feed (in the window, or
                ;; the byte before it): a longer record may have started in an earlier step.
                (local.set $record (i32.ne (local.get $i) (global.get $last)))
                (if (i32.eq (local.get $i) (i32.add (global.get $last) (i32.const 1)))
                  (then (local.set $record (i32.ne (i32.load8_u (i32.add (local.get $at) (global.get $last))) (i32.const 0x0d)))))
                (if (local.get $record)
                  (then
                    (i32.store (i32.add (local.get $starts) (i32.shl (global.get $written) (i32.const 2))) (global.get $last))
                    (i32.store (i32.add (local.get $beforeRecords) (i32.shl (global.get $written) (i32.const 2))) (global.get $fieldsAtLast))
                    (global.set $written (i32.add (global.get $written) (i32.const 1)))))
                (global.set $last (i32.add (local.get $i) (i32.const 1)))
                ;; The next record starts past this line feed: the delimiters before it are this block's before the
                ;; line feed and all those of earlier blocks.
                (local.set $lowBits (i64.sub (i64.shl (i64.const 1) (i64.ctz (local.get $bits))) (i64.const 1)))
                (global.set $fieldsAtLast (i32.add (global.get $fields)
                  (i32.wrap_i64 (i64.popcnt (i64.and (local.get $outside) (local.get $lowBits))))))
                (local.set $bits (i64.and (local.get $bits) (i64.sub (local.get $bits) (i64.const 1))))
                (br $line)))
            (if (i32.and (i64.ne (local.get $high) (i64.const 0)) (i32.ge_s (global.get $valid) (i32.const 0)))
              (then
                (local.set $blockEnd (i32.add (i32.add (local.get $base) (local.get $off))
                  (select (i32.const 64) (local.get $left) (i32.ge_s (local.get $left) (i32.const 64)))))
                (if (i32.gt_s (local.get $blockEnd) (global.get $valid))
                  (then
                    (global.set $valid (call $utf8 (local.get $at)
                      (select (global.get $valid) (i32.add (local.get $base) (local.get $off))
                        (i32.gt_s (global.get $valid) (i32.add (local.get $base) (local.get $off))))
                      (local.get $blockEnd) (local.get $end)))))))))
        ;; This block's delimiters outside quotes, in order.
        (global.set $fields (i32.add (global.get $fields) (i32.wrap_i64 (i64.popcnt (local.get $outside)))))
        (block $delimiters_done
          (loop $delimiter
            (br_if $delimiters_done (i64.eqz (local.get $outside)))
            (i32.store (i32.add (local.get $delimiters) (i32.shl (global.get $delimitersWritten) (i32.const 2)))
              (i32.add (i32.add (local.get $base) (local.get $off)) (i32.wrap_i64 (i64.ctz (local.get $outside)))))
            (global.set $delimitersWritten (i32.add (global.get $delimitersWritten) (i32.const 1)))
            (local.set $outside (i64.and (local.get $outside) (i64.sub (local.get $outside) (i64.const 1))))
            (br $delimiter)))
        (local.set $off (i32.add (local.get $off) (i32.const 64)))
        (br $block))))
)
