//! Core errors as real JavaScript `Error`s carrying `code`, and `field` and
//! `offset` where the core knows them.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

/// The JavaScript error for a core error.
pub(crate) fn to_js(err: &ocicache::Error) -> JsValue {
    let error = js_sys::Error::new(&err.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&error, &"code".into(), &err.code().into());
    if let Some(field) = err.field() {
        let _ = Reflect::set(&error, &"field".into(), &field.into());
    }
    if let Some(offset) = err.offset() {
        let offset = ocicache::size_to_number(offset as u64).unwrap_or(f64::NAN);
        let _ = Reflect::set(&error, &"offset".into(), &offset.into());
    }
    error.into()
}

/// Every stable error code, in the order of `tests/error_codes.json`.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    ocicache::ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_owned())
        .collect()
}
