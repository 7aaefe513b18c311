//! `inlineCache` (core `inline.rs`).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::cache_config::CacheConfig;
use crate::error::to_js;
use crate::plain;

/// An image's inline cache.
#[wasm_bindgen]
pub struct InlineCache {
    config: ocicache::CacheConfig,
    layers: Vec<ocicache::Descriptor>,
}

#[wasm_bindgen]
impl InlineCache {
    /// The records over the image's layers (a new `CacheConfig` each time).
    #[wasm_bindgen(getter)]
    pub fn config(&self) -> CacheConfig {
        CacheConfig {
            inner: self.config.clone(),
        }
    }

    /// The image's layer descriptors, annotated like BuildKit's importer.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>[]")]
    pub fn layers(&self) -> Result<JsValue, JsValue> {
        let out = Array::new();
        for d in &self.layers {
            out.push(&plain::object(&d.to_bytes())?);
        }
        Ok(out.into())
    }
}

/// The inline cache of an image from its manifest and config bytes, or
/// `null` when the image has none.
#[wasm_bindgen(js_name = inlineCache, unchecked_return_type = "InlineCache | null")]
pub fn inline_cache(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] manifest: &JsValue,
    #[wasm_bindgen(js_name = imageConfig, unchecked_param_type = "Uint8Array")]
    image_config: &JsValue,
) -> Result<JsValue, JsValue> {
    let manifest = ocicache::ImageManifest::from_bytes(&arg::bytes("manifest", manifest)?)
        .map_err(|e| to_js(&e))?;
    let found = ocicache::inline_cache(&manifest, &arg::bytes("imageConfig", image_config)?)
        .map_err(|e| to_js(&e))?;
    Ok(found.map_or(JsValue::NULL, |c| {
        InlineCache {
            config: c.config,
            layers: c.layers,
        }
        .into()
    }))
}
