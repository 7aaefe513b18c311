//! `mediaTypes` (core `media_type.rs`); the package builds `MediaType` from it.

use napi_derive::napi;

/// The media type constants, by name (`OCI_MANIFEST`, `CACHE_CONFIG`, …).
#[napi(ts_return_type = "Record<string, string>")]
pub fn media_types() -> std::collections::HashMap<&'static str, &'static str> {
    ocicache::MediaType::ALL.iter().copied().collect()
}
