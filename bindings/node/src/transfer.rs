//! `CopyPlan` (core `transfer.rs`): what a copy of one tag transfers.

use napi::bindgen_prelude::{Env, Result};
use napi_derive::napi;
use serde_json::Value;

/// What a copy of one tagged entry transfers: every blob it reaches,
/// children first and the entry's document last.
#[napi]
pub struct CopyPlan {
    pub(crate) inner: ocicache::CopyPlan,
}

#[napi]
impl CopyPlan {
    /// The tag copied.
    #[napi(getter)]
    pub fn tag(&self) -> String {
        self.inner.tag.clone()
    }

    /// The descriptor the destination's tag points at once every blob is there.
    #[napi(getter, ts_return_type = "Record<string, any>")]
    pub fn descriptor(&self, env: &Env) -> Result<Value> {
        crate::plain::object(env, &self.inner.descriptor.to_bytes())
    }

    /// The blobs to copy, in order: `{digest, mediaType, size, manifest}`
    /// (`manifest`: a registry stores it under `/manifests/`).
    #[napi(getter, ts_return_type = "CopyBlob[]")]
    pub fn blobs(&self, env: &Env) -> Result<Value> {
        Ok(self.to_json(env)?["blobs"].take())
    }

    /// The bytes of all the blobs.
    #[napi(getter)]
    #[allow(clippy::cast_precision_loss)]
    pub fn total_bytes(&self) -> f64 {
        self.inner.total_bytes() as f64
    }

    /// The plan as plain data.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json(&self, env: &Env) -> Result<Value> {
        let bytes = serde_json::to_vec(&self.inner.to_json()).unwrap_or_default();
        crate::plain::object(env, &bytes)
    }
}

/// One blob of a [`CopyPlan`]. (Declares the type.)
#[napi(object)]
#[allow(dead_code)]
pub struct CopyBlob {
    /// Its digest.
    pub digest: String,
    /// The media type the document pointing at it gives.
    pub media_type: String,
    /// Its size in bytes.
    pub size: f64,
    /// Whether it is a manifest or index (a registry stores it under `/manifests/`).
    pub manifest: bool,
}
