//! Raw deflate (RFC 1951) for ocicache's gzip encoder: zlib-rs's
//! compressor, with zlib's levels 4 to 6.
//!
//! zlib-rs follows zlib-ng, whose levels 3 to 6 are its "medium" strategy
//! where zlib's 4 to 9 are the lazy-matching one. Level 6 is what gzip, Go's
//! `compress/gzip` and BuildKit write by default, and there "medium" writes
//! up to about 1 % more than zlib (+1.06 % on the Python benchmark's
//! tar-like payload). At levels 5 and 6 its output also depends on how the
//! input was split between calls (measured: 1,000-, 4,096- and 65,537-byte
//! pieces each give other bytes than one call), so one layer compressed by
//! two hosts could get two digests. Here levels 4 to 6 are zlib's own:
//! zlib-rs's lazy strategy (its level 7) with the parameters zlib's
//! `configuration_table` gives those levels (as `deflateTune` sets them).
//! Measured on 64 MiB, 2026-12-03, against Python's zlib at the same level:
//!
//! | level | real tar: size, MB/s (zlib's) | tar-like payload: size, MB/s |
//! |---|---|---|
//! | 4 | −1.6 %, 201 (136) | −0.02 %, 297 (178) |
//! | 5 | −0.95 %, 153 (99) | −0.02 %, 296 (178) |
//! | 6 | −0.08 %, 105 (66) | −0.02 %, 287 (169) |
//!
//! (Node's zlib runs level 6 at 86–88 MB/s on that tar.) Every other level
//! is zlib-rs's, whose output does not depend on the input's split either
//! from level 2 up; the core runs level 1 as 2.
//!
//! zlib-rs has `tune` only behind its unstable `__internal-api` feature, and
//! handing a stream its buffers through that API takes the one `unsafe`
//! block below. The workspace pins zlib-rs to one exact version for it.
//!
//! ```
//! let mut deflate = ocicache_deflate::Deflate::new(6).unwrap();
//! let mut out = vec![0u8; 1024];
//! let step = deflate.compress(b"hello hello hello", &mut out, true).unwrap();
//! assert!(step.done && step.consumed == 17);
//! let mut inflate = zlib_rs::Inflate::new(false, 15);
//! let mut back = [0u8; 32];
//! inflate.decompress(&out[..step.written], &mut back, zlib_rs::InflateFlush::Finish).unwrap();
//! assert_eq!(&back[..17], b"hello hello hello");
//! ```

#![deny(unsafe_code)]

use zlib_rs::c_api::z_stream;
use zlib_rs::deflate::{DeflateConfig, DeflateStream};
use zlib_rs::{DeflateFlush, ReturnCode};

/// zlib's parameters (`good_length`, `max_lazy`, `nice_length`,
/// `max_chain`) for its levels 4, 5 and 6, from zlib 1.3's
/// `configuration_table`.
const ZLIB_LAZY: [(i32, [usize; 4]); 3] = [
    (4, [4, 4, 16, 16]),
    (5, [8, 16, 32, 32]),
    (6, [8, 16, 128, 128]),
];

/// zlib-rs's first level on the lazy-matching strategy (`deflate_slow`).
const LAZY_LEVEL: i32 = 7;

/// A raw deflate stream being compressed (no zlib or gzip framing).
pub struct Deflate {
    stream: DeflateStream<'static>,
}

/// What one [`Deflate::compress`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Input bytes taken.
    pub consumed: usize,
    /// Output bytes written (at the start of the output buffer).
    pub written: usize,
    /// The stream is complete (only after a call with `finish`).
    pub done: bool,
}

/// A failure zlib-rs reported, or a level out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl Deflate {
    /// A compressor at `level`: 0 (stored) to 9 (best); 4 to 6 are zlib's.
    pub fn new(level: i32) -> Result<Self, Error> {
        if !(0..=9).contains(&level) {
            return Err(Error(format!("invalid deflate level: {level} (use 0..9)")));
        }
        let zlib = ZLIB_LAZY.iter().find(|(l, _)| *l == level).map(|(_, p)| p);
        let config = DeflateConfig {
            level: if zlib.is_some() { LAZY_LEVEL } else { level },
            window_bits: -15,
            ..DeflateConfig::default()
        };
        let mut stream = DeflateStream::new(config);
        if let Some(&[good, lazy, nice, chain]) = zlib {
            zlib_rs::deflate::tune(&mut stream, good, lazy, nice, chain);
        }
        Ok(Deflate { stream })
    }

    /// Compresses from `input` into `output`; with `finish`, to the end of
    /// the stream (call again with the rest of the input and more room
    /// until [`Step::done`]).
    pub fn compress(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        finish: bool,
    ) -> Result<Step, Error> {
        // At most u32::MAX of each per call, as zlib's fields hold.
        let avail_in = u32::try_from(input.len()).unwrap_or(u32::MAX);
        let avail_out = u32::try_from(output.len()).unwrap_or(u32::MAX);
        let raw = self.raw();
        raw.next_in = input.as_ptr().cast_mut(); // read only, as zlib's API types it
        raw.avail_in = avail_in;
        raw.next_out = output.as_mut_ptr();
        raw.avail_out = avail_out;
        let flush = if finish {
            DeflateFlush::Finish
        } else {
            DeflateFlush::NoFlush
        };
        let code = zlib_rs::deflate::deflate(&mut self.stream, flush);
        let raw = self.raw();
        let step = Step {
            consumed: (avail_in - raw.avail_in) as usize,
            written: (avail_out - raw.avail_out) as usize,
            done: code == ReturnCode::StreamEnd,
        };
        // No pointer into the caller's buffers outlives the call.
        raw.next_in = std::ptr::null_mut();
        raw.next_out = std::ptr::null_mut();
        raw.avail_in = 0;
        raw.avail_out = 0;
        match code {
            ReturnCode::Ok | ReturnCode::StreamEnd | ReturnCode::BufError => Ok(step),
            other => Err(Error(format!("deflate failed: {other:?}"))),
        }
    }

    /// The stream's C view, whose buffer fields zlib-rs keeps crate-private
    /// on [`DeflateStream`].
    #[allow(unsafe_code)]
    fn raw(&mut self) -> &mut z_stream {
        // SAFETY: `DeflateStream` is `#[repr(C)]` with `z_stream`'s layout
        // (zlib-rs asserts size and alignment at compile time and converts
        // between the two itself); the reference is unique for `&mut self`
        // and the state it points to was initialised by `DeflateStream::new`.
        unsafe { &mut *std::ptr::from_mut(&mut self.stream).cast::<z_stream>() }
    }
}

impl Drop for Deflate {
    fn drop(&mut self) {
        // Frees the state; the stream is not used again.
        let _ = zlib_rs::deflate::end(&mut self.stream);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deflate_all(level: i32, data: &[u8], chunk: usize) -> Vec<u8> {
        let mut d = Deflate::new(level).unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0u8; 4096];
        for piece in data.chunks(chunk.max(1)) {
            let mut piece = piece;
            while !piece.is_empty() {
                let step = d.compress(piece, &mut buf, false).unwrap();
                out.extend_from_slice(&buf[..step.written]);
                piece = &piece[step.consumed..];
            }
        }
        loop {
            let step = d.compress(&[], &mut buf, true).unwrap();
            out.extend_from_slice(&buf[..step.written]);
            if step.done {
                return out;
            }
        }
    }

    fn inflate_all(data: &[u8], len: usize) -> Vec<u8> {
        let mut back = vec![0u8; len + 1];
        let n =
            zlib_rs::decompress_slice(&mut back, data, zlib_rs::InflateConfig { window_bits: -15 });
        assert_eq!(n.1, ReturnCode::Ok);
        n.0.to_vec()
    }

    fn sample() -> Vec<u8> {
        let mut data = Vec::new();
        let mut x = 0x2545_f491_u32;
        for i in 0..4000 {
            if i % 5 == 0 {
                for _ in 0..512 {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    data.push(x.to_le_bytes()[0]);
                }
            } else {
                data.extend_from_slice(
                    format!("layer {i} cache record digest blob {}\n", i % 7).as_bytes(),
                );
            }
        }
        data
    }

    #[test]
    fn every_level_round_trips_in_any_chunking() {
        let data = sample();
        for level in 0..=9 {
            let whole = deflate_all(level, &data, data.len());
            assert!(inflate_all(&whole, data.len()) == data, "level {level}");
            for chunk in [1000, 4096, 65_537] {
                let split = deflate_all(level, &data, chunk);
                assert!(inflate_all(&split, data.len()) == data, "level {level}");
                // Stored blocks (0) and zlib-rs's "quick" (1) end blocks
                // where calls ended; from 2 up the bytes are the same.
                assert!(
                    level < 2 || split == whole,
                    "level {level}: pieces of {chunk} changed the output"
                );
            }
        }
    }

    #[test]
    fn levels_4_to_6_are_the_lazy_strategy_tuned_like_zlib() {
        let data = sample();
        let zlib_rs_own = |level| {
            let mut out = vec![0u8; data.len() + 1024];
            let config = DeflateConfig {
                level,
                window_bits: -15,
                ..DeflateConfig::default()
            };
            let (written, code) = zlib_rs::compress_slice(&mut out, &data, config);
            assert_eq!(code, ReturnCode::Ok);
            written.to_vec()
        };
        for level in 4..=6 {
            let ours = deflate_all(level, &data, data.len());
            // Neither zlib-rs's own level ("medium") nor its lazy level 7.
            assert!(
                ours != zlib_rs_own(level) && ours != zlib_rs_own(7),
                "{level}"
            );
        }
        for level in [2, 3, 7, 8, 9] {
            assert!(deflate_all(level, &data, data.len()) == zlib_rs_own(level));
        }
    }

    #[test]
    fn empty_input_is_a_valid_stream() {
        let out = deflate_all(6, &[], 1);
        assert_eq!(out, [3, 0]);
        assert!(inflate_all(&out, 0).is_empty());
    }

    #[test]
    fn levels_outside_0_to_9_are_refused() {
        for level in [-2, -1, 10, i32::MAX] {
            let e = Deflate::new(level).err().unwrap();
            assert!(e.to_string().contains("invalid deflate level"), "{e}");
        }
    }

    #[test]
    fn output_one_byte_at_a_time_still_completes() {
        let data = sample();
        let mut d = Deflate::new(6).unwrap();
        let mut out = Vec::new();
        let mut input = &data[..];
        let mut byte = [0u8; 1];
        loop {
            let step = d.compress(input, &mut byte, true).unwrap();
            input = &input[step.consumed..];
            out.extend_from_slice(&byte[..step.written]);
            if step.done {
                break;
            }
        }
        assert!(out == deflate_all(6, &data, data.len()));
    }
}
