;; The lab's matrix product in WebAssembly SIMD (net.js): out = act(A · KP + bias), float32,
;; for convolutions (A: the unrolled input, a row per output position) and dense layers (A: a
;; row per image).
;;   A:    M × R floats, row after row (M a multiple of 4: the caller pads with zero rows)
;;   KP:   the kernel packed in blocks of 8 output columns: (C / 8) × R × 8 floats
;;   bias: C floats; out: M × C floats (C a multiple of 8: the caller pads the columns)
;;   QC:   rows per chunk (a multiple of 4): each chunk's rows stay in cache while every
;;         block of KP passes over them; relu: 1 for max(0, ·), 0 for none.
;; Four rows × eight columns at a time: eight f32x4 sums in registers, one pair of kernel loads
;; and four broadcast inputs per step of R. "peak" is a simple bound on its speed: the same
;; eight multiply-adds a step on registers only, no loads. gemm_relaxed.wasm is this file with every
;; "add (sum) (mul a b)" as one relaxed fused multiply-add (export.py's relaxed()); a test checks
;; that both committed .wasm files are this file compiled by wasmtime's wat2wasm.
(module
  (memory (export "memory") 1)
  (func (export "gemm") (param $A i32) (param $kp i32) (param $bias i32) (param $out i32)
        (param $M i32) (param $R i32) (param $C i32) (param $QC i32) (param $relu i32)
    (local $q0 i32) (local $qe i32) (local $q i32) (local $d i32) (local $r i32)
    (local $a i32) (local $w i32) (local $o i32) (local $rb i32) (local $cb i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $w0 v128) (local $w1 v128) (local $b0 v128) (local $b1 v128) (local $z v128)
    (local.set $rb (i32.shl (local.get $R) (i32.const 2)))   ;; bytes per row of A
    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))   ;; bytes per row of out
    (local.set $q0 (i32.const 0))
    (block $cdone (loop $cloop
      (br_if $cdone (i32.ge_u (local.get $q0) (local.get $M)))
      (local.set $qe (i32.add (local.get $q0) (local.get $QC)))
      (if (i32.gt_u (local.get $qe) (local.get $M)) (then (local.set $qe (local.get $M))))
      (local.set $d (i32.const 0))
      (block $ddone (loop $dloop
        (br_if $ddone (i32.ge_u (local.get $d) (local.get $C)))
        (local.set $q (local.get $q0))
        (block $qdone (loop $qloop
          (br_if $qdone (i32.ge_u (local.get $q) (local.get $qe)))
          (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $d) (i32.const 2)))))
          (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $d) (i32.const 2)))))
          (local.set $s0 (local.get $b0)) (local.set $t0 (local.get $b1))
          (local.set $s1 (local.get $b0)) (local.set $t1 (local.get $b1))
          (local.set $s2 (local.get $b0)) (local.set $t2 (local.get $b1))
          (local.set $s3 (local.get $b0)) (local.set $t3 (local.get $b1))
          ;; a: the first row's inputs; w: this block of 8 columns in KP
          (local.set $a (i32.add (local.get $A) (i32.mul (local.get $q) (local.get $rb))))
          (local.set $w (i32.add (local.get $kp) (i32.mul (local.get $d) (local.get $rb))))
          (local.set $r (i32.const 0))
          (block $rdone (loop $rloop
            (br_if $rdone (i32.ge_u (local.get $r) (local.get $R)))
            (local.set $w0 (v128.load (local.get $w)))
            (local.set $w1 (v128.load offset=16 (local.get $w)))
            (local.set $b0 (v128.load32_splat (local.get $a)))
            (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $b0) (local.get $w0))))
            (local.set $t0 (f32x4.add (local.get $t0) (f32x4.mul (local.get $b0) (local.get $w1))))
            (local.set $b0 (v128.load32_splat (i32.add (local.get $a) (local.get $rb))))
            (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $b0) (local.get $w0))))
            (local.set $t1 (f32x4.add (local.get $t1) (f32x4.mul (local.get $b0) (local.get $w1))))
            (local.set $b0 (v128.load32_splat (i32.add (local.get $a) (i32.shl (local.get $rb) (i32.const 1)))))
            (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $b0) (local.get $w0))))
            (local.set $t2 (f32x4.add (local.get $t2) (f32x4.mul (local.get $b0) (local.get $w1))))
            (local.set $b0 (v128.load32_splat (i32.add (local.get $a) (i32.mul (local.get $rb) (i32.const 3)))))
            (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $b0) (local.get $w0))))
            (local.set $t3 (f32x4.add (local.get $t3) (f32x4.mul (local.get $b0) (local.get $w1))))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (local.set $w (i32.add (local.get $w) (i32.const 32)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rloop)))
          (if (local.get $relu) (then  ;; pmax(0, x): 0 for x <= 0 and for NaN, as the JavaScript
            (local.set $z (v128.const i32x4 0 0 0 0))
            (local.set $s0 (f32x4.pmax (local.get $z) (local.get $s0)))
            (local.set $t0 (f32x4.pmax (local.get $z) (local.get $t0)))
            (local.set $s1 (f32x4.pmax (local.get $z) (local.get $s1)))
            (local.set $t1 (f32x4.pmax (local.get $z) (local.get $t1)))
            (local.set $s2 (f32x4.pmax (local.get $z) (local.get $s2)))
            (local.set $t2 (f32x4.pmax (local.get $z) (local.get $t2)))
            (local.set $s3 (f32x4.pmax (local.get $z) (local.get $s3)))
            (local.set $t3 (f32x4.pmax (local.get $z) (local.get $t3)))))
          (local.set $o (i32.add (local.get $out)
            (i32.add (i32.mul (local.get $q) (local.get $cb)) (i32.shl (local.get $d) (i32.const 2)))))
          (v128.store (local.get $o) (local.get $s0))
          (v128.store offset=16 (local.get $o) (local.get $t0))
          (local.set $o (i32.add (local.get $o) (local.get $cb)))
          (v128.store (local.get $o) (local.get $s1))
          (v128.store offset=16 (local.get $o) (local.get $t1))
          (local.set $o (i32.add (local.get $o) (local.get $cb)))
          (v128.store (local.get $o) (local.get $s2))
          (v128.store offset=16 (local.get $o) (local.get $t2))
          (local.set $o (i32.add (local.get $o) (local.get $cb)))
          (v128.store (local.get $o) (local.get $s3))
          (v128.store offset=16 (local.get $o) (local.get $t3))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br $qloop)))
        (local.set $d (i32.add (local.get $d) (i32.const 8)))
        (br $dloop)))
      (local.set $q0 (local.get $qe))
      (br $cloop))))
  ;; n steps of eight independent f32x4 multiply-adds (32 per step) on registers, as gemm's
  ;; inner step without its loads: the product's peak in this browser (lab.peak times it).
  (func (export "peak") (param $n i32) (result f32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local $b0 v128) (local $w0 v128)
    (local.set $b0 (f32x4.splat (f32.const 0.001)))
    (local.set $w0 (f32x4.splat (f32.const 0.5)))
    (block $done (loop $step
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $t0 (f32x4.add (local.get $t0) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $t1 (f32x4.add (local.get $t1) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $t2 (f32x4.add (local.get $t2) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $t3 (f32x4.add (local.get $t3) (f32x4.mul (local.get $b0) (local.get $w0))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $step)))
    ;; the sums' total, so that none of them is dead code
    (f32x4.extract_lane 0 (f32x4.add
      (f32x4.add (f32x4.add (local.get $s0) (local.get $t0)) (f32x4.add (local.get $s1) (local.get $t1)))
      (f32x4.add (f32x4.add (local.get $s2) (local.get $t2)) (f32x4.add (local.get $s3) (local.get $t3)))))))
