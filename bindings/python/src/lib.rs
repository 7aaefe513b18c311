//! Python binding of `ocicache` (pyo3, abi3 for CPython 3.9+): the
//! `ocicache._native` extension module. One file per core module, each a thin
//! adapter; `buffer.rs` turns Python byte objects into slices.
#![deny(missing_docs)]

use pyo3::prelude::*;

mod budget;
mod buffer;
mod cache;
mod cache_config;
mod cache_manifest;
mod cloud;
mod collection;
mod compression;
mod conversion;
mod digest;
mod digester;
mod error;
mod inline;
mod inspection;
mod layer;
mod layout;
mod manifest;
mod media_type;
mod merge;
mod options;
mod plain;
mod pruning;
mod registry;
mod storage_keys;
mod transfer;
mod verification;

/// The extension module `ocicache._native`; the `ocicache` package re-exports it.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("OcicacheError", m.py().get_type::<error::OcicacheError>())?;
    m.add_function(wrap_pyfunction!(error::error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(budget::parse_byte_size, m)?)?;
    m.add_function(wrap_pyfunction!(budget::parse_duration_ms, m)?)?;
    m.add_class::<digest::Digest>()?;
    m.add_class::<cache::CacheLoader>()?;
    m.add_class::<cache::Cache>()?;
    m.add_class::<inspection::Inspection>()?;
    m.add_class::<verification::Verification>()?;
    m.add_class::<verification::VerifyReport>()?;
    m.add_class::<verification::BlobVerifier>()?;
    m.add_class::<collection::GcPlan>()?;
    m.add_class::<pruning::PrunePlan>()?;
    m.add_class::<conversion::Conversion>()?;
    m.add_class::<merge::Merge>()?;
    m.add_class::<merge::CacheWrite>()?;
    m.add_class::<digester::Digester>()?;
    m.add_function(wrap_pyfunction!(digester::digest, m)?)?;
    m.add_function(wrap_pyfunction!(digester::verify, m)?)?;
    m.add_function(wrap_pyfunction!(compression::detect_compression, m)?)?;
    m.add_class::<compression::Decoder>()?;
    m.add_class::<compression::Encoder>()?;
    m.add_function(wrap_pyfunction!(compression::decompress, m)?)?;
    m.add_function(wrap_pyfunction!(compression::compress, m)?)?;
    m.add_function(wrap_pyfunction!(layer::layer_digests, m)?)?;
    m.add_class::<layer::LayerDigester>()?;
    m.add_class::<layer::LayerCompressor>()?;
    m.add_class::<options::CacheOptions>()?;
    m.add_function(wrap_pyfunction!(options::parse_cache_options, m)?)?;
    m.add_class::<options::CacheOptionsEntry>()?;
    m.add_function(wrap_pyfunction!(options::parse_cache_entries, m)?)?;
    m.add_class::<cache_config::CacheConfig>()?;
    m.add_class::<cache_manifest::CacheManifest>()?;
    m.add_class::<manifest::ImageManifest>()?;
    m.add_class::<manifest::ImageIndex>()?;
    m.add_class::<layout::OciLayout>()?;
    m.add_class::<layout::Reachability>()?;
    m.add_class::<cloud::CloudDocuments>()?;
    m.add_function(wrap_pyfunction!(cloud::cloud_config, m)?)?;
    m.add_function(wrap_pyfunction!(cloud::cloud_documents, m)?)?;
    m.add_class::<inline::InlineCache>()?;
    m.add_function(wrap_pyfunction!(inline::inline_cache, m)?)?;
    m.add_function(wrap_pyfunction!(storage_keys::gha_blob_key, m)?)?;
    m.add_function(wrap_pyfunction!(storage_keys::gha_index_key, m)?)?;
    m.add_function(wrap_pyfunction!(storage_keys::gha_signature_key, m)?)?;
    m.add_function(wrap_pyfunction!(storage_keys::s3_blob_key, m)?)?;
    m.add_function(wrap_pyfunction!(storage_keys::s3_manifest_key, m)?)?;
    m.add_function(wrap_pyfunction!(storage_keys::azblob_blob_path, m)?)?;
    m.add_function(wrap_pyfunction!(storage_keys::azblob_manifest_path, m)?)?;
    m.add_class::<transfer::CopyPlan>()?;
    m.add_class::<registry::RegistryLocation>()?;
    m.add_class::<registry::Challenge>()?;
    m.add_function(wrap_pyfunction!(registry::manifest_accept, m)?)?;
    m.add_function(wrap_pyfunction!(registry::is_manifest_media_type, m)?)?;
    m.add_function(wrap_pyfunction!(registry::token_from_response, m)?)?;
    m.add_function(wrap_pyfunction!(registry::docker_config_credentials, m)?)?;
    m.add_function(wrap_pyfunction!(registry::registry_error, m)?)?;
    m.add_function(wrap_pyfunction!(registry::resolve_url, m)?)?;
    m.add_function(wrap_pyfunction!(registry::upload_location, m)?)?;
    m.add_function(wrap_pyfunction!(registry::credentials_allowed, m)?)?;
    m.add_function(wrap_pyfunction!(registry::same_origin, m)?)?;
    m.add_class::<media_type::MediaType>()?;
    m.add_function(wrap_pyfunction!(media_type::media_types, m)?)?;
    Ok(())
}
