;; The coarse screen's inner kernel (core/include/saematch/coarse_dot.h), hand-written because
;; Debian's Emscripten (LLVM 14) cannot emit relaxed SIMD. It reads the engine's own memory:
;;   dot_block(A, na, H, nb, S, out): out[i * nb + j] = sum_k A[i, k] * H[j, k]
;; A: na rows of signed bytes, H: nb rows of bytes in [0, 127] (relaxed_dot's 7-bit operand, so
;; the result is the same on every machine), rows S bytes apart; na even, nb a multiple of 4,
;; S a multiple of 16. i32x4.relaxed_dot_i8x16_i7x16_add_s does 16 multiply-adds and the add.
;; assemble.mjs makes a shared-memory copy for the threaded engine.
(module
  (import "env" "memory" (memory 1 65536))

  ;; Sum of the four lanes.
  (func $hsum (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v)))))

  ;; Rows a and a + S of A against rows h .. h + 3S of H: eight sums, kept in registers, go to
  ;; out[0..3] and out[ldo..ldo + 3] (ldo in bytes).
  (func $tile_2x4 (param $a i32) (param $h i32) (param $S i32) (param $out i32) (param $ldo i32)
    (local $k i32) (local $x0 v128) (local $x1 v128) (local $y v128)
    (local $a1 i32) (local $h1 i32) (local $h2 i32) (local $h3 i32)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local.set $a1 (i32.add (local.get $a) (local.get $S)))
    (local.set $h1 (i32.add (local.get $h) (local.get $S)))
    (local.set $h2 (i32.add (local.get $h1) (local.get $S)))
    (local.set $h3 (i32.add (local.get $h2) (local.get $S)))
    (loop $k16
      (local.set $x0 (v128.load (i32.add (local.get $a) (local.get $k))))
      (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $k))))
      (local.set $y (v128.load (i32.add (local.get $h) (local.get $k))))
      (local.set $c00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x0) (local.get $y) (local.get $c00)))
      (local.set $c10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x1) (local.get $y) (local.get $c10)))
      (local.set $y (v128.load (i32.add (local.get $h1) (local.get $k))))
      (local.set $c01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x0) (local.get $y) (local.get $c01)))
      (local.set $c11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x1) (local.get $y) (local.get $c11)))
      (local.set $y (v128.load (i32.add (local.get $h2) (local.get $k))))
      (local.set $c02 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x0) (local.get $y) (local.get $c02)))
      (local.set $c12 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x1) (local.get $y) (local.get $c12)))
      (local.set $y (v128.load (i32.add (local.get $h3) (local.get $k))))
      (local.set $c03 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x0) (local.get $y) (local.get $c03)))
      (local.set $c13 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x1) (local.get $y) (local.get $c13)))
      (br_if $k16 (i32.lt_u (local.tee $k (i32.add (local.get $k) (i32.const 16))) (local.get $S))))
    (i32.store offset=0 (local.get $out) (call $hsum (local.get $c00)))
    (i32.store offset=4 (local.get $out) (call $hsum (local.get $c01)))
    (i32.store offset=8 (local.get $out) (call $hsum (local.get $c02)))
    (i32.store offset=12 (local.get $out) (call $hsum (local.get $c03)))
    (local.set $out (i32.add (local.get $out) (local.get $ldo)))
    (i32.store offset=0 (local.get $out) (call $hsum (local.get $c10)))
    (i32.store offset=4 (local.get $out) (call $hsum (local.get $c11)))
    (i32.store offset=8 (local.get $out) (call $hsum (local.get $c12)))
    (i32.store offset=12 (local.get $out) (call $hsum (local.get $c13))))

  ;; H in panels of 32 rows (74 KB at d = 2304) so a panel stays in cache while every pair of
  ;; A's rows passes over it.
  (func (export "dot_block") (param $A i32) (param $na i32) (param $H i32) (param $nb i32) (param $S i32) (param $out i32)
    (local $j0 i32) (local $j1 i32) (local $i i32) (local $j i32) (local $ldo i32)
    (local.set $ldo (i32.shl (local.get $nb) (i32.const 2)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $na)) (i32.eqz (local.get $nb))))
      (loop $panels
        (local.set $j1 (i32.add (local.get $j0) (i32.const 32)))
        (if (i32.gt_u (local.get $j1) (local.get $nb)) (then (local.set $j1 (local.get $nb))))
        (local.set $i (i32.const 0))
        (loop $rows
          (local.set $j (local.get $j0))
          (loop $cols
            (call $tile_2x4
              (i32.add (local.get $A) (i32.mul (local.get $i) (local.get $S)))
              (i32.add (local.get $H) (i32.mul (local.get $j) (local.get $S)))
              (local.get $S)
              (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $nb)) (local.get $j)) (i32.const 2)))
              (local.get $ldo))
            (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $j1))))
          (br_if $rows (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 2))) (local.get $na))))
        (br_if $panels (i32.lt_u (local.tee $j0 (local.get $j1)) (local.get $nb))))))
)
