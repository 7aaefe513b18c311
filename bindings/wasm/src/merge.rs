//! `Merge` and `CacheWrite` (core `merge.rs`).

use wasm_bindgen::prelude::*;

use crate::arg;
use crate::cache::{Cache, form, gone};
use crate::error::to_js;

/// Merges caches: `add(cache, tag)` each source, then `finish(form)`.
#[wasm_bindgen]
pub struct Merge {
    pub(crate) inner: Option<ocicache::Merge>,
}

#[wasm_bindgen]
impl Merge {
    /// An empty merge.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Merge {
        Merge {
            inner: Some(ocicache::Merge::new()),
        }
    }

    /// Adds the entry tagged `tag` of `cache`.
    pub fn add(
        &mut self,
        cache: &Cache,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
    ) -> Result<(), JsValue> {
        let tag = arg::string("tag", tag)?;
        let (m, c) = cache.inner.cache_entry(&tag).map_err(|e| to_js(&e))?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .add(m, c)
            .map_err(|e| to_js(&e))
    }

    /// The merged cache in `form` (default `image-manifest`).
    pub fn finish(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] form: &JsValue,
    ) -> Result<CacheWrite, JsValue> {
        let form = self::form(form)?.unwrap_or(ocicache::CacheForm::ImageManifest);
        let inner = self.inner.take().ok_or_else(gone)?;
        Ok(CacheWrite {
            inner: inner.finish(form).map_err(|e| to_js(&e))?,
        })
    }
}

/// A new config and manifest to write: the config blob, the manifest blob,
/// then the descriptor into `index.json`.
#[wasm_bindgen]
pub struct CacheWrite {
    pub(crate) inner: ocicache::CacheWrite,
}

#[wasm_bindgen]
impl CacheWrite {
    /// The config blob.
    #[wasm_bindgen(getter, js_name = configBytes, unchecked_return_type = "Uint8Array")]
    pub fn config_bytes(&self) -> JsValue {
        js_sys::Uint8Array::from(self.inner.config_bytes.as_slice()).into()
    }

    /// The manifest blob.
    #[wasm_bindgen(getter, js_name = manifestBytes, unchecked_return_type = "Uint8Array")]
    pub fn manifest_bytes(&self) -> JsValue {
        js_sys::Uint8Array::from(self.inner.manifest_bytes.as_slice()).into()
    }

    /// The manifest's descriptor for `index.json`, as plain data.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>")]
    pub fn descriptor(&self) -> Result<JsValue, JsValue> {
        crate::plain::object(&self.inner.descriptor.to_bytes())
    }

    /// The digest of the config blob.
    #[wasm_bindgen(getter, js_name = configDigest)]
    pub fn config_digest(&self) -> String {
        self.inner.manifest.config().digest.to_string()
    }

    /// The layer blobs the manifest lists, each once.
    #[wasm_bindgen(getter)]
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
