//! BuildKit's cache config v0 (`application/vnd.buildkit.cacheconfig.v0`):
//! the graph of cache keys (`records`) and the layer chains (`layers`) their
//! results point to.
//!
//! Spec: cache-format.md §2.1 (schema: a missing `parent` means 0, `-1`
//! means none), §2.2 (the importer's checks, `validate.rs`), §2.3 step 5
//! (sorting, `normalize.rs`), §2.4 (Go's bytes, `write.rs`); the queries of
//! `graph.rs` are ours. Reading keeps unknown members ([`Extra`]) and follows
//! Go's decoder (`read.rs`), so that reading and writing any real export
//! gives the same bytes and hence the same digest.
//!
//! ```
//! use ocicache::CacheConfig;
//!
//! let json = br#"{"layers":[{"blob":"sha256:0ad52e338662c923b15fd45a73c6e97336efccf28a7aef9449443cc6dd7415fb","parent":-1}],"records":[{"layers":[{"layer":0,"createdAt":"2024-01-01T00:00:00Z"}],"digest":"sha256:29e8a56dfde089212df9eeebaf90d4bebe58a2f5e192cc7f6adb9bbe15dd5ac7"}]}"#;
//! let config = CacheConfig::from_bytes(json)?;
//! assert_eq!(config.to_bytes(), json);
//! assert!(config.validate().is_empty());
//! assert_eq!(config.layer_chain(0)?, [0]);
//! # Ok::<(), ocicache::Error>(())
//! ```

mod graph;
mod normalize;
mod read;
mod validate;
mod write;

pub use graph::RecordSize;
pub use validate::ValidateOptions;

use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::json::Extra;
use crate::json::reader::document;
use crate::time::Timestamp;

/// The largest manifest or config BuildKit imports: 1 MiB (`1 << 20`).
pub const BUILDKIT_MAX_BLOB_SIZE: u64 = 1 << 20;

/// The largest document this library reads unless told otherwise: 512 MiB.
pub const DEFAULT_MAX_DOCUMENT_SIZE: u64 = 512 << 20;

/// A cache config: layer chains and cache-key records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheConfig {
    /// `layers`: layer chain nodes.
    pub layers: Vec<CacheLayer>,
    /// `records`: cache keys.
    pub records: Vec<CacheRecord>,
    /// Members this library does not know.
    pub extra: Extra,
}

/// One node of a layer chain (`layers[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheLayer {
    /// `blob`: the layer blob's digest; `None` when absent.
    pub blob: Option<Digest>,
    /// `parent`: the index of the layer below, `-1` for a base layer. A
    /// missing key means 0 (Go omits a zero `parent`).
    pub parent: i64,
    /// `annotations`, written only by the gha, s3 and azblob exporters.
    pub annotations: Option<LayerAnnotations>,
    /// Members this library does not know.
    pub extra: Extra,
}

/// What gha, s3 and azblob exports store about a layer, having no manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerAnnotations {
    /// `mediaType` of the layer blob.
    pub media_type: String,
    /// `diffID`: the digest of the uncompressed tar.
    pub diff_id: Option<Digest>,
    /// `size` of the blob.
    pub size: u64,
    /// `createdAt` (always written; Go's zero time when unknown).
    pub created_at: Timestamp,
    /// Members this library does not know.
    pub extra: Extra,
}

/// One cache key (`records[i]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheRecord {
    /// `layers`: results stored as the chain ending at a layer.
    pub results: Vec<CacheResult>,
    /// `chains`: results stored as explicit lists of layer indexes (inline
    /// cache).
    pub chains: Vec<ChainedResult>,
    /// `digest`: the cache key (not checked as a digest, like BuildKit).
    pub digest: String,
    /// `inputs`: one slot per dependency, each listing alternatives.
    pub inputs: Vec<Vec<CacheInput>>,
    /// Members this library does not know.
    pub extra: Extra,
}

/// A result stored as a layer chain (`records[i].layers[j]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheResult {
    /// `layer`: the top layer's index in `layers`.
    pub layer: i64,
    /// `createdAt`.
    pub created_at: Timestamp,
    /// Members this library does not know.
    pub extra: Extra,
}

/// A result stored as an explicit list of layers (`records[i].chains[j]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainedResult {
    /// `layers`: layer indexes, base first.
    pub layers: Vec<i64>,
    /// `createdAt`.
    pub created_at: Timestamp,
    /// Members this library does not know.
    pub extra: Extra,
}

/// One alternative of an input slot (`records[i].inputs[j][k]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheInput {
    /// `selector`: an opaque string, often a digest of a path selector.
    pub selector: String,
    /// `link`: the index of the input record in `records`.
    pub link: i64,
    /// Members this library does not know.
    pub extra: Extra,
}

impl CacheLayer {
    /// A layer of `blob` on top of `parent` (`-1` for none).
    pub fn new(blob: Digest, parent: i64) -> Self {
        CacheLayer {
            blob: Some(blob),
            parent,
            annotations: None,
            extra: Extra::default(),
        }
    }
}

impl CacheConfig {
    /// Reads a cache config from its JSON bytes (at most
    /// [`DEFAULT_MAX_DOCUMENT_SIZE`]), tolerantly like BuildKit's importer.
    pub fn from_bytes(bytes: &[u8]) -> Result<CacheConfig> {
        CacheConfig::from_bytes_with_limit(bytes, DEFAULT_MAX_DOCUMENT_SIZE)
    }

    /// [`CacheConfig::from_bytes`] with our own size limit:
    /// [`ErrorKind::SizeLimitExceeded`] above `max_size` bytes.
    pub fn from_bytes_with_limit(bytes: &[u8], max_size: u64) -> Result<CacheConfig> {
        check_limit(bytes, max_size)?;
        document(bytes, read::config)
    }

    /// Reads the bare `records` array of an inline cache
    /// (`moby.buildkit.cache.v0`), with no `layers`.
    pub fn from_records_bytes(bytes: &[u8]) -> Result<CacheConfig> {
        let records = document(bytes, read::records)?;
        Ok(CacheConfig {
            records,
            ..CacheConfig::default()
        })
    }

    /// The config as compact JSON, byte-for-byte as BuildKit writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        write::config(self)
    }

    /// The `records` array alone, as the inline cache stores it.
    pub fn records_to_bytes(&self) -> Vec<u8> {
        write::records(self)
    }
}

/// [`ErrorKind::SizeLimitExceeded`] when `bytes` is longer than `max_size`.
pub(crate) fn check_limit(bytes: &[u8], max_size: u64) -> Result<()> {
    if bytes.len() as u64 > max_size {
        return Err(Error::new(
            ErrorKind::SizeLimitExceeded,
            format!(
                "document is {} bytes, over the limit of {max_size}",
                bytes.len()
            ),
        ));
    }
    Ok(())
}
