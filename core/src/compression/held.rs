//! Input a decoder was given but has not decoded yet: what an output limit
//! ([`super::Decoder::update_limited`]) stopped it short of, decoded ahead
//! of the next input.

use crate::error::Result;

/// Held input: the bytes from `pos` on in `buf`.
#[derive(Debug, Default)]
pub(crate) struct Held {
    buf: Vec<u8>,
    pos: usize,
}

impl Held {
    /// The bytes held.
    pub(crate) fn len(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Runs `decode` on what is held followed by `input` (on `input` itself,
    /// uncopied, when nothing is held) and keeps what it did not use.
    /// `decode` returns how many bytes it used.
    pub(crate) fn feed(
        &mut self,
        input: &[u8],
        mut decode: impl FnMut(&[u8]) -> Result<usize>,
    ) -> Result<()> {
        if self.len() == 0 {
            self.buf.clear();
            self.pos = 0;
            let used = decode(input)?;
            self.buf.extend_from_slice(&input[used..]);
        } else {
            self.buf.extend_from_slice(input);
            let used = decode(&self.buf[self.pos..])?;
            self.pos += used;
            if self.len() == 0 {
                self.buf.clear();
                self.pos = 0;
            }
        }
        Ok(())
    }
}
