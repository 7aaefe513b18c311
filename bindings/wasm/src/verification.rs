//! `Verification`, `BlobVerifier`, `VerifyReport` (core `verification.rs`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::cache::{gone, plain};
use crate::digest::from_js;
use crate::error::to_js;

/// A verify in progress: hash each of `checks()` through a `BlobVerifier`
/// and `record` it, then `report()`.
#[wasm_bindgen]
pub struct Verification {
    pub(crate) inner: Option<ocicache::Verification>,
}

#[wasm_bindgen]
impl Verification {
    /// The stored blobs still to hash.
    #[wasm_bindgen(unchecked_return_type = "BlobCheck[]")]
    pub fn checks(&self) -> JsValue {
        let list: Vec<serde_json::Value> = self
            .inner
            .iter()
            .flat_map(ocicache::Verification::checks)
            .map(|c| serde_json::json!({"digest": c.digest.to_string(), "path": c.path, "size": c.size, "layer": c.layer}))
            .collect();
        plain(&serde_json::Value::Array(list))
    }

    /// The verifier of the blob `digest`, once all its bytes went through.
    pub fn record(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        verifier: &mut BlobVerifier,
    ) -> Result<(), JsValue> {
        let d = from_js(digest)?;
        let done = verifier.inner.take().ok_or_else(gone)?.finalize();
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record(&d, &done)
            .map_err(|e| to_js(&e))
    }

    /// The blob `digest` could not be read; `code` says why
    /// (`STORAGE_ERROR` unless given, or e.g. `NOT_A_FILE`).
    #[wasm_bindgen(js_name = recordFailure)]
    pub fn record_failure(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] message: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] code: &JsValue,
    ) -> Result<(), JsValue> {
        let d = from_js(digest)?;
        let message = arg::string("message", message)?;
        let kind = match arg::optional_string("code", code)? {
            Some(c) => ocicache::ErrorKind::from_code(&c).map_err(|e| to_js(&e))?,
            None => ocicache::ErrorKind::StorageError,
        };
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record_failure_of(&d, kind, &message)
            .map_err(|e| to_js(&e))
    }

    /// The report (checks never recorded are findings of their own).
    pub fn report(&mut self) -> Result<VerifyReport, JsValue> {
        Ok(VerifyReport {
            inner: self.inner.take().ok_or_else(gone)?.report(),
        })
    }
}

/// What a verify found.
#[wasm_bindgen]
pub struct VerifyReport {
    pub(crate) inner: ocicache::VerifyReport,
}

#[wasm_bindgen]
impl VerifyReport {
    /// Whether nothing is wrong (warnings allowed).
    #[wasm_bindgen(getter)]
    pub fn ok(&self) -> bool {
        self.inner.ok()
    }

    /// The report as plain data.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> JsValue {
        plain(&self.inner.to_json())
    }

    /// The report as text.
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// Streams one blob of a verify: hashes it and, for a layer, decompresses
/// and hashes the content in the same pass.
#[wasm_bindgen]
pub struct BlobVerifier {
    pub(crate) inner: Option<ocicache::BlobVerifier>,
}

#[wasm_bindgen]
impl BlobVerifier {
    /// A verifier for the blob `digest`; `layer` decompresses it too.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        layer: bool,
    ) -> Result<BlobVerifier, JsValue> {
        let check = ocicache::BlobCheck {
            digest: from_js(digest)?,
            path: String::new(),
            size: 0,
            layer,
        };
        Ok(BlobVerifier {
            inner: Some(ocicache::BlobVerifier::new(&check)),
        })
    }

    /// Push the next chunk.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(gone)?;
        arg::each_chunk("chunk", chunk, |piece| inner.update(piece))
    }

    /// `update` as a promise (WASM has no thread pool here: the work runs
    /// before the promise is returned; the API matches the native addon's).
    #[wasm_bindgen(js_name = updateAsync, unchecked_return_type = "Promise<void>")]
    pub fn update_async(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Promise {
        match self.update(chunk) {
            Ok(()) => Promise::resolve(&JsValue::UNDEFINED),
            Err(e) => Promise::reject(&e),
        }
    }
}
