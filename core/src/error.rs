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
    /// JSON that is malformed, nested too deeply, or of the wrong type for
    /// its field (a string where an integer belongs, a fraction for an index).
    InvalidJson,
    /// A field the format requires is absent or empty, such as a
    /// descriptor's `digest` or a manifest's `config`.
    MissingField,
    /// A cache config input `link` outside `records` (BuildKit: `invalid
    /// record ID`).
    InvalidRecordIndex,
    /// Cache records that reach themselves through their input links
    /// (BuildKit: `invalid looping record`).
    LoopingRecord,
    /// A cache record input slot with no alternatives (BuildKit: `invalid
    /// empty input for record`).
    EmptyInput,
    /// A layer index (a result's `layer`, a chain entry or a `parent`)
    /// outside `layers` (BuildKit: `invalid layer index`).
    InvalidLayerIndex,
    /// A layer whose `parent` chain comes back to itself (BuildKit: `invalid
    /// looping layer`).
    LoopingLayer,
    /// A blob the cache refers to that its manifest or store does not have;
    /// BuildKit drops the results that need it.
    MissingBlob,
    /// A layer without a valid `containerd.io/uncompressed` annotation (or
    /// `diffID`), which BuildKit needs to use it.
    MissingDiffId,
    /// A time that is not RFC 3339 the way Go reads it, or a year outside
    /// 0000–9999 that Go cannot write.
    InvalidTime,
    /// A media type that does not follow RFC 6838, or is not the one its
    /// document must have.
    InvalidMediaType,
    /// A `mediaType` of the other family than the document's content (an
    /// index type on a manifest, or the reverse).
    MediaTypeMismatch,
    /// A document with both `manifests` and `config`/`layers` (BuildKit:
    /// `invalid ambiguous manifest and manifest list`).
    AmbiguousManifest,
    /// A manifest or index without an
    /// `application/vnd.buildkit.cacheconfig.v0` config: not a cache (perhaps an image
    /// with inline cache).
    MissingCacheConfig,
    /// A manifest or index whose `schemaVersion` is not 2.
    InvalidSchemaVersion,
    /// Warning: a manifest or cache config over 1 MiB, which BuildKit refuses
    /// to import.
    BlobTooLarge,
    /// An OCI layout whose `oci-layout` file is not
    /// `{"imageLayoutVersion":"1.0.0"}`-compatible.
    InvalidLayout,
    /// No `index.json` entry has the tag asked for.
    TagNotFound,
    /// A tag that is empty or not a valid `org.opencontainers.image.ref.name`.
    InvalidTag,
    /// A `data` field or inline cache value that is not padded standard
    /// base64.
    InvalidBase64,
    /// An image config whose `rootfs.diff_ids` count differs from the
    /// manifest's layer count (BuildKit skips its inline cache).
    LayerCountMismatch,
    /// A layer descriptor whose media type is not a layer type BuildKit
    /// imports.
    UnknownMediaType,
    /// A layer whose content does not hash to its diffID (the
    /// `containerd.io/uncompressed` annotation).
    DiffIdMismatch,
    /// The storage could not read or write a blob.
    StorageError,
    /// A document the operation needs to follow is missing or unreadable,
    /// so what it reaches is unknown (gc refuses).
    IncompleteCache,
    /// A registry refused the request for want of credentials or rights
    /// (HTTP 401 or 403), or the credentials given were wrong.
    Unauthorized,
    /// A registry answered with a status the request does not expect, or
    /// with content that does not match what it names (such as a
    /// `Docker-Content-Digest` other than the digest of the bytes sent).
    RegistryError,
    /// An operation the storage cannot carry out, such as deleting blobs
    /// from a registry.
    UnsupportedOperation,
    /// Another process held a layout's `index.json.lock` (BuildKit's lock)
    /// for longer than the operation would wait.
    CacheLocked,
    /// `index.json` names the same tag more than once (a warning: BuildKit
    /// and every operation take the first).
    DuplicateTag,
    /// A path where a blob, `index.json` or `oci-layout` should be is not
    /// a regular file (a directory, FIFO, device or socket, or a symlink to
    /// one or to nothing): it is never read, and gc never deletes it.
    NotAFile,
    /// A prune's size budget is below what must stay whatever is dropped:
    /// every document, and the results of the tags kept whole.
    BudgetTooSmall,
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
        ErrorKind::InvalidJson,
        ErrorKind::MissingField,
        ErrorKind::InvalidRecordIndex,
        ErrorKind::LoopingRecord,
        ErrorKind::EmptyInput,
        ErrorKind::InvalidLayerIndex,
        ErrorKind::LoopingLayer,
        ErrorKind::MissingBlob,
        ErrorKind::MissingDiffId,
        ErrorKind::InvalidTime,
        ErrorKind::InvalidMediaType,
        ErrorKind::MediaTypeMismatch,
        ErrorKind::AmbiguousManifest,
        ErrorKind::MissingCacheConfig,
        ErrorKind::InvalidSchemaVersion,
        ErrorKind::BlobTooLarge,
        ErrorKind::InvalidLayout,
        ErrorKind::TagNotFound,
        ErrorKind::InvalidTag,
        ErrorKind::InvalidBase64,
        ErrorKind::LayerCountMismatch,
        ErrorKind::UnknownMediaType,
        ErrorKind::DiffIdMismatch,
        ErrorKind::StorageError,
        ErrorKind::IncompleteCache,
        ErrorKind::Unauthorized,
        ErrorKind::RegistryError,
        ErrorKind::UnsupportedOperation,
        ErrorKind::CacheLocked,
        ErrorKind::DuplicateTag,
        ErrorKind::NotAFile,
        ErrorKind::BudgetTooSmall,
    ];

    /// The kind whose [`ErrorKind::code`] is `code`
    /// ([`ErrorKind::InvalidArgument`] when there is none).
    pub fn from_code(code: &str) -> Result<ErrorKind, Error> {
        ErrorKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == code)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("no error code {code:?}"),
                )
            })
    }

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
            ErrorKind::InvalidJson => "INVALID_JSON",
            ErrorKind::MissingField => "MISSING_FIELD",
            ErrorKind::InvalidRecordIndex => "INVALID_RECORD_INDEX",
            ErrorKind::LoopingRecord => "LOOPING_RECORD",
            ErrorKind::EmptyInput => "EMPTY_INPUT",
            ErrorKind::InvalidLayerIndex => "INVALID_LAYER_INDEX",
            ErrorKind::LoopingLayer => "LOOPING_LAYER",
            ErrorKind::MissingBlob => "MISSING_BLOB",
            ErrorKind::MissingDiffId => "MISSING_DIFF_ID",
            ErrorKind::InvalidTime => "INVALID_TIME",
            ErrorKind::InvalidMediaType => "INVALID_MEDIA_TYPE",
            ErrorKind::MediaTypeMismatch => "MEDIA_TYPE_MISMATCH",
            ErrorKind::AmbiguousManifest => "AMBIGUOUS_MANIFEST",
            ErrorKind::MissingCacheConfig => "MISSING_CACHE_CONFIG",
            ErrorKind::InvalidSchemaVersion => "INVALID_SCHEMA_VERSION",
            ErrorKind::BlobTooLarge => "BLOB_TOO_LARGE",
            ErrorKind::InvalidLayout => "INVALID_LAYOUT",
            ErrorKind::TagNotFound => "TAG_NOT_FOUND",
            ErrorKind::InvalidTag => "INVALID_TAG",
            ErrorKind::InvalidBase64 => "INVALID_BASE64",
            ErrorKind::LayerCountMismatch => "LAYER_COUNT_MISMATCH",
            ErrorKind::UnknownMediaType => "UNKNOWN_MEDIA_TYPE",
            ErrorKind::DiffIdMismatch => "DIFF_ID_MISMATCH",
            ErrorKind::StorageError => "STORAGE_ERROR",
            ErrorKind::IncompleteCache => "INCOMPLETE_CACHE",
            ErrorKind::Unauthorized => "UNAUTHORIZED",
            ErrorKind::RegistryError => "REGISTRY_ERROR",
            ErrorKind::UnsupportedOperation => "UNSUPPORTED_OPERATION",
            ErrorKind::CacheLocked => "CACHE_LOCKED",
            ErrorKind::DuplicateTag => "DUPLICATE_TAG",
            ErrorKind::NotAFile => "NOT_A_FILE",
            ErrorKind::BudgetTooSmall => "BUDGET_TOO_SMALL",
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

    /// The same error, inside `parent`: the field path becomes
    /// `parent.field` (or `parent[3]` for an index segment).
    #[must_use]
    pub fn within(mut self, parent: &str) -> Self {
        let location = self.location.get_or_insert_with(Location::default);
        location.field = Some(match location.field.take() {
            None => parent.to_owned(),
            Some(field) if field.starts_with('[') => format!("{parent}{field}"),
            Some(field) => format!("{parent}.{field}"),
        });
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
            assert!(
                code.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            );
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
