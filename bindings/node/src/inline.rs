//! `inlineCache` (core `inline.rs`).

use napi::bindgen_prelude::{Env, Result, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::cache_config::CacheConfig;
use crate::error::to_js;
use crate::plain;

/// An image's inline cache.
#[napi]
pub struct InlineCache {
    config: ocicache::CacheConfig,
    layers: Vec<ocicache::Descriptor>,
}

#[napi]
impl InlineCache {
    /// The records over the image's layers (a new `CacheConfig` each time).
    #[napi(getter)]
    pub fn config(&self) -> CacheConfig {
        CacheConfig {
            inner: self.config.clone(),
        }
    }

    /// The image's layer descriptors, annotated like BuildKit's importer.
    #[napi(getter, ts_return_type = "Record<string, any>[]")]
    pub fn layers(&self, env: &Env) -> Result<Vec<Value>> {
        self.layers
            .iter()
            .map(|d| plain::object(env, &d.to_bytes()))
            .collect()
    }
}

/// The inline cache of an image from its manifest and config bytes, or
/// `null` when the image has none.
#[napi(ts_args_type = "manifest: Uint8Array, imageConfig: Uint8Array")]
pub fn inline_cache(
    env: &Env,
    manifest: Unknown<'_>,
    image_config: Unknown<'_>,
) -> Result<Option<InlineCache>> {
    let manifest = ocicache::ImageManifest::from_bytes(arg::bytes(env, "manifest", manifest)?)
        .map_err(|e| to_js(env, &e))?;
    let found = ocicache::inline_cache(&manifest, arg::bytes(env, "imageConfig", image_config)?)
        .map_err(|e| to_js(env, &e))?;
    Ok(found.map(|c| InlineCache {
        config: c.config,
        layers: c.layers,
    }))
}
