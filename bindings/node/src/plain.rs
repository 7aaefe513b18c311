//! Plain data for JavaScript: documents as plain objects (integers checked
//! against 2^53−1 by the core), findings as `{code, severity, message,
//! path}`, and descriptors taken from plain objects (through
//! `JSON.stringify`, so that the core reads them like any JSON).

use napi::ValueType;
use napi::bindgen_prelude::{Env, Function, JsObjectValue, Object, Result, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::error::to_js;

/// One problem found by `validate`.
#[napi(object)]
pub struct Finding {
    /// The stable code, e.g. `LOOPING_LAYER`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// A human message.
    pub message: String,
    /// The JSON path or blob it is about.
    pub path: String,
}

pub(crate) fn findings(list: Vec<ocicache::Finding>) -> Vec<Finding> {
    list.into_iter()
        .map(|f| Finding {
            code: f.code().to_owned(),
            severity: f.severity.as_str().to_owned(),
            message: f.message,
            path: f.path,
        })
        .collect()
}

/// The plain object of a document's JSON bytes.
pub(crate) fn object(env: &Env, bytes: &[u8]) -> Result<Value> {
    let value = ocicache::plain_json(bytes).map_err(|e| to_js(env, &e))?;
    ocicache::check_safe_integers(&value).map_err(|e| to_js(env, &e))?;
    Ok(value)
}

/// `value` as a JavaScript value, made by `JSON.parse` of its text: of any
/// size (napi's own conversion of a `serde_json::Value` stops at a million
/// values, less than the report of a 100,000-record cache holds) and
/// quicker for large ones. Keys keep their order; numbers are the same
/// doubles.
pub(crate) fn js<'env>(env: &'env Env, value: &Value) -> Result<Unknown<'env>> {
    let text = serde_json::to_string(value).map_err(|e| napi::Error::from_reason(e.to_string()))?;
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<String, Unknown<'_>> = json.get_named_property("parse")?;
    parse.call(text)
}

/// A descriptor from a plain object.
pub(crate) fn descriptor(
    env: &Env,
    field: &str,
    value: Unknown<'_>,
) -> Result<ocicache::Descriptor> {
    if value.get_type()? != ValueType::Object {
        return Err(arg::type_error(env, field, "a descriptor object", &value));
    }
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    let stringify: Function<Unknown<'_>, String> = json.get_named_property("stringify")?;
    let text = stringify.call(value)?;
    ocicache::Descriptor::from_bytes(text.as_bytes()).map_err(|e| to_js(env, &e.within(field)))
}

/// An optional list of strings.
pub(crate) fn strings(env: &Env, field: &str, value: Unknown<'_>) -> Result<Option<Vec<String>>> {
    if matches!(value.get_type()?, ValueType::Undefined | ValueType::Null) {
        return Ok(None);
    }
    let object = arg::array(env, field, "an array of strings", value)?;
    let len: u32 = object.get_array_length()?;
    (0..len)
        .map(|i| arg::string(env, field, object.get_element(i)?))
        .collect::<Result<Vec<_>>>()
        .map(Some)
}
