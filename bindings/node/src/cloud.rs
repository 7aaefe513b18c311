//! `cloudConfig` and `cloudDocuments` (core `cloud.rs`): the gha/s3/azblob
//! form of a cache and the manifest and config a layout holds for it.

use napi::bindgen_prelude::{Buffer, Env, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::error::to_js;

/// A cloud cache as a layout holds it.
#[napi(object)]
pub struct CloudDocuments {
    /// The manifest (image-manifest form).
    #[napi(ts_type = "Uint8Array")]
    pub manifest: Buffer,
    /// The config it names: the cloud config without its annotations.
    #[napi(ts_type = "Uint8Array")]
    pub config: Buffer,
}

/// The cloud config (what s3/azblob/gha store) of a cache manifest and its
/// config: each layer annotated from the manifest's descriptor of its blob.
#[napi(
    ts_args_type = "manifest: Uint8Array, config: Uint8Array",
    ts_return_type = "Uint8Array"
)]
pub fn cloud_config(env: &Env, manifest: Unknown<'_>, config: Unknown<'_>) -> Result<Buffer> {
    let manifest = ocicache::CacheManifest::from_bytes(arg::bytes(env, "manifest", manifest)?)
        .map_err(|e| to_js(env, &e))?;
    let config = ocicache::CacheConfig::from_bytes(arg::bytes(env, "config", config)?)
        .map_err(|e| to_js(env, &e))?;
    let cloud = ocicache::cloud_config(&manifest, &config).map_err(|e| to_js(env, &e))?;
    crate::bytes::buffer(env, &cloud.to_bytes())
}

/// The manifest and config a layout would hold for a cloud config, as
/// BuildKit's importer reads it.
#[napi(ts_args_type = "config: Uint8Array")]
pub fn cloud_documents(env: &Env, config: Unknown<'_>) -> Result<CloudDocuments> {
    let config = ocicache::CacheConfig::from_bytes(arg::bytes(env, "config", config)?)
        .map_err(|e| to_js(env, &e))?;
    let docs = ocicache::cloud_documents(&config).map_err(|e| to_js(env, &e))?;
    Ok(CloudDocuments {
        manifest: docs.manifest.into(),
        config: docs.config.into(),
    })
}
