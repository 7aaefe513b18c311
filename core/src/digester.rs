//! Computing and verifying digests, streaming or in one shot.
//!
//! Spec: `oci-basics.md` §1.4: `digest = alg ":" lowercase_hex(H(bytes))` over
//! the exact bytes, nothing canonicalised; verification checks the size before
//! hashing (§1.4, §7 rule 10).
//!
//! SHA-256 is the `ocicache-sha256` crate's (`core/sha256`): `sha2`'s
//! compression function (the CPU's SHA extensions when present, detected at
//! run time), except in the WASM build, which has its own for 128-bit SIMD.
//! SHA-512 is `sha2`'s.

use ocicache_sha256::Sha256;
use sha2::Digest as _;

use crate::digest::{Algorithm, Digest};
use crate::error::{Error, ErrorKind, Result};

/// A streaming hasher: feed chunks with [`update`](Digester::update), read the
/// digest of everything so far with [`finalize`](Digester::finalize).
///
/// `finalize` does not consume the state, like Go's `hash.Hash.Sum`: more
/// chunks may follow and `finalize` may be called again.
///
/// ```
/// use ocicache::{Algorithm, Digester, digest};
///
/// let mut d = Digester::new(Algorithm::Sha256);
/// d.update(b"hello ");
/// d.update(b"world");
/// assert_eq!(d.finalize(), digest(b"hello world", Algorithm::Sha256));
/// assert_eq!(d.size(), 11);
/// ```
#[derive(Debug, Clone)]
pub struct Digester {
    state: State,
    size: u64,
}

#[derive(Debug, Clone)]
enum State {
    Sha256(Sha256),
    Sha512(sha2::Sha512),
}

impl Digester {
    /// A digester for `algorithm` with nothing hashed yet.
    pub fn new(algorithm: Algorithm) -> Digester {
        let state = match algorithm {
            Algorithm::Sha256 => State::Sha256(Sha256::new()),
            Algorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
        };
        Digester { state, size: 0 }
    }

    /// The algorithm this digester computes.
    pub fn algorithm(&self) -> Algorithm {
        match self.state {
            State::Sha256(_) => Algorithm::Sha256,
            State::Sha512(_) => Algorithm::Sha512,
        }
    }

    /// Hash one more chunk.
    pub fn update(&mut self, chunk: &[u8]) {
        match &mut self.state {
            State::Sha256(h) => h.update(chunk),
            State::Sha512(h) => h.update(chunk),
        }
        self.size += chunk.len() as u64;
    }

    /// The number of bytes hashed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The digest of every byte hashed so far. The digester stays usable.
    pub fn finalize(&self) -> Digest {
        match &self.state {
            State::Sha256(h) => Digest::from_hash(Algorithm::Sha256, &h.finalize()),
            State::Sha512(h) => Digest::from_hash(Algorithm::Sha512, &h.clone().finalize()),
        }
    }

    /// Check that what was hashed so far has `expected` digest and, if given,
    /// `size` bytes. The size is compared first.
    pub fn verify(&self, expected: &Digest, size: Option<u64>) -> Result<()> {
        if expected.algorithm() != self.algorithm() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "cannot verify {expected}: this digester computes {}",
                    self.algorithm()
                ),
            )
            .in_field("digest"));
        }
        check_size(self.size, size)?;
        let actual = self.finalize();
        if &actual == expected {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::DigestMismatch,
                format!("digest mismatch: expected {expected}, got {actual}"),
            )
            .in_field("digest"))
        }
    }
}

/// The digest of `bytes` with `algorithm`.
///
/// ```
/// use ocicache::{Algorithm, digest};
///
/// assert_eq!(
///     digest(b"{}", Algorithm::Sha256).as_str(),
///     "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
/// );
/// ```
pub fn digest(bytes: &[u8], algorithm: Algorithm) -> Digest {
    let mut d = Digester::new(algorithm);
    d.update(bytes);
    d.finalize()
}

/// Check that `bytes` have the `expected` digest (computed with its algorithm)
/// and, if given, the `size`. The size is checked first, without hashing.
///
/// ```
/// use ocicache::{Digest, ErrorKind, verify};
///
/// let empty = Digest::parse(
///     "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
/// )?;
/// verify(b"", &empty, Some(0))?;
/// assert_eq!(verify(b"x", &empty, None).unwrap_err().kind(), ErrorKind::DigestMismatch);
/// assert_eq!(verify(b"x", &empty, Some(0)).unwrap_err().kind(), ErrorKind::SizeMismatch);
/// # Ok::<(), ocicache::Error>(())
/// ```
pub fn verify(bytes: &[u8], expected: &Digest, size: Option<u64>) -> Result<()> {
    check_size(bytes.len() as u64, size)?;
    let mut d = Digester::new(expected.algorithm());
    d.update(bytes);
    d.verify(expected, None)
}

fn check_size(actual: u64, expected: Option<u64>) -> Result<()> {
    match expected {
        Some(expected) if expected != actual => Err(Error::new(
            ErrorKind::SizeMismatch,
            format!("size mismatch: expected {expected} bytes, got {actual}"),
        )
        .in_field("size")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        assert_eq!(
            digest(b"", Algorithm::Sha512).as_str(),
            "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
    }

    #[test]
    fn finalize_does_not_consume() {
        let mut d = Digester::new(Algorithm::Sha256);
        d.update(b"a");
        let first = d.finalize();
        assert_eq!(d.finalize(), first);
        d.update(b"b");
        assert_eq!(d.finalize(), digest(b"ab", Algorithm::Sha256));
    }

    #[test]
    fn verify_rejects_other_algorithm() {
        let mut d = Digester::new(Algorithm::Sha512);
        d.update(b"");
        let e = digest(b"", Algorithm::Sha256);
        assert_eq!(
            d.verify(&e, None).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        verify(b"", &digest(b"", Algorithm::Sha512), Some(0)).unwrap();
    }
}
