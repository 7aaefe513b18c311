//! The decoder of uncompressed layers: it passes the bytes through, under
//! the same size limit and output limit as the real ones.

use super::held::Held;
use super::{Limits, Sink, budget, limit_error, output_left};
use crate::error::Result;

/// A decoder that passes plain data through.
#[derive(Debug)]
pub struct PlainDecoder {
    size: u64,
    limits: Limits,
    held: Held,
    stopped: bool,
}

impl PlainDecoder {
    /// A decoder with `limits` (only `max_output` applies).
    pub fn new(limits: Limits) -> Self {
        PlainDecoder {
            size: 0,
            limits,
            held: Held::default(),
            stopped: false,
        }
    }

    /// See [`super::Decoder::update_limited`].
    pub fn update_limited(
        &mut self,
        input: &[u8],
        max: Option<u64>,
        sink: &mut Sink<'_>,
    ) -> Result<bool> {
        let mut left = budget(max);
        let (size, limits) = (&mut self.size, self.limits);
        self.held.feed(input, |data| {
            let n = data.len().min(left);
            *size += n as u64;
            if *size > limits.max_output {
                return Err(limit_error(limits.max_output));
            }
            if n > 0 {
                sink(&data[..n])?;
            }
            left -= n;
            Ok(n)
        })?;
        self.stopped = left == 0;
        Ok(self.stopped)
    }

    /// End of input: fails only when the last update stopped at its limit.
    pub fn finish(&mut self) -> Result<()> {
        if self.stopped {
            return Err(output_left());
        }
        Ok(())
    }
}
