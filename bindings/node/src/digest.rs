//! `Digest`: a validated OCI digest (core `digest.rs`).

use napi::ValueType;
use napi::bindgen_prelude::{ClassInstance, Env, FromNapiValue, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::error::to_js;

/// A validated digest such as `sha256:e3b0…`. Build one with `Digest.parse`.
#[napi]
pub struct Digest {
    pub(crate) inner: ocicache::Digest,
}

#[napi]
impl Digest {
    /// Parse and validate a digest string; throws `INVALID_DIGEST` or
    /// `UNSUPPORTED_ALGORITHM` with the `offset` of the problem.
    #[napi(factory, ts_args_type = "value: string")]
    pub fn parse(env: &Env, value: Unknown<'_>) -> Result<Digest> {
        ocicache::Digest::parse(&arg::string(env, "value", value)?)
            .map(Digest::from)
            .map_err(|e| to_js(env, &e))
    }

    /// The algorithm: `sha256` or `sha512`.
    #[napi(getter)]
    pub fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The encoded part: lowercase hex.
    #[napi(getter)]
    pub fn encoded(&self) -> &str {
        self.inner.encoded()
    }

    /// The digest string, `algorithm:encoded`.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> &str {
        self.inner.as_str()
    }

    /// The digest string, so that `JSON.stringify` writes `"sha256:…"`.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> &str {
        self.inner.as_str()
    }

    /// Whether `other` (a `Digest` or a string) is the same digest.
    #[napi(ts_args_type = "other: string | Digest")]
    pub fn equals(&self, env: &Env, other: Unknown<'_>) -> bool {
        from_js(env, other).is_ok_and(|d| d == self.inner)
    }
}

impl From<ocicache::Digest> for Digest {
    fn from(inner: ocicache::Digest) -> Self {
        Digest { inner }
    }
}

/// A digest given as a `Digest` or as a string, parsed by the core.
pub(crate) fn from_js(env: &Env, value: Unknown<'_>) -> Result<ocicache::Digest> {
    if value.get_type()? == ValueType::String {
        let text = String::from_unknown(value)?;
        return ocicache::Digest::parse(&text).map_err(|e| to_js(env, &e));
    }
    ClassInstance::<Digest>::from_unknown(value)
        .map(|d| d.inner.clone())
        .map_err(|_| arg::type_error(env, "digest", "a Digest or a string", &value))
}
