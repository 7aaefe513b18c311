//! OCI content digests: the grammar and the registered-algorithm rules.
//!
//! Spec: `oci-basics.md` §1 (image-spec `descriptor.md` "Digests", go-digest
//! v1.0.0 `Parse`/`Validate`). The order of checks copies go-digest, so the
//! same string fails with the same kind of error:
//!
//! 1. split at the first `:`; an empty algorithm or empty encoded part is an
//!    invalid format;
//! 2. an algorithm this library cannot compute is checked against the generic
//!    grammar (`^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`): failing it is
//!    [`ErrorKind::InvalidDigest`], passing it is
//!    [`ErrorKind::UnsupportedAlgorithm`];
//! 3. for `sha256` and `sha512` the **length** of the encoded part is checked
//!    first, then that it is lowercase hex.
//!
//! `sha384` and `blake3` are deliberately unsupported: go-digest v1.0.0 (which
//! BuildKit links) knows `sha384` but the OCI spec does not register it, and
//! `blake3` is registered only after image-spec v1.1.1. Both parse as well-formed
//! but unsupported.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// A digest algorithm this library can compute. The default is SHA-256.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// SHA-256, the canonical algorithm of OCI content.
    #[default]
    Sha256,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// Every supported algorithm.
    pub const ALL: &'static [Algorithm] = &[Algorithm::Sha256, Algorithm::Sha512];

    /// The algorithm named `name` (`sha256` or `sha512`, exact case).
    ///
    /// A well-formed name of another algorithm is
    /// [`ErrorKind::UnsupportedAlgorithm`]; a name that does not fit the
    /// algorithm grammar is [`ErrorKind::InvalidArgument`].
    pub fn parse(name: &str) -> Result<Algorithm> {
        match name {
            "sha256" => Ok(Algorithm::Sha256),
            "sha512" => Ok(Algorithm::Sha512),
            _ => {
                let err = match algorithm_grammar_error(name) {
                    None => Error::new(
                        ErrorKind::UnsupportedAlgorithm,
                        format!("unsupported digest algorithm {name:?}: use sha256 or sha512"),
                    ),
                    Some(offset) => Error::new(
                        ErrorKind::InvalidArgument,
                        format!("invalid digest algorithm name {name:?}"),
                    )
                    .at_offset(offset),
                };
                Err(err.in_field("algorithm"))
            }
        }
    }

    /// The name used in digest strings, e.g. `sha256`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// The number of hex characters of the encoded part (64 or 128).
    pub fn encoded_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Algorithm::parse(s)
    }
}

/// A validated digest of a supported algorithm, such as
/// `sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`.
///
/// The encoded part is always lowercase hex of the exact length, so it is safe
/// to use as a file name (`blobs/<algorithm>/<encoded>`).
///
/// ```
/// use ocicache::{Algorithm, Digest};
///
/// let d = Digest::parse(
///     "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
/// )?;
/// assert_eq!(d.algorithm(), Algorithm::Sha256);
/// assert_eq!(&d.encoded()[..8], "e3b0c442");
/// assert_eq!(d.to_string(), d.as_str());
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    value: String,
    algorithm: Algorithm,
}

impl Digest {
    /// Parse and validate a digest string (see the module docs for the rules).
    pub fn parse(s: &str) -> Result<Digest> {
        let invalid = |what: &str, offset: usize| {
            Error::new(
                ErrorKind::InvalidDigest,
                format!("invalid checksum digest {what}: {}", quote_short(s)),
            )
            .at_offset(offset)
        };
        let Some(colon) = s.find(':') else {
            return Err(invalid("format (no ':')", s.len()));
        };
        if colon == 0 {
            return Err(invalid("format (empty algorithm)", 0));
        }
        if colon + 1 == s.len() {
            return Err(invalid("format (empty encoded part)", s.len()));
        }
        let (name, encoded) = (&s[..colon], &s[colon + 1..]);
        let algorithm = match name {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => {
                if let Some(offset) = algorithm_grammar_error(name) {
                    return Err(invalid("format", offset));
                }
                if let Some(offset) = encoded
                    .bytes()
                    .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-')))
                {
                    return Err(invalid("format", colon + 1 + offset));
                }
                return Err(Error::new(
                    ErrorKind::UnsupportedAlgorithm,
                    format!(
                        "unsupported digest algorithm {name:?} in {}: use sha256 or sha512",
                        quote_short(s)
                    ),
                )
                .at_offset(0));
            }
        };
        if encoded.len() != algorithm.encoded_len() {
            return Err(Error::new(
                ErrorKind::InvalidDigest,
                format!(
                    "invalid checksum digest length: {} has {} characters after '{name}:', expected {}",
                    quote_short(s),
                    encoded.len(),
                    algorithm.encoded_len()
                ),
            )
            .at_offset(colon + 1));
        }
        if let Some(offset) = encoded
            .bytes()
            .position(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(invalid("format (not lowercase hex)", colon + 1 + offset));
        }
        Ok(Digest {
            value: s.to_owned(),
            algorithm,
        })
    }

    /// The digest of a hash output: `algorithm:` followed by lowercase hex.
    pub(crate) fn from_hash(algorithm: Algorithm, hash: &[u8]) -> Digest {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut value = String::with_capacity(algorithm.as_str().len() + 1 + hash.len() * 2);
        value.push_str(algorithm.as_str());
        value.push(':');
        for &b in hash {
            value.push(char::from(HEX[usize::from(b >> 4)]));
            value.push(char::from(HEX[usize::from(b & 15)]));
        }
        Digest { value, algorithm }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The encoded part: lowercase hex, after the `:`.
    pub fn encoded(&self) -> &str {
        &self.value[self.algorithm.as_str().len() + 1..]
    }

    /// The whole digest string, `algorithm:encoded`.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl FromStr for Digest {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Digest::parse(s)
    }
}

impl AsRef<str> for Digest {
    fn as_ref(&self) -> &str {
        &self.value
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.value)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The offset of the first character that breaks the algorithm grammar
/// (`[a-z0-9]+` components joined by single `+`, `.`, `_` or `-`), if any.
fn algorithm_grammar_error(name: &str) -> Option<usize> {
    let mut previous_was_component = false;
    for (i, b) in name.bytes().enumerate() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            previous_was_component = true;
        } else if matches!(b, b'+' | b'.' | b'_' | b'-') && previous_was_component {
            previous_was_component = false;
        } else {
            return Some(i);
        }
    }
    if previous_was_component {
        None
    } else {
        Some(name.len())
    }
}

/// The input quoted for a message, cut so that a hostile megabyte of input
/// does not become a megabyte of error message.
fn quote_short(s: &str) -> String {
    const MAX: usize = 160;
    if s.len() <= MAX {
        return format!("{s:?}");
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}… ({} bytes)", &s[..end], s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str =
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn parses_and_splits() {
        let d = Digest::parse(EMPTY_SHA256).unwrap();
        assert_eq!(d.algorithm(), Algorithm::Sha256);
        assert_eq!(d.encoded().len(), 64);
        assert_eq!(d.as_str(), EMPTY_SHA256);
    }

    #[test]
    fn length_is_checked_before_charset() {
        let err = Digest::parse("sha256:d41d8cd98f00b204e9800m98ecf8427e").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidDigest);
        assert!(err.message().contains("length"), "{err}");
        assert_eq!(err.offset(), Some(7));
    }

    #[test]
    fn grammar_of_algorithm_names() {
        for ok in [
            "sha256",
            "sha256+b64u",
            "sha256.foo-bar",
            "multihash+base58",
            "a",
        ] {
            assert_eq!(algorithm_grammar_error(ok), None, "{ok}");
        }
        for (bad, at) in [
            ("SHA256", 0),
            ("sha256+", 7),
            ("+sha256", 0),
            ("sha384__foo", 7),
        ] {
            assert_eq!(algorithm_grammar_error(bad), Some(at), "{bad}");
        }
    }

    #[test]
    fn long_input_gives_short_message() {
        let s = format!("sha256:{}", "é".repeat(1_000_000));
        let err = Digest::parse(&s).unwrap_err();
        assert!(err.message().len() < 400);
    }

    #[test]
    fn serde_round_trip() {
        let d = Digest::parse(EMPTY_SHA256).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, format!("\"{EMPTY_SHA256}\""));
        let back: Digest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        assert!(serde_json::from_str::<Digest>("\"sha256:00\"").is_err());
    }
}
