//! `OciLayout` and `Reachability` (core `layout.rs`).

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::digest::from_js as digest;
use crate::error::to_js;
use crate::plain;

/// The rules of an OCI image layout directory.
#[wasm_bindgen]
pub struct OciLayout {}

#[wasm_bindgen]
impl OciLayout {
    /// The `oci-layout` file BuildKit writes.
    #[wasm_bindgen(js_name = fileContent)]
    pub fn file_content() -> Uint8Array {
        Uint8Array::from(ocicache::OciLayout::FILE_CONTENT)
    }

    /// Throws `INVALID_LAYOUT` unless `bytes` is a valid `oci-layout` file.
    #[wasm_bindgen(js_name = checkFile)]
    pub fn check_file(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> Result<(), JsValue> {
        ocicache::OciLayout::check_file(&arg::bytes("bytes", bytes)?).map_err(|e| to_js(&e))
    }

    /// `blobs/<algorithm>/<encoded>` of a digest (validated first).
    #[wasm_bindgen(js_name = blobPath)]
    pub fn blob_path(
        #[wasm_bindgen(js_name = digest, unchecked_param_type = "string | Digest")]
        digest_value: &JsValue,
    ) -> Result<String, JsValue> {
        Ok(ocicache::OciLayout::blob_path(&digest(digest_value)?))
    }

    /// The digest a blob path names; throws `INVALID_DIGEST` for anything else.
    #[wasm_bindgen(js_name = digestFromPath)]
    pub fn digest_from_path(
        #[wasm_bindgen(unchecked_param_type = "string")] path: &JsValue,
    ) -> Result<String, JsValue> {
        ocicache::OciLayout::digest_from_path(&arg::string("path", path)?)
            .map(|d| d.to_string())
            .map_err(|e| to_js(&e))
    }

    /// Throws `INVALID_TAG` unless `tag` is a valid `ref.name`.
    #[wasm_bindgen(js_name = checkTag)]
    pub fn check_tag(
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
    ) -> Result<(), JsValue> {
        ocicache::OciLayout::check_tag(&arg::string("tag", tag)?).map_err(|e| to_js(&e))
    }
}

/// The walk from `index.json` to every reachable blob: read each blob
/// `nextNeeded()` names and `feed` it (or report it `missing`).
#[wasm_bindgen]
pub struct Reachability {
    inner: ocicache::Reachability,
}

#[wasm_bindgen]
impl Reachability {
    /// A walk from the entries of `index.json` (only `tags`, if given).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] index: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[] | null | undefined")] tags: &JsValue,
    ) -> Result<Reachability, JsValue> {
        let index = ocicache::ImageIndex::from_bytes(&arg::bytes("index", index)?)
            .map_err(|e| to_js(&e))?;
        let tags = plain::strings("tags", tags)?;
        let refs: Option<Vec<&str>> = tags
            .as_ref()
            .map(|t| t.iter().map(String::as_str).collect());
        Ok(Reachability {
            inner: ocicache::Reachability::new(&index, refs.as_deref()),
        })
    }

    /// The next manifest or index to read, or `null` when done.
    #[wasm_bindgen(js_name = nextNeeded, unchecked_return_type = "Record<string, any> | null")]
    pub fn next_needed(&self) -> Result<JsValue, JsValue> {
        match self.inner.next_needed() {
            Some(d) => plain::object(&d.to_bytes()),
            None => Ok(JsValue::NULL),
        }
    }

    /// The bytes of the blob `nextNeeded()` named.
    pub fn feed(
        &mut self,
        #[wasm_bindgen(js_name = digest, unchecked_param_type = "string | Digest")]
        digest_value: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> Result<(), JsValue> {
        let d = digest(digest_value)?;
        self.inner
            .feed(&d, &arg::bytes("bytes", bytes)?)
            .map_err(|e| to_js(&e))
    }

    /// Reports that the blob `nextNeeded()` named is missing.
    pub fn missing(
        &mut self,
        #[wasm_bindgen(js_name = digest, unchecked_param_type = "string | Digest")]
        digest_value: &JsValue,
    ) -> Result<(), JsValue> {
        let d = digest(digest_value)?;
        self.inner.missing(&d);
        Ok(())
    }

    /// The reachable blobs found so far, sorted.
    pub fn reachable(&self) -> Vec<String> {
        self.inner
            .reachable()
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}
