//! The one error type of the crate: an [`ErrorKind`] with a stable code, a
//! human message and, where known, the [`Location`] of the offending input.
//!
//! Codes are part of the public contract (house style, principle 4): they are
//! listed in `tests/error_codes.json`, and the Rust, Node and Python test
//! suites fail when their list drifts from that file.

use std::fmt;

/// What went wrong, as a closed set of stable codes.
///
/// The enum is `#[non_exhaustive]`: later versions add kinds, never rename or
/// remove one. Match on [`ErrorKind::code`] across language boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A digest string does not follow the OCI digest grammar, or its encoded
    /// part has the wrong length or characters for its algorithm.
    InvalidDigest,
    /// A digest algorithm that is well formed but not one this library can
    /// compute (only `sha256` and `sha512` are).
    UnsupportedAlgorithm,
    /// Content hashes to a different digest than the one expected.
    DigestMismatch,
    /// Content has a different length than the one expected.
    SizeMismatch,
    /// A size that cannot be represented where it must go, such as a number
    /// above 2^53−1 for JavaScript, a negative or a fractional size.
    SizeOutOfRange,
    /// An argument that is not valid for the function called.
    InvalidArgument,
    /// A cache option string that the CSV reader refuses: empty, a bare `"`
    /// in an unquoted field, text after a closing quote, an unterminated
    /// quote, or bytes that are not UTF-8.
    InvalidCsv,
    /// A field of a `key=value` option string that has no `=`.
    InvalidField,
    /// An option string without a (non-empty) `type`.
    MissingType,
    /// A cache type other than `registry`, `local`, `inline`, `gha`, `s3` and
    /// `azblob`.
    UnknownCacheType,
    /// An option value that its backend would refuse or misread, such as
    /// `mode=maximum` or `compression-level=12` for gzip.
    InvalidOptionValue,
    /// A required option is missing or empty, such as `ref` for `registry`.
    MissingOption,
    /// An option, or a cache type, that cannot be used where it is, such as
    /// `type=inline` for an import.
    OptionNotAllowed,
    /// An image reference that does not follow the reference grammar.
    InvalidReference,
    /// Warning: an option its backend does not know (kept, and ignored by
    /// BuildKit).
    UnknownOption,
    /// Warning: a known option that has no effect where it is, such as `src`
    /// on an export or `compression` on `gha`.
    OptionIgnored,
    /// Data that does not start like any compression this library reads.
    UnknownCompression,
    /// Compressed data that is malformed: a bad gzip header, deflate stream
    /// or zstd frame.
    InvalidCompressedData,
    /// A checksum inside the compressed data (gzip CRC-32, zstd content
    /// checksum) does not match the data.
    ChecksumMismatch,
    /// A gzip member's ISIZE does not match its uncompressed length.
    LengthMismatch,
    /// The compressed data ends before its stream does.
    TruncatedData,
    /// Bytes after the end of the compressed stream that are not another
    /// member or frame.
    TrailingData,
    /// A zstd frame needs a window larger than the limit.
    WindowTooLarge,
    /// The uncompressed data exceeds the limit (a decompression bomb).
    SizeLimitExceeded,
}

impl ErrorKind {
    /// Every kind, in the order of `tests/error_codes.json`.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidDigest,
        ErrorKind::UnsupportedAlgorithm,
        ErrorKind::DigestMismatch,
        ErrorKind::SizeMismatch,
        ErrorKind::SizeOutOfRange,
        ErrorKind::InvalidArgument,
        ErrorKind::InvalidCsv,
        ErrorKind::InvalidField,
        ErrorKind::MissingType,
        ErrorKind::UnknownCacheType,
        ErrorKind::InvalidOptionValue,
        ErrorKind::MissingOption,
        ErrorKind::OptionNotAllowed,
        ErrorKind::InvalidReference,
        ErrorKind::UnknownOption,
        ErrorKind::OptionIgnored,
        ErrorKind::UnknownCompression,
        ErrorKind::InvalidCompressedData,
        ErrorKind::ChecksumMismatch,
        ErrorKind::LengthMismatch,
        ErrorKind::TruncatedData,
        ErrorKind::TrailingData,
        ErrorKind::WindowTooLarge,
        ErrorKind::SizeLimitExceeded,
    ];

    /// The stable `SCREAMING_SNAKE_CASE` code of this kind, e.g. `INVALID_DIGEST`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidDigest => "INVALID_DIGEST",
            ErrorKind::UnsupportedAlgorithm => "UNSUPPORTED_ALGORITHM",
            ErrorKind::DigestMismatch => "DIGEST_MISMATCH",
            ErrorKind::SizeMismatch => "SIZE_MISMATCH",
            ErrorKind::SizeOutOfRange => "SIZE_OUT_OF_RANGE",
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::InvalidCsv => "INVALID_CSV",
            ErrorKind::InvalidField => "INVALID_FIELD",
            ErrorKind::MissingType => "MISSING_TYPE",
            ErrorKind::UnknownCacheType => "UNKNOWN_CACHE_TYPE",
            ErrorKind::InvalidOptionValue => "INVALID_OPTION_VALUE",
            ErrorKind::MissingOption => "MISSING_OPTION",
            ErrorKind::OptionNotAllowed => "OPTION_NOT_ALLOWED",
            ErrorKind::InvalidReference => "INVALID_REFERENCE",
            ErrorKind::UnknownOption => "UNKNOWN_OPTION",
            ErrorKind::OptionIgnored => "OPTION_IGNORED",
            ErrorKind::UnknownCompression => "UNKNOWN_COMPRESSION",
            ErrorKind::InvalidCompressedData => "INVALID_COMPRESSED_DATA",
            ErrorKind::ChecksumMismatch => "CHECKSUM_MISMATCH",
            ErrorKind::LengthMismatch => "LENGTH_MISMATCH",
            ErrorKind::TruncatedData => "TRUNCATED_DATA",
            ErrorKind::TrailingData => "TRAILING_DATA",
            ErrorKind::WindowTooLarge => "WINDOW_TOO_LARGE",
            ErrorKind::SizeLimitExceeded => "SIZE_LIMIT_EXCEEDED",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Where in the input an error was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The field, key or JSON path the error is about, such as `size` or
    /// `layers[3].blob`.
    pub field: Option<String>,
    /// The byte offset in the input string where the problem starts.
    pub offset: Option<usize>,
}

/// The error returned by every fallible function of this crate.
///
/// ```
/// use ocicache::{Digest, ErrorKind};
///
/// let err = Digest::parse("sha256:ABC").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidDigest);
/// assert_eq!(err.code(), "INVALID_DIGEST");
/// assert_eq!(err.offset(), Some(7));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    location: Option<Location>,
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a message and no location.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            location: None,
        }
    }

    /// The same error, located at byte `offset` of the input.
    #[must_use]
    pub fn at_offset(mut self, offset: usize) -> Self {
        self.location.get_or_insert_with(Location::default).offset = Some(offset);
        self
    }

    /// The same error, about `field`.
    #[must_use]
    pub fn in_field(mut self, field: impl Into<String>) -> Self {
        self.location.get_or_insert_with(Location::default).field = Some(field.into());
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable code of the kind, e.g. `DIGEST_MISMATCH`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The message, without code or location.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the error was found, if known.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The field of the location, if known.
    pub fn field(&self) -> Option<&str> {
        self.location.as_ref()?.field.as_deref()
    }

    /// The byte offset of the location, if known.
    pub fn offset(&self) -> Option<usize> {
        self.location.as_ref()?.offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match (self.field(), self.offset()) {
            (Some(field), Some(offset)) => write!(f, " (field {field}, offset {offset})"),
            (Some(field), None) => write!(f, " (field {field})"),
            (None, Some(offset)) => write!(f, " (offset {offset})"),
            (None, None) => Ok(()),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_screaming_snake() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = kind.code();
            assert!(seen.insert(code), "duplicate code {code}");
            assert!(code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
        }
    }

    #[test]
    fn display_includes_location() {
        let err = Error::new(ErrorKind::InvalidArgument, "bad")
            .in_field("size")
            .at_offset(3);
        assert_eq!(err.to_string(), "bad (field size, offset 3)");
        assert_eq!(err.message(), "bad");
        assert_eq!(err.field(), Some("size"));
    }
}
