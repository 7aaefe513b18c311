//! zstd (RFC 8878) with ruzstd: a push decoder over frames and skippable
//! frames with a window limit, and an encoder that writes one frame per
//! block of input at ruzstd's only working level.
//!
//! Spec: RFC 8878 §3.1.1 (frame: magic `28 b5 2f fd`, frame header with
//! `Frame_Header_Descriptor`, blocks, optional XXH64-based content
//! checksum), §3.1.2 (skippable frames: magic `0x184D2A5?`, a 4-byte size,
//! then data); `cache-format.md` ("Layer blobs": zstd layers). A stream is
//! any sequence of frames; ruzstd 0.9 encodes only at its `Fastest` level
//! (about zstd level 1), so every requested level maps to 1 and the encoder
//! says so.

use ruzstd::decoding::FrameDecoder;
use ruzstd::decoding::errors::FrameDecoderError;
use ruzstd::encoding::CompressionLevel;

use super::{Limits, Sink, budget, limit_error, output_left};
use crate::error::{Error, ErrorKind, Result};

const MAGIC: u32 = 0xFD2F_B528;
const OUT_CHUNK: usize = 128 * 1024;
/// The most a block holds (RFC 8878 §3.1.1.2.3 `Block_Maximum_Size`).
const BLOCK_MAX: usize = 128 * 1024;
/// Input the encoder gathers into one frame.
const FRAME_INPUT: usize = 4 << 20;

fn at(e: Error, offset: u64) -> Error {
    e.at_offset(usize::try_from(offset).unwrap_or(usize::MAX))
}

/// The length of a zstd frame header starting with `h` (magic included),
/// once its descriptor byte is there.
fn header_len(h: &[u8]) -> Option<usize> {
    let fhd = *h.get(4)?;
    let single_segment = fhd & 0x20 != 0;
    let fcs = match fhd >> 6 {
        0 => usize::from(single_segment),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let dict = [0, 1, 2, 4][usize::from(fhd & 3)];
    Some(5 + usize::from(!single_segment) + dict + fcs)
}

/// A streaming zstd decoder: push compressed bytes, get uncompressed bytes.
pub struct ZstdDecoder {
    frame: Box<FrameDecoder>,
    in_frame: bool,
    /// Whether the current frame ends with a content checksum.
    checksum: bool,
    skip: u64,
    buf: Vec<u8>,
    pos: usize,
    out: Vec<u8>,
    total_in: u64,
    total_out: u64,
    frames: u64,
    limits: Limits,
    /// Output the current update may still hand out.
    budget: usize,
    /// Whether the last update stopped at its output limit.
    stopped: bool,
}

impl ZstdDecoder {
    /// A decoder with `limits` (the window limit applies to every frame).
    pub fn new(limits: Limits) -> Self {
        let mut frame = Box::new(FrameDecoder::new());
        frame.set_max_window_size(limits.max_zstd_window);
        ZstdDecoder {
            frame,
            in_frame: false,
            checksum: false,
            skip: 0,
            buf: Vec::new(),
            pos: 0,
            out: vec![0; OUT_CHUNK],
            total_in: 0,
            total_out: 0,
            frames: 0,
            limits,
            budget: usize::MAX,
            stopped: false,
        }
    }

    /// The number of complete frames (skippable ones included) so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        self.total_in += n as u64;
    }

    fn emit(&mut self, written: usize, sink: &mut Sink<'_>) -> Result<()> {
        if written > 0 {
            self.total_out += written as u64;
            if self.total_out > self.limits.max_output {
                return Err(limit_error(self.limits.max_output));
            }
            sink(&self.out[..written])?;
            self.budget = self.budget.saturating_sub(written);
        }
        Ok(())
    }

    fn map(&self, e: &FrameDecoderError) -> Error {
        let err = match e {
            FrameDecoderError::WindowSizeTooBig { requested, max } => Error::new(
                ErrorKind::WindowTooLarge,
                format!(
                    "zstd: the frame needs a {requested}-byte window, more than the {max}-byte limit"
                ),
            ),
            FrameDecoderError::DictNotProvided { dict_id } => Error::new(
                ErrorKind::InvalidCompressedData,
                format!("zstd: the frame needs dictionary {dict_id}, which is not available"),
            ),
            other => Error::new(ErrorKind::InvalidCompressedData, format!("zstd: {other}")),
        };
        at(err, self.total_in)
    }

    /// Decode `input`, handing uncompressed bytes to `sink`.
    pub fn update(&mut self, input: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        self.update_limited(input, None, sink).map(drop)
    }

    /// See [`super::Decoder::update_limited`].
    pub fn update_limited(
        &mut self,
        input: &[u8],
        max: Option<u64>,
        sink: &mut Sink<'_>,
    ) -> Result<bool> {
        self.budget = budget(max);
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        self.buf.extend_from_slice(input);
        self.run(sink)?;
        if self.pos > self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.stopped = self.budget == 0;
        Ok(self.stopped)
    }

    fn run(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        loop {
            if self.budget == 0 {
                return Ok(());
            }
            let available = self.buf.len() - self.pos;
            if self.skip > 0 {
                let n = usize::try_from(self.skip)
                    .unwrap_or(usize::MAX)
                    .min(available);
                self.consume(n);
                self.skip -= n as u64;
                if self.skip > 0 {
                    return Ok(());
                }
                self.frames += 1;
                continue;
            }
            if !self.in_frame {
                if available < 4 {
                    return Ok(());
                }
                let rest = &self.buf[self.pos..];
                let magic = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
                if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                    if available < 8 {
                        return Ok(());
                    }
                    self.skip = u64::from(u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]));
                    self.consume(8);
                    if self.skip == 0 {
                        self.frames += 1;
                    }
                    continue;
                }
                if magic != MAGIC {
                    let (kind, message) = if self.frames > 0 {
                        (
                            ErrorKind::TrailingData,
                            "zstd: data after the last frame that is not another frame",
                        )
                    } else {
                        (
                            ErrorKind::InvalidCompressedData,
                            "zstd: wrong magic number (not zstd)",
                        )
                    };
                    return Err(at(Error::new(kind, message), self.total_in));
                }
                let Some(len) = header_len(rest) else {
                    return Ok(());
                };
                if available < len {
                    return Ok(());
                }
                self.checksum = rest[4] & 0x04 != 0;
                let mut header = &rest[..len];
                if let Err(e) = self.frame.reset(&mut header) {
                    return Err(self.map(&e));
                }
                self.consume(len);
                self.in_frame = true;
            }
            // One block at a time: ruzstd decodes every complete block it
            // is given before handing anything out, and a block of a few
            // bytes (RLE) stands for 128 KiB, so a whole input chunk could
            // be gigabytes. A block at a time keeps memory at the window
            // plus one block, whatever the layer's size. What a block made
            // is handed out (drained) before the next one is decoded, and
            // before the frame counts as done.
            self.drain(sink)?;
            if self.budget == 0 {
                return Ok(());
            }
            if self.frame.is_finished() {
                self.end_frame()?;
                continue;
            }
            let Some(len) = self.next_block_len()? else {
                return Ok(());
            };
            let (read, written) = match self
                .frame
                .decode_from_to(&self.buf[self.pos..self.pos + len], &mut self.out)
            {
                Ok(r) => r,
                Err(e) => return Err(self.map(&e)),
            };
            self.consume(read);
            self.emit(written, sink)?;
            if read == 0 && !self.frame.is_finished() {
                return Err(at(
                    Error::new(
                        ErrorKind::InvalidCompressedData,
                        "zstd: a block the decoder could not read",
                    ),
                    self.total_in,
                ));
            }
        }
    }

    /// The current frame is decoded and handed out: checks its content
    /// checksum and counts it.
    fn end_frame(&mut self) -> Result<()> {
        if let (Some(stored), Some(computed)) = (
            self.frame.get_checksum_from_data(),
            self.frame.get_calculated_checksum(),
        ) && stored != computed
        {
            return Err(at(
                Error::new(
                    ErrorKind::ChecksumMismatch,
                    format!(
                        "zstd: content checksum {stored:08x} in the frame, {computed:08x} computed"
                    ),
                ),
                self.total_in - 4,
            ));
        }
        self.in_frame = false;
        self.frames += 1;
        Ok(())
    }

    /// The input length of the next block (its header, its content, and the
    /// frame's checksum after the last block), once all of it is there.
    fn next_block_len(&self) -> Result<Option<usize>> {
        let rest = &self.buf[self.pos..];
        if rest.len() < 3 {
            return Ok(None);
        }
        let header = u32::from(rest[0]) | u32::from(rest[1]) << 8 | u32::from(rest[2]) << 16;
        let last = header & 1 == 1;
        let size = usize::try_from(header >> 3).unwrap_or(usize::MAX);
        if size > BLOCK_MAX {
            return Err(at(
                Error::new(
                    ErrorKind::InvalidCompressedData,
                    format!("zstd: a block of {size} bytes, over the 128 KiB maximum"),
                ),
                self.total_in,
            ));
        }
        // RLE: one byte repeated; reserved (3): ruzstd says what is wrong.
        let body = match (header >> 1) & 3 {
            1 => 1,
            3 => 0,
            _ => size,
        };
        let len = 3 + body + if last && self.checksum { 4 } else { 0 };
        Ok((rest.len() >= len).then_some(len))
    }

    /// Hands out everything decoded that the frame no longer needs (all of
    /// it once the frame is finished), or as much as the budget allows.
    fn drain(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        while self.budget > 0 && self.frame.can_collect() > 0 {
            let written = match self.frame.decode_from_to(&[], &mut self.out) {
                Ok((_, w)) => w,
                Err(e) => return Err(self.map(&e)),
            };
            if written == 0 {
                break;
            }
            self.emit(written, sink)?;
        }
        Ok(())
    }

    /// End of input: the last frame must be complete (and the last update
    /// must not have stopped at its output limit).
    pub fn finish(&mut self) -> Result<()> {
        if self.stopped {
            return Err(output_left());
        }
        let pending = self.buf.len() - self.pos;
        if self.in_frame || self.skip > 0 || pending > 0 || self.frames == 0 {
            let message = if self.total_in == 0 && pending == 0 {
                "zstd: no data"
            } else {
                "zstd: the data ends inside a frame"
            };
            return Err(at(
                Error::new(ErrorKind::TruncatedData, message),
                self.total_in + pending as u64,
            ));
        }
        Ok(())
    }
}

/// A streaming zstd encoder: gathers input into blocks of 4 MiB and writes
/// each as one frame (a multi-frame stream any zstd decoder reads).
pub struct ZstdEncoder {
    pending: Vec<u8>,
    wrote_frame: bool,
}

impl ZstdEncoder {
    /// The level actually used: ruzstd's `Fastest`, about zstd level 1.
    pub const LEVEL: i32 = 1;

    /// An encoder. Any requested level maps to [`ZstdEncoder::LEVEL`].
    pub fn new() -> Self {
        ZstdEncoder {
            pending: Vec::new(),
            wrote_frame: false,
        }
    }

    fn frame(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        let data = std::mem::take(&mut self.pending);
        let compressed =
            ruzstd::encoding::compress_to_vec(data.as_slice(), CompressionLevel::Fastest);
        self.wrote_frame = true;
        sink(&compressed)
    }

    /// Compress `input`, handing zstd bytes to `sink`.
    pub fn update(&mut self, mut input: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        while !input.is_empty() {
            let take = input.len().min(FRAME_INPUT - self.pending.len());
            self.pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.pending.len() == FRAME_INPUT {
                self.frame(sink)?;
            }
        }
        Ok(())
    }

    /// Write the last frame (an empty one if nothing was written).
    pub fn finish(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        if !self.pending.is_empty() || !self.wrote_frame {
            self.frame(sink)?;
        }
        Ok(())
    }
}

impl Default for ZstdEncoder {
    fn default() -> Self {
        Self::new()
    }
}
