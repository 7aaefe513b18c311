//! `Inspection` (core `inspection.rs`): what a cache holds.

use wasm_bindgen::prelude::*;

use crate::cache::plain;

/// What `Cache.inspect` found.
#[wasm_bindgen]
pub struct Inspection {
    pub(crate) inner: ocicache::Inspection,
}

#[wasm_bindgen]
impl Inspection {
    /// The report as plain data.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> JsValue {
        plain(self.inner.to_json())
    }

    /// The report as text (a summary per tag and the record tree).
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}
