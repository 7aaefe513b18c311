//! `CacheManifest` (core `cache_manifest.rs`).

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::cache_config::CacheConfig;
use crate::error::to_js;
use crate::plain;

/// A cache manifest in any form (image manifest, OCI index, Docker list).
#[wasm_bindgen]
pub struct CacheManifest {
    inner: ocicache::CacheManifest,
}

fn form(value: &JsValue) -> Result<ocicache::CacheForm, JsValue> {
    ocicache::CacheForm::parse(&arg::string("form", value)?).map_err(|e| to_js(&e))
}

#[wasm_bindgen]
impl CacheManifest {
    /// Reads a cache manifest, detecting its form like BuildKit.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> Result<CacheManifest, JsValue> {
        ocicache::CacheManifest::from_bytes(&arg::bytes("bytes", bytes)?)
            .map(|inner| CacheManifest { inner })
            .map_err(|e| to_js(&e))
    }

    /// A new cache manifest of `form`, as BuildKit's exporter writes it.
    pub fn build(
        #[wasm_bindgen(
            js_name = form,
            unchecked_param_type = "\"image-manifest\" | \"image-index\" | \"docker-manifest-list\" | \"docker-manifest\""
        )]
        form_name: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, any>")] config: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, any>[]")] layers: &JsValue,
    ) -> Result<CacheManifest, JsValue> {
        let form = form(form_name)?;
        let config = plain::descriptor("config", config)?;
        if !Array::is_array(layers) {
            return Err(arg::type_error("layers", "an array of descriptors", layers));
        }
        let descriptors = Array::from(layers)
            .iter()
            .enumerate()
            .map(|(i, d)| plain::descriptor(&format!("layers[{i}]"), &d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CacheManifest {
            inner: ocicache::CacheManifest::build(form, config, descriptors),
        })
    }

    /// The document as BuildKit writes it.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(self.inner.to_bytes().as_slice())
    }

    /// The document as a plain object.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        plain::object(&self.inner.to_bytes())
    }

    /// `image-manifest`, `image-index`, `docker-manifest-list` or `docker-manifest`.
    #[wasm_bindgen(
        getter,
        unchecked_return_type = "\"image-manifest\" | \"image-index\" | \"docker-manifest-list\" | \"docker-manifest\""
    )]
    pub fn form(&self) -> JsValue {
        self.inner.form().as_str().into()
    }

    /// The document's own media type.
    #[wasm_bindgen(getter, js_name = mediaType)]
    pub fn media_type(&self) -> String {
        self.inner.media_type().to_owned()
    }

    /// The cache config descriptor.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>")]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        plain::object(&self.inner.config().to_bytes())
    }

    /// The layer descriptors.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>[]")]
    pub fn layers(&self) -> Result<JsValue, JsValue> {
        let out = Array::new();
        for d in self.inner.layers() {
            out.push(&plain::object(&d.to_bytes())?);
        }
        Ok(out.into())
    }

    /// OCI rules and what BuildKit needs of the manifest.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn validate(&self) -> JsValue {
        plain::findings(&self.inner.validate())
    }

    /// `validate()` plus the config's checks against this manifest's blobs.
    #[wasm_bindgen(js_name = validateWithConfig, unchecked_return_type = "Finding[]")]
    pub fn validate_with_config(&self, config: &CacheConfig) -> JsValue {
        plain::findings(&self.inner.validate_with_config(&config.inner))
    }

    /// The same content in another form.
    pub fn convert(
        &self,
        #[wasm_bindgen(
            js_name = form,
            unchecked_param_type = "\"image-manifest\" | \"image-index\" | \"docker-manifest-list\" | \"docker-manifest\""
        )]
        form_name: &JsValue,
    ) -> Result<CacheManifest, JsValue> {
        Ok(CacheManifest {
            inner: self.inner.convert(form(form_name)?),
        })
    }
}
