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
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod compression;
mod csv;
mod digest;
mod digester;
mod error;
mod layer;
mod options;
mod reference;
mod size;

pub use compression::{
    Compression, DETECT_LEN, Decoder, Encoder, GzipDecoder, GzipEncoder, Limits, Sink, ZstdDecoder,
    ZstdEncoder, compress, decompress, detect_compression, estargz_toc_offset, level_from_number,
};
pub use csv::{CsvField, split_csv};
pub use digest::{Algorithm, Digest};
pub use digester::{Digester, digest, verify};
pub use error::{Error, ErrorKind, Location, Result};
pub use layer::{CompressedLayer, LayerCompressor, LayerDigester, LayerDigests, layer_digests};
pub use options::{
    AzblobSettings, CacheOptions, CacheType, CompressionSettings, CompressionType, Dialect,
    Direction, ExportSettings, GhaSettings, InlineSettings, KeyCase, LocalSettings, Mode,
    ParseOptions, RegistrySettings, S3Settings, Settings, parse_cache_options,
    parse_cache_options_bytes,
};
pub use reference::{DEFAULT_DOMAIN, Reference};
pub use size::{MAX_SAFE_INTEGER, size_from_number, size_to_number};
