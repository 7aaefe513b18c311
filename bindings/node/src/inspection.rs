//! `Inspection` (core `inspection.rs`): what a cache holds.

use napi::bindgen_prelude::{Env, Result, Unknown};
use napi_derive::napi;

/// What `Cache.inspect` found.
#[napi]
pub struct Inspection {
    pub(crate) inner: ocicache::Inspection,
}

#[napi]
impl Inspection {
    /// The report as plain data.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        crate::plain::js(env, self.inner.to_json())
    }

    /// The report as text (a summary per tag and the record tree).
    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}
