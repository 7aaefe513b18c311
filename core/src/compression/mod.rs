//! Layer compression: detection, streaming decoders and encoders for gzip
//! and zstd, and limits against decompression bombs.
//!
//! Spec: `cache-format.md` ("Layer blobs": gzip, zstd, estargz or plain tar;
//! the annotations `containerd.io/snapshot/stargz/toc.digest` and
//! `io.containers.estargz.uncompressed-size` of estargz layers), RFC 1952
//! (`gzip.rs`), RFC 8878 (`zstd.rs`), POSIX tar (`ustar` magic at offset
//! 257). Everything is push-based: the caller hands in compressed bytes in
//! chunks of any size and gets uncompressed bytes back through a sink, so a
//! layer of any size never sits in memory. A host that collects the output
//! of each chunk (the bindings) bounds it with
//! [`Decoder::update_limited`]: a few bytes of zstd stand for 128 KiB (an
//! RLE block), so one 64 KiB chunk can decode to 2 GiB.

mod gzip;
mod held;
mod plain;
mod zstd;

pub use gzip::{GzipDecoder, GzipEncoder};
pub use plain::PlainDecoder;
pub use zstd::{ZstdDecoder, ZstdEncoder};

use crate::error::{Error, ErrorKind, Result};

/// Where a decoder or encoder hands its output: called with each chunk.
pub type Sink<'a> = dyn FnMut(&[u8]) -> Result<()> + 'a;

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// A plain tar stream.
    Uncompressed,
    /// gzip (including estargz, which is gzip with a table of contents).
    Gzip,
    /// zstd.
    Zstd,
}

impl Compression {
    /// `uncompressed`, `gzip` or `zstd`, as in `compression=`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Uncompressed => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression named `name` (`uncompressed`, `gzip` or `zstd`).
    pub fn parse(name: &str) -> Result<Compression> {
        match name {
            "uncompressed" => Ok(Compression::Uncompressed),
            "gzip" => Ok(Compression::Gzip),
            "zstd" => Ok(Compression::Zstd),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown compression {name:?}: use gzip, zstd or uncompressed"),
            )
            .in_field("compression")),
        }
    }
}

/// Bytes needed to tell a tar stream apart (the `ustar` magic ends at 262;
/// an empty tar is 512 zero bytes and more).
pub const DETECT_LEN: usize = 512;

/// The compression of a blob from its first bytes (up to [`DETECT_LEN`]),
/// `None` when they match nothing known. gzip and zstd (including a leading
/// skippable frame) are known from 2 and 4 bytes.
///
/// ```
/// use ocicache::{Compression, detect_compression};
///
/// assert_eq!(detect_compression(&[0x1f, 0x8b, 8, 0]), Some(Compression::Gzip));
/// assert_eq!(detect_compression(&[0x28, 0xb5, 0x2f, 0xfd]), Some(Compression::Zstd));
/// assert_eq!(detect_compression(b"hello"), None);
/// ```
pub fn detect_compression(prefix: &[u8]) -> Option<Compression> {
    if prefix.starts_with(&[0x1f, 0x8b]) {
        return Some(Compression::Gzip);
    }
    if prefix.len() >= 4 {
        let magic = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
        if magic == 0xFD2F_B528 || magic & 0xFFFF_FFF0 == 0x184D_2A50 {
            return Some(Compression::Zstd);
        }
    }
    let ustar = prefix.get(257..262) == Some(b"ustar".as_slice());
    let empty_tar = prefix.len() >= DETECT_LEN && prefix[..DETECT_LEN].iter().all(|&b| b == 0);
    (ustar || empty_tar).then_some(Compression::Uncompressed)
}

/// The offset of the table of contents when `tail` (the last bytes of a
/// gzip blob, at least 51) ends with an estargz footer: an empty gzip member
/// whose extra field `SG` holds `%016x` of the offset and `STARGZ`.
pub fn estargz_toc_offset(tail: &[u8]) -> Option<u64> {
    let footer = tail.get(tail.len().checked_sub(51)?..)?;
    let ok = footer[..2] == [0x1f, 0x8b]
        && footer[3] & 0x04 != 0
        && footer[10..12] == [26, 0]
        && &footer[12..14] == b"SG"
        && footer[14..16] == [22, 0]
        && &footer[32..38] == b"STARGZ";
    if !ok {
        return None;
    }
    let hex = std::str::from_utf8(&footer[16..32]).ok()?;
    u64::from_str_radix(hex, 16).ok()
}

/// Limits for decoding untrusted data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most uncompressed bytes a decoder produces before it fails with
    /// `SIZE_LIMIT_EXCEEDED` (default 64 GiB).
    pub max_output: u64,
    /// The largest zstd window a frame may ask for (default 128 MiB, zstd's
    /// own default limit).
    pub max_zstd_window: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_output: 64 << 30,
            max_zstd_window: 128 << 20,
        }
    }
}

pub(crate) fn limit_error(max: u64) -> Error {
    Error::new(
        ErrorKind::SizeLimitExceeded,
        format!("the uncompressed data is larger than the limit of {max} bytes"),
    )
}

/// A streaming decoder for one compression.
pub enum Decoder {
    /// gzip.
    Gzip(GzipDecoder),
    /// zstd.
    Zstd(ZstdDecoder),
    /// Plain data, passed through (the size limit still applies).
    Uncompressed(PlainDecoder),
}

impl Decoder {
    /// A decoder for `compression` with `limits`.
    pub fn new(compression: Compression, limits: Limits) -> Decoder {
        match compression {
            Compression::Gzip => Decoder::Gzip(GzipDecoder::new(limits)),
            Compression::Zstd => Decoder::Zstd(ZstdDecoder::new(limits)),
            Compression::Uncompressed => Decoder::Uncompressed(PlainDecoder::new(limits)),
        }
    }

    /// Decode `input`, handing uncompressed bytes to `sink`.
    pub fn update(&mut self, input: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        self.update_limited(input, None, sink).map(drop)
    }

    /// Decode `input` (after any input an earlier call kept), handing
    /// uncompressed bytes to `sink` until at least `max` bytes (at least 1;
    /// `None`: no limit) went to it — at most one piece of up to 128 KiB more — and keeping
    /// the input it did not decode. Returns whether it stopped at `max`:
    /// then more output may follow without more input, so call again (with
    /// an empty `input`) until it returns `false`. `finish` refuses a
    /// decoder that stopped.
    pub fn update_limited(
        &mut self,
        input: &[u8],
        max: Option<u64>,
        sink: &mut Sink<'_>,
    ) -> Result<bool> {
        match self {
            Decoder::Gzip(d) => d.update_limited(input, max, sink),
            Decoder::Zstd(d) => d.update_limited(input, max, sink),
            Decoder::Uncompressed(d) => d.update_limited(input, max, sink),
        }
    }

    /// End of input: fails when the stream is incomplete, or when the last
    /// `update_limited` stopped at its limit (output not handed out yet).
    pub fn finish(&mut self) -> Result<()> {
        match self {
            Decoder::Gzip(d) => d.finish(),
            Decoder::Zstd(d) => d.finish(),
            Decoder::Uncompressed(d) => d.finish(),
        }
    }
}

/// The output an update with limit `max` may hand out (see
/// [`Decoder::update_limited`]).
pub(crate) fn budget(max: Option<u64>) -> usize {
    max.map_or(usize::MAX, |m| {
        usize::try_from(m).unwrap_or(usize::MAX).max(1)
    })
}

/// What `finish` says to a decoder whose last update stopped at its limit.
pub(crate) fn output_left() -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "finish() before the decoder handed out all its output: call update with an empty chunk until it returns nothing",
    )
}

/// A compression level given as a JavaScript number: an integer, else
/// `INVALID_ARGUMENT` (the encoder then checks the range for its format).
pub fn level_from_number(value: f64) -> Result<i32> {
    if value.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&value) {
        #[allow(clippy::cast_possible_truncation)] // an integer within i32, checked just above
        Ok(value as i32)
    } else {
        Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "level {} is not an integer level",
                crate::size::number_text(value)
            ),
        )
        .in_field("level"))
    }
}

/// A streaming encoder for one compression.
pub enum Encoder {
    /// gzip at a level.
    Gzip(GzipEncoder),
    /// zstd (ruzstd's fastest level).
    Zstd(ZstdEncoder),
    /// Plain data, passed through.
    Uncompressed,
}

impl Encoder {
    /// An encoder for `compression` at `level` (gzip: -2..9, default 6;
    /// zstd: any level, always encoded at level 1; uncompressed: ignored).
    pub fn new(compression: Compression, level: Option<i32>) -> Result<Encoder> {
        Ok(match compression {
            Compression::Gzip => Encoder::Gzip(GzipEncoder::new(level.unwrap_or(-1))?),
            Compression::Zstd => Encoder::Zstd(ZstdEncoder::new()),
            Compression::Uncompressed => Encoder::Uncompressed,
        })
    }

    /// The level really used: the gzip level, 1 for zstd, `None` uncompressed.
    pub fn level(&self) -> Option<i32> {
        match self {
            Encoder::Gzip(e) => Some(e.level()),
            Encoder::Zstd(_) => Some(ZstdEncoder::LEVEL),
            Encoder::Uncompressed => None,
        }
    }

    /// Compress `input`, handing compressed bytes to `sink`.
    pub fn update(&mut self, input: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        match self {
            Encoder::Gzip(e) => e.update(input, sink),
            Encoder::Zstd(e) => e.update(input, sink),
            Encoder::Uncompressed => sink(input),
        }
    }

    /// End of input: write what is left.
    pub fn finish(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        match self {
            Encoder::Gzip(e) => e.finish(sink),
            Encoder::Zstd(e) => e.finish(sink),
            Encoder::Uncompressed => Ok(()),
        }
    }
}

/// Decompress a whole blob (compression detected when `None`).
pub fn decompress(
    data: &[u8],
    compression: Option<Compression>,
    limits: Limits,
) -> Result<Vec<u8>> {
    let compression = match compression {
        Some(c) => c,
        None => detect_compression(data).ok_or_else(unknown)?,
    };
    let mut out = Vec::new();
    if compression == Compression::Gzip && data.len() >= 18 {
        // The last member's ISIZE is a size hint (only a hint: it is mod 2^32
        // and covers one member), capped so a hostile value costs nothing;
        // try_reserve so a failed reservation is not an abort.
        let isize = u32::from_le_bytes([
            data[data.len() - 4],
            data[data.len() - 3],
            data[data.len() - 2],
            data[data.len() - 1],
        ]);
        let hint = u64::from(isize).min(limits.max_output).min(1 << 30);
        let _ = out.try_reserve(usize::try_from(hint).unwrap_or(0));
    }
    let mut decoder = Decoder::new(compression, limits);
    decoder.update(data, &mut |chunk| {
        out.extend_from_slice(chunk);
        Ok(())
    })?;
    decoder.finish()?;
    Ok(out)
}

/// Compress a whole blob; returns the bytes and the level really used.
pub fn compress(
    data: &[u8],
    compression: Compression,
    level: Option<i32>,
) -> Result<(Vec<u8>, Option<i32>)> {
    let mut out = Vec::new();
    let mut encoder = Encoder::new(compression, level)?;
    let mut sink = |chunk: &[u8]| {
        out.extend_from_slice(chunk);
        Ok(())
    };
    encoder.update(data, &mut sink)?;
    encoder.finish(&mut sink)?;
    Ok((out, encoder.level()))
}

pub(crate) fn unknown() -> Error {
    Error::new(
        ErrorKind::UnknownCompression,
        "the data is neither gzip, zstd nor a tar stream",
    )
    .at_offset(0)
}

#[cfg(test)]
mod tests;
