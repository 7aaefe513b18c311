//! `CopyPlan` (core `transfer.rs`): what a copy of one tag transfers.

use napi::bindgen_prelude::{Env, Result, Unknown};
use napi_derive::napi;
use serde_json::Value;

/// What a copy of one tagged entry transfers: every blob it reaches,
/// children first and the entry's document last.
#[napi]
pub struct CopyPlan {
    pub(crate) inner: ocicache::CopyPlan,
}

impl CopyPlan {
    /// The plan as a `serde_json::Value`, its integers checked against 2^53−1.
    fn plain(&self, env: &Env) -> Result<Value> {
        let value = self.inner.to_json();
        ocicache::check_safe_integers(&value).map_err(|e| crate::error::to_js(env, &e))?;
        Ok(value)
    }
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
    pub fn descriptor<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        crate::plain::js(
            env,
            &crate::plain::object(env, &self.inner.descriptor.to_bytes())?,
        )
    }

    /// The blobs to copy, in order: `{digest, mediaType, size, manifest}`
    /// (`manifest`: a registry stores it under `/manifests/`).
    #[napi(getter, ts_return_type = "CopyBlob[]")]
    pub fn blobs<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        crate::plain::js(env, &self.plain(env)?["blobs"])
    }

    /// The bytes of all the blobs.
    #[napi(getter)]
    #[allow(clippy::cast_precision_loss)]
    pub fn total_bytes(&self) -> f64 {
        self.inner.total_bytes() as f64
    }

    /// How many blobs to transfer at once when not told: as many as keep
    /// 32 MiB in flight at the median blob size, from 4 to 16.
    #[napi(getter)]
    #[allow(clippy::cast_possible_truncation)]
    pub fn concurrency(&self) -> u32 {
        self.inner.concurrency() as u32
    }

    /// The plan as plain data.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        crate::plain::js(env, &self.plain(env)?)
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
