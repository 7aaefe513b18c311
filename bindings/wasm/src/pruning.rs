//! `PrunePlan` (core `pruning`): which results of a cache go to meet a
//! budget, and the new documents.

use wasm_bindgen::prelude::*;

use crate::cache::{done, plain};

/// What a prune will do.
#[wasm_bindgen]
pub struct PrunePlan {
    pub(crate) inner: ocicache::PrunePlan,
}

#[wasm_bindgen]
impl PrunePlan {
    /// The tags whose config and manifest are rewritten, in the order of
    /// `writes`.
    #[wasm_bindgen(getter)]
    pub fn tags(&self) -> Vec<String> {
        self.inner.entries.iter().map(|e| e.tag.clone()).collect()
    }

    /// The new config and manifest of each rewritten tag: write both blobs,
    /// then `apply` to `index.json`.
    #[cfg(feature = "full")]
    #[wasm_bindgen(getter)]
    pub fn writes(&self) -> Vec<crate::merge::CacheWrite> {
        self.inner
            .entries
            .iter()
            .map(|e| crate::merge::CacheWrite {
                inner: e.write.clone(),
            })
            .collect()
    }

    /// `index.json` with each rewritten tag pointing at its new manifest,
    /// given `current` (the file as it is now, read under the lock):
    /// `{index, skipped}`, `skipped` the tags changed since the plan and
    /// left as they are.
    #[cfg(feature = "full")]
    #[wasm_bindgen(unchecked_return_type = "PruneIndex")]
    pub fn apply(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] current: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let current = crate::arg::bytes("current", current)?;
        let (index, skipped) = self
            .inner
            .apply(&current)
            .map_err(|e| crate::error::to_js(&e))?;
        let out = js_sys::Object::new();
        js_sys::Reflect::set(
            &out,
            &"index".into(),
            &js_sys::Uint8Array::from(index.as_slice()),
        )?;
        let list: js_sys::Array = skipped.iter().map(|t| JsValue::from_str(t)).collect();
        js_sys::Reflect::set(&out, &"skipped".into(), &list)?;
        Ok(out.into())
    }

    /// The bytes the prune frees (before minus after).
    #[wasm_bindgen(getter, js_name = freedBytes)]
    #[allow(clippy::cast_precision_loss)]
    pub fn freed_bytes(&self) -> f64 {
        self.inner.freed_bytes() as f64
    }

    /// The plan as plain data; `done` says it was carried out.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined | null")] done: &JsValue,
    ) -> Result<JsValue, JsValue> {
        Ok(plain(&self.inner.to_json(self::done(done)?)))
    }

    /// The plan as text; `done` says it was carried out.
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(
        &self,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined | null")] done: &JsValue,
    ) -> Result<String, JsValue> {
        Ok(self.inner.to_text(self::done(done)?))
    }
}
