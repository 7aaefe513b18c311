//! The SHA-256 compression function for the WASM build (FIPS 180-4 §6.2.2),
//! written for V8: the message schedules of four blocks are computed at
//! once, one block per 128-bit lane, so every step of the schedule is a full
//! vector operation with no shuffles between words (`sha2`'s simd128 backend
//! schedules one block, two words of a vector at a time); the 64 rounds are
//! scalar and unrolled, and each one adds the next state word's terms before
//! `Σ1(e)` so that the chain from one `e` to the next is one add shorter.
//!
//! Measured against `sha2` 0.11's simd128 backend on 256 MiB in 1 MiB
//! updates (`npm/bench/digest.mjs`, release build): Node 20 (V8 11.3)
//! 454 → 487 MB/s, 1.14× → 1.23× hash-wasm 4.13; Chromium 156 449 → 432 MB/s,
//! 1.33× → 1.27×. Two things keep it fast in V8: the schedule's 64 vectors
//! stay values (every index a constant, no array in memory: 445 → 498 MB/s
//! before wasm-opt), and `compress_one` stays out of the four-block loop —
//! binaryen would inline it there (one caller; 13–21 % slower at -O2 to
//! -O4), so `scripts/build-wasm.sh` tells wasm-opt not to.
//!
//! `#[inline(always)]`: each helper is meant to melt into the unrolled
//! rounds, so that the state and the schedule stay values (see `schedule`).
#![allow(clippy::inline_always)]

use core::arch::wasm32::{
    i8x16_shuffle, u32x4, u32x4_add, u32x4_extract_lane, u32x4_shl, u32x4_shr, u32x4_shuffle,
    u32x4_splat, v128, v128_or, v128_xor,
};

/// The round constants, FIPS 180-4 §4.2.2.
const K: [u32; 64] = [
    0x428a_2f98,
    0x7137_4491,
    0xb5c0_fbcf,
    0xe9b5_dba5,
    0x3956_c25b,
    0x59f1_11f1,
    0x923f_82a4,
    0xab1c_5ed5,
    0xd807_aa98,
    0x1283_5b01,
    0x2431_85be,
    0x550c_7dc3,
    0x72be_5d74,
    0x80de_b1fe,
    0x9bdc_06a7,
    0xc19b_f174,
    0xe49b_69c1,
    0xefbe_4786,
    0x0fc1_9dc6,
    0x240c_a1cc,
    0x2de9_2c6f,
    0x4a74_84aa,
    0x5cb0_a9dc,
    0x76f9_88da,
    0x983e_5152,
    0xa831_c66d,
    0xb003_27c8,
    0xbf59_7fc7,
    0xc6e0_0bf3,
    0xd5a7_9147,
    0x06ca_6351,
    0x1429_2967,
    0x27b7_0a85,
    0x2e1b_2138,
    0x4d2c_6dfc,
    0x5338_0d13,
    0x650a_7354,
    0x766a_0abb,
    0x81c2_c92e,
    0x9272_2c85,
    0xa2bf_e8a1,
    0xa81a_664b,
    0xc24b_8b70,
    0xc76c_51a3,
    0xd192_e819,
    0xd699_0624,
    0xf40e_3585,
    0x106a_a070,
    0x19a4_c116,
    0x1e37_6c08,
    0x2748_774c,
    0x34b0_bcb5,
    0x391c_0cb3,
    0x4ed8_aa4a,
    0x5b9c_ca4f,
    0x682e_6ff3,
    0x748f_82ee,
    0x78a5_636f,
    0x84c8_7814,
    0x8cc7_0208,
    0x90be_fffa,
    0xa450_6ceb,
    0xbef9_a3f7,
    0xc671_78f2,
];

/// Compress `blocks` into `state`: four at a time, then any left one by one.
/// Never inlined, for the reason `compress_one` is not.
#[inline(never)]
pub(super) fn compress(state: &mut [u32; 8], blocks: &[[u8; 64]]) {
    let (quads, rest) = blocks.as_chunks::<4>();
    let mut hash = *state;
    for quad in quads {
        let wk = schedule(quad);
        hash = rounds::<0>(hash, &wk);
        hash = rounds::<1>(hash, &wk);
        hash = rounds::<2>(hash, &wk);
        hash = rounds::<3>(hash, &wk);
    }
    *state = hash;
    for block in rest {
        compress_one(state, block);
    }
}

/// One block, scheduled in all four lanes. Kept out of `compress`: inlined,
/// its copy of the rounds made V8 run the four-block loop 13–21 % slower.
#[inline(never)]
fn compress_one(state: &mut [u32; 8], block: &[u8; 64]) {
    let wk = schedule(&[*block; 4]);
    *state = rounds::<0>(*state, &wk);
}

/// `W[t] + K[t]` for t in 0..64 of four blocks, block `j` in lane `j`.
///
/// Every index is a constant (the loops are macros), so that LLVM keeps the
/// 64 vectors as values rather than in an array in memory: V8 runs the
/// rounds ~12 % faster on them.
#[inline(always)]
#[allow(unused_assignments)] // the last words are written back and never read
fn schedule(quad: &[[u8; 64]; 4]) -> [v128; 64] {
    let mut w = [u32x4_splat(0); 16];
    let mut wk = [u32x4_splat(0); 64];
    macro_rules! load {
        ($($i:literal)*) => {$({
            let v = [0, 1, 2, 3].map(|j| big_endian(&quad[j], $i));
            // Transpose the 4×4 words: lane j of w[4i + k] is word 4i + k of block j.
            let t0 = u32x4_shuffle::<0, 4, 1, 5>(v[0], v[1]);
            let t1 = u32x4_shuffle::<2, 6, 3, 7>(v[0], v[1]);
            let t2 = u32x4_shuffle::<0, 4, 1, 5>(v[2], v[3]);
            let t3 = u32x4_shuffle::<2, 6, 3, 7>(v[2], v[3]);
            w[4 * $i] = u32x4_shuffle::<0, 1, 4, 5>(t0, t2);
            w[4 * $i + 1] = u32x4_shuffle::<2, 3, 6, 7>(t0, t2);
            w[4 * $i + 2] = u32x4_shuffle::<0, 1, 4, 5>(t1, t3);
            w[4 * $i + 3] = u32x4_shuffle::<2, 3, 6, 7>(t1, t3);
        })*};
    }
    load!(0 1 2 3);
    macro_rules! first {
        ($($t:literal)*) => {$( wk[$t] = u32x4_add(w[$t], u32x4_splat(K[$t])); )*};
    }
    first!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    macro_rules! expand {
        ($($t:literal)*) => {$({
            let w15 = w[($t - 15) & 15];
            let w2 = w[($t - 2) & 15];
            let s0 = v128_xor(v128_xor(rotr(w15, 7), rotr(w15, 18)), u32x4_shr(w15, 3));
            let s1 = v128_xor(v128_xor(rotr(w2, 17), rotr(w2, 19)), u32x4_shr(w2, 10));
            let next = u32x4_add(u32x4_add(w[$t & 15], s0), u32x4_add(w[($t - 7) & 15], s1));
            w[$t & 15] = next;
            wk[$t] = u32x4_add(next, u32x4_splat(K[$t]));
        })*};
    }
    expand!(16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
    expand!(32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47);
    expand!(48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63);
    wk
}

/// `state` after the 64 rounds of the block in lane `LANE` of `wk`.
#[inline(always)]
fn rounds<const LANE: usize>(state: [u32; 8], wk: &[v128; 64]) -> [u32; 8] {
    let mut s = state;
    macro_rules! run {
        ($($t:literal)*) => {$( round(&mut s, u32x4_extract_lane::<LANE>(wk[$t])); )*};
    }
    run!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
    run!(32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63);
    let mut out = state;
    for (word, new) in out.iter_mut().zip(s) {
        *word = word.wrapping_add(new);
    }
    out
}

/// One round; `s` is `[a, b, c, d, e, f, g, h]` and `wk` is `W[t] + K[t]`.
#[inline(always)]
#[allow(clippy::many_single_char_names)] // FIPS 180-4's names
fn round(s: &mut [u32; 8], wk: u32) {
    let [a, b, c, d, e, f, g, h] = *s;
    let partial = wk.wrapping_add(h).wrapping_add(g ^ (e & (f ^ g)));
    let sigma1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
    let t1 = partial.wrapping_add(sigma1);
    let sigma0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
    let maj = (a & b) ^ (a & c) ^ (b & c);
    *s = [
        t1.wrapping_add(sigma0).wrapping_add(maj),
        a,
        b,
        c,
        d.wrapping_add(partial).wrapping_add(sigma1),
        e,
        f,
        g,
    ];
}

/// Words `4i..4i + 4` of `block`, read big-endian.
#[inline(always)]
fn big_endian(block: &[u8; 64], i: usize) -> v128 {
    let word = |k: usize| {
        let at = 16 * i + 4 * k;
        u32::from_le_bytes([block[at], block[at + 1], block[at + 2], block[at + 3]])
    };
    let v = u32x4(word(0), word(1), word(2), word(3));
    i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v)
}

/// Each lane of `x` rotated right by `r` bits.
#[inline(always)]
fn rotr(x: v128, r: u32) -> v128 {
    v128_or(u32x4_shr(x, r), u32x4_shl(x, 32 - r))
}
