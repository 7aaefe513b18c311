//! Checked arguments, so that a wrong JavaScript type is a `TypeError` with
//! code `INVALID_ARGUMENT` (and the `field`), the same as in the WASM build,
//! rather than napi's own conversion error.

use napi::bindgen_prelude::{
    Env, Error, FromNapiValue, JsObjectValue, Object, Result, Status, Unknown,
};
use napi::{JsTypeError, JsValue, ValueType};

fn type_name(value: &Unknown<'_>) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "boolean",
        Ok(ValueType::Number) => "number",
        Ok(ValueType::String) => "string",
        Ok(ValueType::Symbol) => "symbol",
        Ok(ValueType::Function) => "function",
        Ok(ValueType::BigInt) => "bigint",
        Ok(ValueType::Object) => "object",
        _ => "value",
    }
}

/// A `TypeError` saying that `field` should have been `expected`.
pub(crate) fn type_error(env: &Env, field: &str, expected: &str, value: &Unknown<'_>) -> Error {
    let message = format!("{field}: expected {expected}, got {}", type_name(value));
    let build = || -> Result<Error> {
        let error = JsTypeError::from(Error::new(Status::InvalidArg, message)).into_unknown(*env);
        let mut object = Object::from_unknown(error)?;
        object.set_named_property("code", "INVALID_ARGUMENT")?;
        object.set_named_property("field", field)?;
        Ok(Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|failure| failure)
}

pub(crate) fn is_absent(value: &Unknown<'_>) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

/// The bytes of a `Uint8Array` or `Buffer`, borrowed without a copy.
pub(crate) fn bytes<'a>(env: &Env, field: &str, value: Unknown<'a>) -> Result<&'a [u8]> {
    <&[u8]>::from_unknown(value).map_err(|_| type_error(env, field, "a Uint8Array", &value))
}

/// A string argument.
pub(crate) fn string(env: &Env, field: &str, value: Unknown<'_>) -> Result<String> {
    if value.get_type()? == ValueType::String {
        String::from_unknown(value)
    } else {
        Err(type_error(env, field, "a string", &value))
    }
}

/// An optional string: `undefined` and `null` are `None`.
pub(crate) fn optional_string(
    env: &Env,
    field: &str,
    value: Unknown<'_>,
) -> Result<Option<String>> {
    if is_absent(&value) {
        Ok(None)
    } else {
        string(env, field, value).map(Some)
    }
}

/// An optional number: `undefined` and `null` are `None`.
pub(crate) fn optional_number(env: &Env, field: &str, value: Unknown<'_>) -> Result<Option<f64>> {
    if is_absent(&value) {
        Ok(None)
    } else if value.get_type()? == ValueType::Number {
        f64::from_unknown(value).map(Some)
    } else {
        Err(type_error(env, field, "a number", &value))
    }
}

/// An optional object argument (an options bag): `undefined` and `null` are
/// `None`; anything but an object is a `TypeError` saying `expected`.
pub(crate) fn optional_object<'a>(
    env: &Env,
    field: &str,
    expected: &str,
    value: Unknown<'a>,
) -> Result<Option<Object<'a>>> {
    if is_absent(&value) {
        Ok(None)
    } else if value.get_type()? == ValueType::Object {
        Object::from_unknown(value).map(Some)
    } else {
        Err(type_error(env, field, expected, &value))
    }
}

/// An array argument, as its object.
pub(crate) fn array<'a>(
    env: &Env,
    field: &str,
    expected: &str,
    value: Unknown<'a>,
) -> Result<Object<'a>> {
    match Object::from_unknown(value) {
        Ok(object) if value.get_type()? == ValueType::Object && object.is_array()? => Ok(object),
        _ => Err(type_error(env, field, expected, &value)),
    }
}

/// Optional bytes: `undefined` and `null` are `None`.
pub(crate) fn optional_bytes<'a>(
    env: &Env,
    field: &str,
    value: Unknown<'a>,
) -> Result<Option<&'a [u8]>> {
    if is_absent(&value) {
        Ok(None)
    } else {
        bytes(env, field, value).map(Some)
    }
}

/// An optional size (a safe non-negative integer): `None` for `undefined`
/// and `null`; errors name `field`.
pub(crate) fn optional_size(env: &Env, field: &str, value: Unknown<'_>) -> Result<Option<u64>> {
    optional_number(env, field, value)?
        .map(|n| {
            ocicache::size_from_number(n).map_err(|e| crate::error::to_js(env, &e.in_field(field)))
        })
        .transpose()
}

/// A size: a safe non-negative integer.
pub(crate) fn size(env: &Env, field: &str, value: Unknown<'_>) -> Result<u64> {
    let n = optional_number(env, field, value)?.ok_or_else(|| {
        crate::error::to_js(
            env,
            &ocicache::Error::new(
                ocicache::ErrorKind::InvalidArgument,
                format!("{field} is required"),
            ),
        )
    })?;
    ocicache::size_from_number(n).map_err(|e| crate::error::to_js(env, &e.within(field)))
}
