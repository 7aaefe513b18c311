//! Plain data for JavaScript: documents as plain objects (integers checked
//! against 2^53−1 by the core), findings as `{code, severity, message,
//! path}`, and descriptors taken from plain objects through `JSON.stringify`.

use js_sys::{Array, JSON};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One problem found by `validate`. */
export interface Finding {
  code: string
  severity: string
  message: string
  path: string
}
/** Blobs a record's results use. */
export interface RecordSize {
  total: number
  unique: number
  blobs: number
  unknown: number
}
/** A blob used by more than one record. */
export interface SharedLayer {
  blob: string
  records: number[]
}
"#;

/// Findings as plain objects, in the core's shape (`Finding::to_json`).
pub(crate) fn findings(list: &[ocicache::Finding]) -> JsValue {
    let json = serde_json::Value::Array(list.iter().map(ocicache::Finding::to_json).collect());
    JSON::parse(&json.to_string()).unwrap_or(JsValue::NULL)
}

/// The plain object of a document's JSON bytes.
pub(crate) fn object(bytes: &[u8]) -> Result<JsValue, JsValue> {
    let value = ocicache::plain_json(bytes).map_err(|e| to_js(&e))?;
    ocicache::check_safe_integers(&value).map_err(|e| to_js(&e))?;
    JSON::parse(&String::from_utf8_lossy(bytes))
}

/// A descriptor from a plain object.
pub(crate) fn descriptor(field: &str, value: &JsValue) -> Result<ocicache::Descriptor, JsValue> {
    if !value.is_object() {
        return Err(arg::type_error(field, "a descriptor object", value));
    }
    let text: String = JSON::stringify(value)?.into();
    ocicache::Descriptor::from_bytes(text.as_bytes()).map_err(|e| to_js(&e.within(field)))
}

/// An optional list of strings.
pub(crate) fn strings(field: &str, value: &JsValue) -> Result<Option<Vec<String>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !Array::is_array(value) {
        return Err(arg::type_error(field, "an array of strings", value));
    }
    Array::from(value)
        .iter()
        .map(|v| arg::string(field, &v))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A list of indexes as a JS array of numbers.
pub(crate) fn numbers(list: &[usize]) -> JsValue {
    list.iter()
        .map(|&i| JsValue::from(u32::try_from(i).unwrap_or(u32::MAX)))
        .collect::<Array>()
        .into()
}

/// An index argument.
pub(crate) fn index(field: &str, value: &JsValue) -> Result<usize, JsValue> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 4_294_967_295.0 =>
        {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(n as usize)
        }
        _ => Err(arg::type_error(
            field,
            "an index (a non-negative integer)",
            value,
        )),
    }
}
