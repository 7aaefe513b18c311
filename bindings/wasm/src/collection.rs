//! `GcPlan` (core `collection.rs`): what gc will delete.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::cache::{done, plain};

/// What a gc will do.
#[wasm_bindgen]
pub struct GcPlan {
    pub(crate) inner: ocicache::GcPlan,
}

#[wasm_bindgen]
impl GcPlan {
    /// The new `index.json` to write (atomically) before deleting, when
    /// tags are dropped.
    #[wasm_bindgen(getter, unchecked_return_type = "Uint8Array | null")]
    pub fn index(&self) -> JsValue {
        self.inner
            .index
            .as_deref()
            .map_or(JsValue::NULL, |b| js_sys::Uint8Array::from(b).into())
    }

    /// The `index.json` to write in place of `current` (the file as it is
    /// now, read under the lock): `current` without exactly the entries the
    /// plan drops; `null` when there is nothing to remove.
    #[wasm_bindgen(js_name = indexAfter, unchecked_return_type = "Uint8Array | null")]
    pub fn index_after(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | null | undefined")] current: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let current = crate::arg::optional_bytes("current", current)?;
        let after = self
            .inner
            .index_after(current.as_deref())
            .map_err(|e| crate::error::to_js(&e))?;
        Ok(after.map_or(JsValue::NULL, |b| {
            js_sys::Uint8Array::from(b.as_slice()).into()
        }))
    }

    /// Records gc's second look: the blobs `restored` go back instead of
    /// being deleted; `quiet` says the layout settled first (when not,
    /// everything went back).
    pub fn settle(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Array<string | Digest>")] restored: &JsValue,
        quiet: bool,
    ) -> Result<(), JsValue> {
        let list = restored
            .dyn_ref::<js_sys::Array>()
            .ok_or_else(|| crate::arg::type_error("restored", "an array of digests", restored))?;
        let digests = list
            .iter()
            .map(|d| crate::digest::from_js(&d))
            .collect::<Result<Vec<_>, _>>()?;
        self.inner.settle(&digests, quiet);
        Ok(())
    }

    /// The paths of the blobs to delete.
    #[wasm_bindgen(getter)]
    pub fn delete(&self) -> Vec<String> {
        self.inner.delete.iter().map(|b| b.path.clone()).collect()
    }

    /// The bytes deleting them frees.
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
