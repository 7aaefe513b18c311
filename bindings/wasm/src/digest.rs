//! `Digest`: a validated OCI digest (core `digest.rs`).

use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;

/// A validated digest such as `sha256:e3b0…`. Build one with `Digest.parse`.
#[wasm_bindgen]
pub struct Digest {
    pub(crate) inner: ocicache::Digest,
}

#[wasm_bindgen]
impl Digest {
    /// Parse and validate a digest string; throws `INVALID_DIGEST` or
    /// `UNSUPPORTED_ALGORITHM` with the `offset` of the problem.
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] value: &JsValue,
    ) -> Result<Digest, JsValue> {
        ocicache::Digest::parse(&arg::string("value", value)?)
            .map(Digest::from)
            .map_err(|e| to_js(&e))
    }

    /// The algorithm: `sha256` or `sha512`.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// The encoded part: lowercase hex.
    #[wasm_bindgen(getter)]
    pub fn encoded(&self) -> String {
        self.inner.encoded().to_owned()
    }

    /// The digest string, `algorithm:encoded`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        self.inner.as_str().to_owned()
    }

    /// The digest string, so that `JSON.stringify` writes `"sha256:…"`.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.inner.as_str().to_owned()
    }

    /// Whether `other` (a `Digest` or a string) is the same digest.
    pub fn equals(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] other: &JsValue,
    ) -> bool {
        from_js(other).is_ok_and(|d| d == self.inner)
    }
}

impl From<ocicache::Digest> for Digest {
    fn from(inner: ocicache::Digest) -> Self {
        Digest { inner }
    }
}

/// A digest given as a `Digest` or as a string: its string form, parsed by
/// the core (a `Digest`'s `toString` gives exactly that form).
pub(crate) fn from_js(value: &JsValue) -> Result<ocicache::Digest, JsValue> {
    if let Some(text) = value.as_string() {
        return ocicache::Digest::parse(&text).map_err(|e| to_js(&e));
    }
    // A `Digest`'s `toString` always gives a valid digest, so an object whose
    // string form does not parse is not a `Digest`.
    let text = value
        .is_object()
        .then(|| String::from(js_sys::Object::from(value.clone()).to_string()));
    text.and_then(|t| ocicache::Digest::parse(&t).ok())
        .ok_or_else(|| arg::type_error("digest", "a Digest or a string", value))
}
