//! Checked arguments. wasm-bindgen's glue does not check JavaScript types: a
//! string passed for bytes would be hashed as zeros and a number passed for a
//! string traps. So every argument arrives as a `JsValue` and is checked here;
//! a wrong type is a `TypeError` with code `INVALID_ARGUMENT`.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Bytes are copied into WASM memory through a scratch buffer of this size,
/// so a chunk of any size costs no more memory than this.
const SCRATCH: u32 = 64 * 1024;

pub(crate) fn type_error(field: &str, expected: &str, value: &JsValue) -> JsValue {
    let got = value.js_typeof().as_string().unwrap_or_default();
    let error = js_sys::TypeError::new(&format!("{field}: expected {expected}, got {got}"));
    let _ = Reflect::set(&error, &"code".into(), &"INVALID_ARGUMENT".into());
    let _ = Reflect::set(&error, &"field".into(), &field.into());
    error.into()
}

/// Feed the bytes of a `Uint8Array` (or `Buffer`) to `sink`, in pieces.
pub(crate) fn each_chunk(
    field: &str,
    value: &JsValue,
    mut sink: impl FnMut(&[u8]),
) -> Result<(), JsValue> {
    let array = value
        .dyn_ref::<Uint8Array>()
        .ok_or_else(|| type_error(field, "a Uint8Array", value))?;
    let length = array.length();
    if length <= SCRATCH {
        sink(&array.to_vec());
        return Ok(());
    }
    let mut scratch = vec![0u8; SCRATCH as usize];
    let mut start = 0;
    while start < length {
        let end = length.min(start + SCRATCH);
        let piece = &mut scratch[..(end - start) as usize];
        array.subarray(start, end).copy_to(piece);
        sink(piece);
        start = end;
    }
    Ok(())
}

/// The bytes of a `Uint8Array`, copied into WASM memory at once.
pub(crate) fn bytes(field: &str, value: &JsValue) -> Result<Vec<u8>, JsValue> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| type_error(field, "a Uint8Array", value))
}

/// An optional bytes argument: `None` for `undefined` or `null`.
pub(crate) fn optional_bytes(field: &str, value: &JsValue) -> Result<Option<Vec<u8>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    bytes(field, value).map(Some)
}

/// A string argument.
pub(crate) fn string(field: &str, value: &JsValue) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| type_error(field, "a string", value))
}

/// An optional string argument: `undefined` and `null` are `None`.
pub(crate) fn optional_string(field: &str, value: &JsValue) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        string(field, value).map(Some)
    }
}

/// An optional number argument: `undefined` and `null` are `None`.
pub(crate) fn optional_number(field: &str, value: &JsValue) -> Result<Option<f64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        value
            .as_f64()
            .map(Some)
            .ok_or_else(|| type_error(field, "a number", value))
    }
}

/// An optional size (a safe non-negative integer): `None` for `undefined`
/// and `null`; errors name `field`.
pub(crate) fn optional_size(field: &str, value: &JsValue) -> Result<Option<u64>, JsValue> {
    optional_number(field, value)?
        .map(|n| ocicache::size_from_number(n).map_err(|e| crate::error::to_js(&e.in_field(field))))
        .transpose()
}

/// An optional options bag: `None` for `undefined` and `null`, a
/// `TypeError` saying `expected` for anything but an object, else a getter
/// of its members (`undefined` where a member is absent).
pub(crate) fn optional_object<'a>(
    field: &str,
    expected: &str,
    value: &'a JsValue,
) -> Result<Option<impl Fn(&str) -> JsValue + 'a>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else if value.is_object() {
        Ok(Some(|key: &str| {
            Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
        }))
    } else {
        Err(type_error(field, expected, value))
    }
}
