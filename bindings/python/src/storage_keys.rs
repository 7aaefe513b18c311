//! gha, s3 and azblob keys (core `storage_keys.rs`).

use pyo3::prelude::*;

use crate::digest::DigestArg;

/// ``buildkit-blob-1-<digest>``.
#[pyfunction]
pub fn gha_blob_key(blob: DigestArg) -> PyResult<String> {
    Ok(ocicache::gha_blob_key(&blob.into_core()?))
}

/// ``index-<scope>-1-<hash of github_scope>`` (``-sig`` when signed).
#[pyfunction]
#[pyo3(signature = (scope, github_scope, signed = false))]
pub fn gha_index_key(scope: &str, github_scope: &str, signed: bool) -> String {
    ocicache::gha_index_key(scope, github_scope, signed)
}

/// ``buildkit-blob-1-<index_digest>-sig``.
#[pyfunction]
pub fn gha_signature_key(index_digest: DigestArg) -> PyResult<String> {
    Ok(ocicache::gha_signature_key(&index_digest.into_core()?))
}

/// ``<prefix><blobs_prefix><digest>``.
#[pyfunction]
pub fn s3_blob_key(prefix: &str, blobs_prefix: &str, blob: DigestArg) -> PyResult<String> {
    Ok(ocicache::s3_blob_key(
        prefix,
        blobs_prefix,
        &blob.into_core()?,
    ))
}

/// ``<prefix><manifests_prefix><name>``.
#[pyfunction]
pub fn s3_manifest_key(prefix: &str, manifests_prefix: &str, name: &str) -> String {
    ocicache::s3_manifest_key(prefix, manifests_prefix, name)
}

/// ``path.Join(prefix, blobs_prefix, digest)``.
#[pyfunction]
pub fn azblob_blob_path(prefix: &str, blobs_prefix: &str, blob: DigestArg) -> PyResult<String> {
    Ok(ocicache::azblob_blob_path(
        prefix,
        blobs_prefix,
        &blob.into_core()?,
    ))
}

/// ``path.Join(prefix, manifests_prefix, name)``.
#[pyfunction]
pub fn azblob_manifest_path(prefix: &str, manifests_prefix: &str, name: &str) -> String {
    ocicache::azblob_manifest_path(prefix, manifests_prefix, name)
}
