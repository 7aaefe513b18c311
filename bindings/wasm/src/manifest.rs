//! `ImageManifest` and `ImageIndex` (core `manifest.rs`, and the layout
//! rules of `layout.rs` that work on `index.json`).

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;
use crate::plain;

/// An OCI image manifest (or Docker manifest).
#[wasm_bindgen]
pub struct ImageManifest {
    inner: ocicache::ImageManifest,
}

#[wasm_bindgen]
impl ImageManifest {
    /// Reads a manifest from JSON bytes.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> Result<ImageManifest, JsValue> {
        ocicache::ImageManifest::from_bytes(&arg::bytes("bytes", bytes)?)
            .map(|inner| ImageManifest { inner })
            .map_err(|e| to_js(&e))
    }

    /// The manifest as Go writes it.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(self.inner.to_bytes().as_slice())
    }

    /// The manifest as a plain object.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        plain::object(&self.inner.to_bytes())
    }

    /// The OCI rules.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn validate(&self) -> JsValue {
        plain::findings(&self.inner.validate())
    }
}

/// An OCI image index (or Docker manifest list), such as a layout's `index.json`.
#[wasm_bindgen]
pub struct ImageIndex {
    inner: ocicache::ImageIndex,
}

#[wasm_bindgen]
impl ImageIndex {
    /// Reads an index from JSON bytes.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> Result<ImageIndex, JsValue> {
        ocicache::ImageIndex::from_bytes(&arg::bytes("bytes", bytes)?)
            .map(|inner| ImageIndex { inner })
            .map_err(|e| to_js(&e))
    }

    /// The index as Go writes it.
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(self.inner.to_bytes().as_slice())
    }

    /// The index as a plain object.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        plain::object(&self.inner.to_bytes())
    }

    /// The OCI rules.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn validate(&self) -> JsValue {
        plain::findings(&self.inner.validate())
    }

    /// The entries' tags, in order.
    pub fn tags(&self) -> Vec<String> {
        self.inner.tags().into_iter().map(str::to_owned).collect()
    }

    /// The entry BuildKit imports for `tag`; throws `TAG_NOT_FOUND`.
    #[wasm_bindgen(js_name = findTag, unchecked_return_type = "Record<string, any>")]
    pub fn find_tag(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let tag = arg::string("tag", tag)?;
        let d = self.inner.find_tag(&tag).map_err(|e| to_js(&e))?;
        plain::object(&d.to_bytes())
    }

    /// The bytes of `index.json` after an export of `descriptor` to `tag`,
    /// given the current file (`null` when there is none).
    #[wasm_bindgen(js_name = updatedLayoutIndex)]
    pub fn updated_layout_index(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | null | undefined")] current: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, any>")] descriptor: &JsValue,
    ) -> Result<Uint8Array, JsValue> {
        let current = arg::optional_bytes("current", current)?;
        let tag = arg::string("tag", tag)?;
        let descriptor = plain::descriptor("descriptor", descriptor)?;
        ocicache::ImageIndex::updated_layout_index(current.as_deref(), &tag, &descriptor)
            .map(|b| Uint8Array::from(b.as_slice()))
            .map_err(|e| to_js(&e))
    }

    /// `index.json` as a location with `tag=` shows it: only the entry
    /// BuildKit imports for `tag`; throws `TAG_NOT_FOUND`.
    #[wasm_bindgen(js_name = selectedLayoutIndex)]
    pub fn selected_layout_index(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | null | undefined")] current: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
    ) -> Result<Uint8Array, JsValue> {
        let current = arg::optional_bytes("current", current)?;
        let tag = arg::string("tag", tag)?;
        ocicache::ImageIndex::selected_layout_index(current.as_deref(), &tag)
            .map(|b| Uint8Array::from(b.as_slice()))
            .map_err(|e| to_js(&e))
    }

    /// `index.json` for a location pinned with `digest=`: one entry, tagged
    /// `tag`, for the manifest or index `document` (which must hash to
    /// `digest`).
    #[wasm_bindgen(js_name = pinnedLayoutIndex)]
    pub fn pinned_layout_index(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] document: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
    ) -> Result<Uint8Array, JsValue> {
        let document = arg::bytes("document", document)?;
        let digest = crate::digest::from_js(digest)?;
        let tag = arg::string("tag", tag)?;
        ocicache::ImageIndex::pinned_layout_index(&document, &digest, &tag)
            .map(|b| Uint8Array::from(b.as_slice()))
            .map_err(|e| to_js(&e))
    }
}
