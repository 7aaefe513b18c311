//! gha, s3 and azblob keys (core `storage_keys.rs`).

use napi::ValueType;
use napi::bindgen_prelude::{Env, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::digest::from_js as digest;

/// `buildkit-blob-1-<digest>`.
#[napi(ts_args_type = "digest: string | Digest")]
pub fn gha_blob_key(env: &Env, blob: Unknown<'_>) -> Result<String> {
    Ok(ocicache::gha_blob_key(&digest(env, blob)?))
}

/// `index-<scope>-1-<hash of githubScope>` (`-sig` when signed).
#[napi(ts_args_type = "scope: string, githubScope: string, signed?: boolean | undefined | null")]
pub fn gha_index_key(
    env: &Env,
    scope: Unknown<'_>,
    github_scope: Unknown<'_>,
    signed: Unknown<'_>,
) -> Result<String> {
    let signed = signed.get_type()? == ValueType::Boolean
        && napi::bindgen_prelude::FromNapiValue::from_unknown(signed)?;
    Ok(ocicache::gha_index_key(
        &arg::string(env, "scope", scope)?,
        &arg::string(env, "githubScope", github_scope)?,
        signed,
    ))
}

/// `buildkit-blob-1-<indexDigest>-sig`.
#[napi(ts_args_type = "indexDigest: string | Digest")]
pub fn gha_signature_key(env: &Env, index_digest: Unknown<'_>) -> Result<String> {
    Ok(ocicache::gha_signature_key(&digest(env, index_digest)?))
}

/// `<prefix><blobsPrefix><digest>`.
#[napi(ts_args_type = "prefix: string, blobsPrefix: string, digest: string | Digest")]
pub fn s3_blob_key(
    env: &Env,
    prefix: Unknown<'_>,
    blobs_prefix: Unknown<'_>,
    blob: Unknown<'_>,
) -> Result<String> {
    Ok(ocicache::s3_blob_key(
        &arg::string(env, "prefix", prefix)?,
        &arg::string(env, "blobsPrefix", blobs_prefix)?,
        &digest(env, blob)?,
    ))
}

/// `<prefix><manifestsPrefix><name>`.
#[napi(ts_args_type = "prefix: string, manifestsPrefix: string, name: string")]
pub fn s3_manifest_key(
    env: &Env,
    prefix: Unknown<'_>,
    manifests_prefix: Unknown<'_>,
    name: Unknown<'_>,
) -> Result<String> {
    Ok(ocicache::s3_manifest_key(
        &arg::string(env, "prefix", prefix)?,
        &arg::string(env, "manifestsPrefix", manifests_prefix)?,
        &arg::string(env, "name", name)?,
    ))
}

/// `path.Join(prefix, blobsPrefix, digest)`.
#[napi(ts_args_type = "prefix: string, blobsPrefix: string, digest: string | Digest")]
pub fn azblob_blob_path(
    env: &Env,
    prefix: Unknown<'_>,
    blobs_prefix: Unknown<'_>,
    blob: Unknown<'_>,
) -> Result<String> {
    Ok(ocicache::azblob_blob_path(
        &arg::string(env, "prefix", prefix)?,
        &arg::string(env, "blobsPrefix", blobs_prefix)?,
        &digest(env, blob)?,
    ))
}

/// `path.Join(prefix, manifestsPrefix, name)`.
#[napi(ts_args_type = "prefix: string, manifestsPrefix: string, name: string")]
pub fn azblob_manifest_path(
    env: &Env,
    prefix: Unknown<'_>,
    manifests_prefix: Unknown<'_>,
    name: Unknown<'_>,
) -> Result<String> {
    Ok(ocicache::azblob_manifest_path(
        &arg::string(env, "prefix", prefix)?,
        &arg::string(env, "manifestsPrefix", manifests_prefix)?,
        &arg::string(env, "name", name)?,
    ))
}
