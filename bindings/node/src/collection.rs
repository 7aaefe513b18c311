//! `GcPlan` (core `collection.rs`): what gc will delete.

use napi::bindgen_prelude::{Buffer, Env, JsObjectValue, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::error::to_js;

/// What a gc will do.
#[napi]
pub struct GcPlan {
    pub(crate) inner: ocicache::GcPlan,
}

#[napi]
impl GcPlan {
    /// The new `index.json` to write (atomically) before deleting, when
    /// tags are dropped.
    #[napi(getter, ts_return_type = "Uint8Array | null")]
    pub fn index(&self) -> Option<Buffer> {
        self.inner.index.clone().map(Into::into)
    }

    /// The `index.json` to write in place of `current` (the file as it is
    /// now, read under the lock): `current` without exactly the entries the
    /// plan drops; `null` when there is nothing to remove.
    #[napi(
        ts_args_type = "current: Uint8Array | null | undefined",
        ts_return_type = "Uint8Array | null"
    )]
    pub fn index_after(&self, env: &Env, current: Unknown<'_>) -> Result<Option<Buffer>> {
        let current = arg::optional_bytes(env, "current", current)?;
        let after = self
            .inner
            .index_after(current)
            .map_err(|e| to_js(env, &e))?;
        Ok(after.map(Into::into))
    }

    /// Records gc's second look: the blobs `restored` go back instead of
    /// being deleted; `quiet` says the layout settled first (when not,
    /// everything went back).
    #[napi(ts_args_type = "restored: Array<string | Digest>, quiet: boolean")]
    pub fn settle(&mut self, env: &Env, restored: Unknown<'_>, quiet: bool) -> Result<()> {
        let list = arg::array(env, "restored", "an array of digests", restored)?;
        let mut digests = Vec::new();
        for i in 0..list.get_array_length()? {
            digests.push(crate::digest::from_js(env, list.get_element(i)?)?);
        }
        self.inner.settle(&digests, quiet);
        Ok(())
    }

    /// The paths of the blobs to delete.
    #[napi(getter)]
    pub fn delete(&self) -> Vec<String> {
        self.inner.delete.iter().map(|b| b.path.clone()).collect()
    }

    /// The bytes deleting them frees.
    #[napi(getter)]
    #[allow(clippy::cast_precision_loss)]
    pub fn freed_bytes(&self) -> f64 {
        self.inner.freed_bytes() as f64
    }

    /// The plan as plain data; `done` says it was carried out.
    #[napi(
        js_name = "toJSON",
        ts_args_type = "done?: boolean | undefined | null",
        ts_return_type = "Record<string, any>"
    )]
    pub fn to_json<'env>(&self, env: &'env Env, done: Option<bool>) -> Result<Unknown<'env>> {
        crate::plain::js(env, &self.inner.to_json(done.unwrap_or(false)))
    }

    /// The plan as text; `done` says it was carried out.
    #[napi(ts_args_type = "done?: boolean | undefined | null")]
    pub fn to_text(&self, done: Option<bool>) -> String {
        self.inner.to_text(done.unwrap_or(false))
    }
}

/// What a gc keeps. (Declares the type; the value is read through
/// `JSON.stringify` by the core.)
#[napi(object)]
#[allow(dead_code)]
pub struct GcOptions {
    /// The current time in ms since the epoch.
    pub now_ms: f64,
    /// Blobs younger than this are kept (default 10 minutes).
    pub grace_period_ms: Option<f64>,
    /// Keep only these tags (entries without a tag are always kept).
    pub keep_tags: Option<Vec<String>>,
    /// Drop these tags.
    pub drop_tags: Option<Vec<String>>,
}
