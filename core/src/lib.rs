//! # ocicache
//!
//! Read, check, prune, merge and convert BuildKit build caches. This crate is
//! the pure core: it does no I/O (no files, no network, no clock). Callers
//! push bytes in and carry out the plans it returns; the Node, Python and
//! WASM bindings are thin adapters over it.
//!
//! The specs it implements live in the project's `shared/spec/` (from
//! BuildKit v0.32, buildx v0.36 and the OCI image spec); each module names
//! the section it follows.
//!
//! ```
//! use ocicache::{Algorithm, Digest, Digester, digest, verify};
//!
//! let d = digest(b"{}", Algorithm::Sha256);
//! assert_eq!(d, Digest::parse(d.as_str())?);
//! verify(b"{}", &d, Some(2))?;
//! # Ok::<(), ocicache::Error>(())
//! ```
//!
//! Feature `oci-spec`: `TryFrom` conversions between [`Descriptor`],
//! [`ImageManifest`], [`ImageIndex`], [`Digest`] and the `oci-spec` crate's
//! types, for programs that already use them. Write documents with this
//! crate's `to_bytes`, which are BuildKit's (Go's) bytes; oci-spec's serde
//! output is not (see the crate README).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The crate README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod budget;
mod cache;
mod cache_config;
mod cache_manifest;
mod cloud;
mod collection;
mod compression;
mod conversion;
mod csv;
mod descriptor;
mod digest;
mod digester;
mod error;
mod finding;
#[doc(hidden)]
pub mod fuzzing;
mod inline;
mod inspection;
mod json;
mod layer;
mod layout;
mod manifest;
mod media_type;
mod merge;
#[cfg(feature = "oci-spec")]
mod oci_types;
mod options;
mod pruning;
mod reference;
mod registry;
mod size;
mod storage_keys;
mod time;
mod transfer;
mod verification;

pub use budget::{parse_byte_size, parse_duration_ms};
pub use cache::{Cache, CacheEntry, CacheLoader, StoredBlob};
pub use cache_config::{
    BUILDKIT_MAX_BLOB_SIZE, CacheConfig, CacheInput, CacheLayer, CacheRecord, CacheResult,
    ChainedResult, DEFAULT_MAX_DOCUMENT_SIZE, LayerAnnotations, RecordSize, ValidateOptions,
};
pub use cache_manifest::{
    ANNOTATION_CREATED_AT, ANNOTATION_DESCRIPTION, ANNOTATION_UNCOMPRESSED, CacheDocument,
    CacheForm, CacheManifest, ESTARGZ_ANNOTATIONS,
};
pub use cloud::{CloudDocuments, cloud_config, cloud_documents};
pub use collection::{DEFAULT_GRACE_PERIOD_MS, GcOptions, GcPlan, Recheck};
pub use compression::{
    Compression, DETECT_LEN, Decoder, Encoder, GzipDecoder, GzipEncoder, Limits, PlainDecoder,
    Sink, ZstdDecoder, ZstdEncoder, compress, decompress, detect_compression, estargz_toc_offset,
    level_from_number,
};
pub use conversion::Conversion;
pub use csv::{CsvField, split_csv};
pub use descriptor::{Descriptor, Platform};
pub use digest::{Algorithm, Digest};
pub use digester::{Digester, digest, verify};
pub use error::{Error, ErrorKind, Location, Result};
pub use finding::{Finding, Severity, has_errors};
pub use inline::{INLINE_CACHE_KEY, InlineCache, inline_cache};
pub use inspection::Inspection;
pub use json::Extra;
pub use layer::{CompressedLayer, LayerCompressor, LayerDigester, LayerDigests, layer_digests};
pub use layout::{
    ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, DEFAULT_TAG, OciLayout, Reachability,
};
pub use manifest::{ImageIndex, ImageManifest};
pub use media_type::MediaType;
pub use merge::{CacheWrite, JOIN_DIGEST, Merge, is_join, merge};
pub use options::{
    AzblobSettings, CacheOptions, CacheOptionsEntry, CacheType, CompressionSettings,
    CompressionType, Dialect, Direction, ExportSettings, GhaSettings, InlineSettings, KeyCase,
    LocalSettings, Mode, ParseOptions, RegistrySettings, S3Settings, Settings, parse_cache_entries,
    parse_cache_entries_bytes, parse_cache_options, parse_cache_options_bytes,
};
pub use pruning::{PruneOptions, PrunePlan, PruneReason, PrunedEntry, PrunedLayer, PrunedResult};
pub use reference::{DEFAULT_DOMAIN, Reference};
pub use registry::{
    Challenge, Credentials, MANIFEST_ACCEPT, RegistryLocation, credentials_allowed,
    docker_config_credentials, is_loopback, is_manifest_media_type, registry_error, resolve_url,
    same_origin, scope, token_from_response, upload_location,
};
pub use size::{
    MAX_SAFE_INTEGER, check_safe_integers, plain_json, size_from_number, size_to_number,
};
pub use storage_keys::{
    azblob_blob_path, azblob_manifest_path, gha_blob_key, gha_index_key, gha_signature_key,
    s3_blob_key, s3_manifest_key,
};
pub use time::Timestamp;
pub use transfer::CopyPlan;
pub use verification::{BlobCheck, BlobDigests, BlobVerifier, Verification, VerifyReport};
