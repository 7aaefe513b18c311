//! `CacheLoader` and `Cache` (core `cache.rs`): a loaded cache, whose
//! methods plan the operations (the other files of the same names as the
//! core's): the storage drivers of the npm package carry them out.

use napi::bindgen_prelude::{Env, Function, JsObjectValue, Object, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::collection::GcPlan;
use crate::conversion::Conversion;
use crate::digest::from_js;
use crate::error::to_js;
use crate::inspection::Inspection;
use crate::pruning::PrunePlan;
use crate::transfer::CopyPlan;
use crate::verification::Verification;

pub(crate) fn json_text(env: &Env, value: Unknown<'_>) -> Result<String> {
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    let stringify: Function<Unknown<'_>, String> = json.get_named_property("stringify")?;
    stringify.call(value)
}

pub(crate) fn stored(env: &Env, value: Unknown<'_>) -> Result<Vec<ocicache::StoredBlob>> {
    arg::array(env, "stored", "an array of stored blobs", value)?;
    let text = json_text(env, value)?;
    ocicache::StoredBlob::list_from_json(text.as_bytes()).map_err(|e| to_js(env, &e))
}

pub(crate) fn form(env: &Env, value: Unknown<'_>) -> Result<Option<ocicache::CacheForm>> {
    arg::optional_string(env, "form", value)?
        .map(|f| ocicache::CacheForm::parse(&f).map_err(|e| to_js(env, &e)))
        .transpose()
}

pub(crate) fn gone(env: &Env) -> napi::Error {
    to_js(
        env,
        &ocicache::Error::new(ocicache::ErrorKind::InvalidArgument, "already finished"),
    )
}

/// Loads a cache: `new CacheLoader(indexJson)`, then `feed` (or `missing`)
/// each blob `nextNeeded()` names, then `finish()`.
#[napi]
pub struct CacheLoader {
    pub(crate) inner: Option<ocicache::CacheLoader>,
}

#[napi]
impl CacheLoader {
    /// A loader for the layout whose `index.json` holds `index` (`null` when
    /// the file is missing).
    #[napi(constructor, ts_args_type = "index: Uint8Array | null")]
    pub fn new(env: &Env, index: Unknown<'_>) -> Result<Self> {
        let index = arg::optional_bytes(env, "index", index)?;
        Ok(CacheLoader {
            inner: Some(ocicache::CacheLoader::new(index)),
        })
    }

    /// How many bytes of `index.json` (or of the document a location's
    /// `digest=` names) a driver reads at most: the document limit plus one.
    #[napi]
    pub fn index_read_limit() -> f64 {
        ocicache::size_to_number(ocicache::CacheLoader::INDEX_READ_LIMIT).unwrap_or(0.0)
    }

    /// The digest of the next blob to read, or `null` when done.
    #[napi(ts_return_type = "string | null")]
    pub fn next_needed(&self) -> Option<String> {
        self.inner
            .as_ref()?
            .next_needed()
            .map(|d| d.digest.to_string())
    }

    /// How many bytes of the blob `nextNeeded()` named to read at most:
    /// its size plus one; `0` (read nothing, feed empty bytes) when its
    /// descriptor is over the document limit.
    #[napi]
    pub fn read_limit(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |l| {
            ocicache::size_to_number(l.read_limit()).unwrap_or(0.0)
        })
    }

    /// The bytes of the blob `nextNeeded()` named.
    #[napi(ts_args_type = "digest: string | Digest, bytes: Uint8Array")]
    pub fn feed(&mut self, env: &Env, digest: Unknown<'_>, bytes: Unknown<'_>) -> Result<()> {
        let d = from_js(env, digest)?;
        let bytes = arg::bytes(env, "bytes", bytes)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.feed(&d, bytes).map_err(|e| to_js(env, &e))
    }

    /// The layout's `oci-layout` file (`null` when it has none): checked.
    #[napi(ts_args_type = "bytes: Uint8Array | null | undefined")]
    pub fn oci_layout(&mut self, env: &Env, bytes: Unknown<'_>) -> Result<()> {
        let bytes = arg::optional_bytes(env, "bytes", bytes)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.oci_layout(bytes);
        Ok(())
    }

    /// The blob `nextNeeded()` named is not in the storage.
    #[napi(ts_args_type = "digest: string | Digest")]
    pub fn missing(&mut self, env: &Env, digest: Unknown<'_>) -> Result<()> {
        let d = from_js(env, digest)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.missing(&d).map_err(|e| to_js(env, &e))
    }

    /// The storage could not read the blob `nextNeeded()` named, for the
    /// reason `code` (an error code, such as `NOT_A_FILE`).
    #[napi(ts_args_type = "digest: string | Digest, code: string, message: string")]
    pub fn failed(
        &mut self,
        env: &Env,
        digest: Unknown<'_>,
        code: Unknown<'_>,
        message: Unknown<'_>,
    ) -> Result<()> {
        let d = from_js(env, digest)?;
        let kind = ocicache::ErrorKind::from_code(&arg::string(env, "code", code)?)
            .map_err(|e| to_js(env, &e))?;
        let message = arg::string(env, "message", message)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.failed(&d, kind, &message).map_err(|e| to_js(env, &e))
    }

    /// The loaded cache.
    #[napi]
    pub fn finish(&mut self, env: &Env) -> Result<Cache> {
        let inner = self.inner.take().ok_or_else(|| gone(env))?;
        Ok(Cache {
            inner: inner.finish(),
        })
    }
}

/// A loaded cache: `index.json` and every document it reaches.
#[napi]
pub struct Cache {
    pub(crate) inner: ocicache::Cache,
}

#[napi]
impl Cache {
    /// The tags of `index.json`'s entries, in order (entries without one
    /// are left out).
    #[napi]
    pub fn tags(&self) -> Vec<String> {
        self.inner
            .entries
            .iter()
            .filter_map(|e| e.tag.clone())
            .collect()
    }

    /// Whether every reachable document was read.
    #[napi(getter)]
    pub fn complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// What the cache holds; `stored` (the storage's listing) adds the
    /// stored and unreachable totals.
    #[napi(ts_args_type = "stored?: StoredBlob[] | undefined | null")]
    pub fn inspect(&self, env: &Env, stored: Unknown<'_>) -> Result<Inspection> {
        let list = if arg::is_absent(&stored) {
            None
        } else {
            Some(self::stored(env, stored)?)
        };
        Ok(Inspection {
            inner: self.inner.inspect(list.as_deref()),
        })
    }

    /// Plans a verify against the storage's listing.
    #[napi(ts_args_type = "stored: StoredBlob[]")]
    pub fn verification(&self, env: &Env, stored: Unknown<'_>) -> Result<Verification> {
        Ok(Verification {
            inner: Some(self.inner.verification(&self::stored(env, stored)?)),
        })
    }

    /// Plans a gc against the storage's listing.
    #[napi(ts_args_type = "stored: StoredBlob[], options: GcOptions")]
    pub fn gc_plan(&self, env: &Env, stored: Unknown<'_>, options: Unknown<'_>) -> Result<GcPlan> {
        let stored = self::stored(env, stored)?;
        arg::optional_object(env, "options", "a GcOptions object", options)?.ok_or_else(|| {
            to_js(
                env,
                &ocicache::Error::new(ocicache::ErrorKind::InvalidArgument, "options are required"),
            )
        })?;
        let options = ocicache::GcOptions::from_json(json_text(env, options)?.as_bytes())
            .map_err(|e| to_js(env, &e))?;
        let plan = self
            .inner
            .gc_plan(&stored, &options)
            .map_err(|e| to_js(env, &e))?;
        Ok(GcPlan { inner: plan })
    }

    /// Plans a prune: which results go to keep the cache within
    /// `options.maxSize` bytes and `options.maxAgeMs`.
    #[napi(ts_args_type = "options: PruneOptions")]
    pub fn prune_plan(&self, env: &Env, options: Unknown<'_>) -> Result<PrunePlan> {
        arg::optional_object(env, "options", "a PruneOptions object", options)?.ok_or_else(
            || {
                to_js(
                    env,
                    &ocicache::Error::new(
                        ocicache::ErrorKind::InvalidArgument,
                        "options are required",
                    ),
                )
            },
        )?;
        let options = ocicache::PruneOptions::from_json(json_text(env, options)?.as_bytes())
            .map_err(|e| to_js(env, &e))?;
        let plan = self
            .inner
            .prune_plan(&options)
            .map_err(|e| to_js(env, &e))?;
        Ok(PrunePlan { inner: plan })
    }

    /// Plans converting the entry tagged `tag` to `form` and `compression`.
    #[napi(
        ts_args_type = "tag: string, form?: string | undefined | null, compression?: string | undefined | null"
    )]
    pub fn conversion(
        &self,
        env: &Env,
        tag: Unknown<'_>,
        form: Unknown<'_>,
        compression: Unknown<'_>,
    ) -> Result<Conversion> {
        let tag = arg::string(env, "tag", tag)?;
        let form = self::form(env, form)?;
        let compression = arg::optional_string(env, "compression", compression)?
            .map(|c| ocicache::Compression::parse(&c).map_err(|e| to_js(env, &e)))
            .transpose()?;
        let (m, c) = self.inner.cache_entry(&tag).map_err(|e| to_js(env, &e))?;
        let inner =
            ocicache::Conversion::new(m, c, form, compression).map_err(|e| to_js(env, &e))?;
        Ok(Conversion { inner: Some(inner) })
    }
}

#[napi]
impl Cache {
    /// Sorts the blobs gc moved aside by this cache, loaded again from the
    /// `index.json` on disk now: what any entry reaches goes back; all of
    /// them when something could not be read.
    #[napi(
        ts_args_type = "moved: Array<string | Digest>",
        ts_return_type = "{ restore: string[]; delete: string[] }"
    )]
    pub fn recheck<'env>(&self, env: &'env Env, moved: Unknown<'_>) -> Result<Unknown<'env>> {
        let list = arg::array(env, "moved", "an array of digests", moved)?;
        let mut digests = Vec::new();
        for i in 0..list.get_array_length()? {
            digests.push(crate::digest::from_js(env, list.get_element(i)?)?);
        }
        let r = self.inner.recheck(&digests);
        let strings =
            |v: Vec<ocicache::Digest>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        crate::plain::js(
            env,
            &serde_json::json!({"restore": strings(r.restore), "delete": strings(r.delete)}),
        )
    }

    /// Plans copying the entry tagged `tag` to another storage.
    #[napi(ts_args_type = "tag: string")]
    pub fn copy_plan(&self, env: &Env, tag: Unknown<'_>) -> Result<CopyPlan> {
        let tag = arg::string(env, "tag", tag)?;
        let inner = self.inner.copy_plan(&tag).map_err(|e| to_js(env, &e))?;
        Ok(CopyPlan { inner })
    }
}

/// One blob file a storage holds, as its driver lists it. (Declares the
/// type; the value is read through `JSON.stringify` by the core.)
#[napi(object)]
#[allow(dead_code)]
pub struct StoredBlob {
    /// Its path in the layout, `blobs/<algorithm>/<encoded>`.
    pub path: String,
    /// Its size in bytes.
    pub size: f64,
    /// Its modification time in ms since the epoch, if known.
    pub modified: Option<f64>,
    /// What the path is when it is not a regular file (`directory`, `fifo`,
    /// `socket`, `character device`, `block device`, `broken symlink`);
    /// `file` or absent for a blob file. Never read, never deleted.
    #[napi(js_name = "type")]
    pub file_type: Option<String>,
}
