//! `CopyPlan` (core `transfer.rs`): what a copy of one tag transfers.

use wasm_bindgen::prelude::*;

/// What a copy of one tagged entry transfers: every blob it reaches,
/// children first and the entry's document last.
#[wasm_bindgen]
pub struct CopyPlan {
    pub(crate) inner: ocicache::CopyPlan,
}

#[wasm_bindgen]
impl CopyPlan {
    /// The tag copied.
    #[wasm_bindgen(getter)]
    pub fn tag(&self) -> String {
        self.inner.tag.clone()
    }

    /// The descriptor the destination's tag points at once every blob is there.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>")]
    pub fn descriptor(&self) -> Result<JsValue, JsValue> {
        crate::plain::object(&self.inner.descriptor.to_bytes())
    }

    /// The blobs to copy, in order: `{digest, mediaType, size, manifest}`.
    #[wasm_bindgen(getter, unchecked_return_type = "CopyBlob[]")]
    pub fn blobs(&self) -> Result<JsValue, JsValue> {
        let bytes = serde_json::to_vec(&self.inner.to_json()["blobs"]).unwrap_or_default();
        crate::plain::object(&bytes)
    }

    /// The bytes of all the blobs.
    #[wasm_bindgen(getter, js_name = totalBytes)]
    #[allow(clippy::cast_precision_loss)]
    pub fn total_bytes(&self) -> f64 {
        self.inner.total_bytes() as f64
    }

    /// How many blobs to transfer at once when not told: as many as keep
    /// 32 MiB in flight at the median blob size, from 4 to 16.
    #[wasm_bindgen(getter)]
    #[allow(clippy::cast_possible_truncation)]
    pub fn concurrency(&self) -> u32 {
        self.inner.concurrency() as u32
    }

    /// The plan as plain data.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        let bytes = serde_json::to_vec(&self.inner.to_json()).unwrap_or_default();
        crate::plain::object(&bytes)
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One blob of a CopyPlan. */
export interface CopyBlob {
  digest: string
  mediaType: string
  size: number
  manifest: boolean
}
"#;
