//! `Merge` and `CacheWrite` (core `merge.rs`).

use napi::bindgen_prelude::{Buffer, Env, Result, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::cache::{Cache, form, gone};
use crate::error::to_js;

/// Merges caches: `add(cache, tag)` each source, then `finish(form)`.
#[napi]
pub struct Merge {
    pub(crate) inner: Option<ocicache::Merge>,
}

#[napi]
impl Merge {
    /// An empty merge.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Merge {
            inner: Some(ocicache::Merge::new()),
        }
    }

    /// Adds the entry tagged `tag` of `cache`.
    #[napi(ts_args_type = "cache: Cache, tag: string")]
    pub fn add(&mut self, env: &Env, cache: &Cache, tag: Unknown<'_>) -> Result<()> {
        let tag = arg::string(env, "tag", tag)?;
        let (m, c) = cache.inner.cache_entry(&tag).map_err(|e| to_js(env, &e))?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.add(m, c).map_err(|e| to_js(env, &e))
    }

    /// The merged cache in `form` (default `image-manifest`).
    #[napi(ts_args_type = "form?: string | undefined | null")]
    pub fn finish(&mut self, env: &Env, form: Unknown<'_>) -> Result<CacheWrite> {
        let form = self::form(env, form)?.unwrap_or(ocicache::CacheForm::ImageManifest);
        let inner = self.inner.take().ok_or_else(|| gone(env))?;
        Ok(CacheWrite {
            inner: inner.finish(form).map_err(|e| to_js(env, &e))?,
        })
    }
}

/// A new config and manifest to write: the config blob, the manifest blob,
/// then the descriptor into `index.json`.
#[napi]
pub struct CacheWrite {
    pub(crate) inner: ocicache::CacheWrite,
}

#[napi]
impl CacheWrite {
    /// The config blob.
    #[napi(getter, ts_return_type = "Uint8Array")]
    pub fn config_bytes(&self, env: &Env) -> Result<Buffer> {
        crate::bytes::buffer(env, &self.inner.config_bytes)
    }

    /// The manifest blob.
    #[napi(getter, ts_return_type = "Uint8Array")]
    pub fn manifest_bytes(&self, env: &Env) -> Result<Buffer> {
        crate::bytes::buffer(env, &self.inner.manifest_bytes)
    }

    /// The manifest's descriptor for `index.json`, as plain data.
    #[napi(getter, ts_return_type = "Record<string, any>")]
    pub fn descriptor(&self, env: &Env) -> Result<Value> {
        crate::plain::object(env, &self.inner.descriptor.to_bytes())
    }

    /// The digest of the config blob.
    #[napi(getter)]
    pub fn config_digest(&self) -> String {
        self.inner.manifest.config().digest.to_string()
    }

    /// The layer blobs the manifest lists, each once.
    #[napi(getter)]
    pub fn layers(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        self.inner
            .manifest
            .layers()
            .filter(|d| seen.insert(d.digest.clone()))
            .map(|d| d.digest.to_string())
            .collect()
    }
}
