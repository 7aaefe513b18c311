//! `PrunePlan` (core `pruning`): which results of a cache go to meet a
//! budget, and the new documents.

use napi::bindgen_prelude::{Buffer, Env, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::error::to_js;
use crate::merge::CacheWrite;

/// What a prune will do.
#[napi]
pub struct PrunePlan {
    pub(crate) inner: ocicache::PrunePlan,
}

/// `index.json` after a prune, and the tags left as they were because a
/// concurrent export changed them since the plan.
#[napi(object)]
pub struct PruneIndex {
    /// The new `index.json`.
    #[napi(ts_type = "Uint8Array")]
    pub index: Buffer,
    /// The tags not rewritten.
    pub skipped: Vec<String>,
}

#[napi]
impl PrunePlan {
    /// The tags whose config and manifest are rewritten, in the order of
    /// `writes`.
    #[napi(getter)]
    pub fn tags(&self) -> Vec<String> {
        self.inner.entries.iter().map(|e| e.tag.clone()).collect()
    }

    /// The new config and manifest of each rewritten tag: write both blobs,
    /// then `apply` to `index.json`.
    #[napi(getter)]
    pub fn writes(&self) -> Vec<CacheWrite> {
        self.inner
            .entries
            .iter()
            .map(|e| CacheWrite {
                inner: e.write.clone(),
            })
            .collect()
    }

    /// `index.json` with each rewritten tag pointing at its new manifest,
    /// given `current` (the file as it is now, read under the lock); a tag
    /// changed since the plan is left as it is and listed in `skipped`.
    #[napi(ts_args_type = "current: Uint8Array")]
    pub fn apply(&self, env: &Env, current: Unknown<'_>) -> Result<PruneIndex> {
        let current = arg::bytes(env, "current", current)?;
        let (index, skipped) = self.inner.apply(current).map_err(|e| to_js(env, &e))?;
        Ok(PruneIndex {
            index: index.into(),
            skipped,
        })
    }

    /// The bytes the prune frees (before minus after).
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

/// What a prune keeps. (Declares the type; the value is read through
/// `JSON.stringify` by the core.)
#[napi(object)]
#[allow(dead_code)]
pub struct PruneOptions {
    /// The current time in ms since the epoch.
    pub now_ms: f64,
    /// The most bytes the cache may hold afterwards.
    pub max_size: Option<f64>,
    /// Results older than this many ms are dropped.
    pub max_age_ms: Option<f64>,
    /// Tags whose results are all kept.
    pub keep_tags: Option<Vec<String>>,
}
