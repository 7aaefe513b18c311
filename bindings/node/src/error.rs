//! Core errors as real JavaScript `Error`s carrying `code`, and `field` and
//! `offset` where the core knows them.

use napi::JsValue;
use napi::bindgen_prelude::{Env, Error, JsObjectValue, Object, Result, Status};
use napi_derive::napi;

/// The JavaScript error for a core error: an `Error` whose `message` is the
/// core's text and whose `code` is its stable code.
pub(crate) fn to_js(env: &Env, err: &ocicache::Error) -> Error {
    build(env, err).unwrap_or_else(|failure| failure)
}

fn build(env: &Env, err: &ocicache::Error) -> Result<Error> {
    Ok(Error::from(error_object(env, err)?.to_unknown()))
}

/// The JavaScript `Error` object of a core error, to return rather than throw.
pub(crate) fn error_object<'a>(env: &'a Env, err: &ocicache::Error) -> Result<Object<'a>> {
    let mut object: Object =
        env.create_error(Error::new(Status::GenericFailure, err.to_string()))?;
    object.set_named_property("code", err.code())?;
    if let Some(field) = err.field() {
        object.set_named_property("field", field)?;
    }
    if let Some(offset) = err.offset() {
        object.set_named_property(
            "offset",
            ocicache::size_to_number(offset as u64).unwrap_or(f64::NAN),
        )?;
    }
    Ok(object)
}

/// Every stable error code, in the order of `tests/error_codes.json`.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    ocicache::ErrorKind::ALL.iter().map(|k| k.code()).collect()
}
