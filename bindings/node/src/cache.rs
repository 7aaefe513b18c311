//! A loaded cache and the operations on it (core `cache.rs`,
//! `inspection.rs`, `verification.rs`, `collection.rs`, `merge.rs`,
//! `conversion.rs`): the storage drivers of the npm package carry them out.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{
    AsyncTask, Buffer, Env, Function, JsObjectValue, Object, Result, Task, Unknown,
};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::digest::from_js;
use crate::error::to_js;

fn json_text(env: &Env, value: Unknown<'_>) -> Result<String> {
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    let stringify: Function<Unknown<'_>, String> = json.get_named_property("stringify")?;
    stringify.call(value)
}

fn stored(env: &Env, value: Unknown<'_>) -> Result<Vec<ocicache::StoredBlob>> {
    arg::array(env, "stored", "an array of stored blobs", value)?;
    let text = json_text(env, value)?;
    ocicache::StoredBlob::list_from_json(text.as_bytes()).map_err(|e| to_js(env, &e))
}

fn form(env: &Env, value: Unknown<'_>) -> Result<Option<ocicache::CacheForm>> {
    arg::optional_string(env, "form", value)?
        .map(|f| ocicache::CacheForm::parse(&f).map_err(|e| to_js(env, &e)))
        .transpose()
}

fn gone(env: &Env) -> napi::Error {
    to_js(
        env,
        &ocicache::Error::new(ocicache::ErrorKind::InvalidArgument, "already finished"),
    )
}

/// Loads a cache: `new CacheLoader(indexJson)`, then `feed` (or `missing`)
/// each blob `nextNeeded()` names, then `finish()`.
#[napi]
pub struct CacheLoader {
    inner: Option<ocicache::CacheLoader>,
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

    /// The digest of the next blob to read, or `null` when done.
    #[napi(ts_return_type = "string | null")]
    pub fn next_needed(&self) -> Option<String> {
        self.inner
            .as_ref()?
            .next_needed()
            .map(|d| d.digest.to_string())
    }

    /// The bytes of the blob `nextNeeded()` named.
    #[napi(ts_args_type = "digest: string | Digest, bytes: Uint8Array")]
    pub fn feed(&mut self, env: &Env, digest: Unknown<'_>, bytes: Unknown<'_>) -> Result<()> {
        let d = from_js(env, digest)?;
        let bytes = arg::bytes(env, "bytes", bytes)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.feed(&d, bytes).map_err(|e| to_js(env, &e))
    }

    /// The blob `nextNeeded()` named is not in the storage.
    #[napi(ts_args_type = "digest: string | Digest")]
    pub fn missing(&mut self, env: &Env, digest: Unknown<'_>) -> Result<()> {
        let d = from_js(env, digest)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.missing(&d).map_err(|e| to_js(env, &e))
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
    inner: ocicache::Cache,
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

/// What `Cache.inspect` found.
#[napi]
pub struct Inspection {
    inner: ocicache::Inspection,
}

#[napi]
impl Inspection {
    /// The report as plain data.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Value {
        self.inner.to_json().clone()
    }

    /// The report as text (a summary per tag and the record tree).
    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// One stored blob still to hash in a verify.
#[napi(object)]
pub struct BlobCheck {
    /// The digest its path names.
    pub digest: String,
    /// Its path in the layout.
    pub path: String,
    /// Its stored size.
    pub size: f64,
    /// Whether it is a layer (decompressed, diffID checked).
    pub layer: bool,
}

/// A verify in progress: hash each of `checks()` through a `BlobVerifier`
/// and `record` it, then `report()`.
#[napi]
pub struct Verification {
    inner: Option<ocicache::Verification>,
}

#[napi]
impl Verification {
    /// The stored blobs still to hash.
    #[napi]
    pub fn checks(&self) -> Vec<BlobCheck> {
        self.inner
            .iter()
            .flat_map(ocicache::Verification::checks)
            .map(|c| BlobCheck {
                digest: c.digest.to_string(),
                path: c.path.clone(),
                #[allow(clippy::cast_precision_loss)]
                size: c.size as f64,
                layer: c.layer,
            })
            .collect()
    }

    /// The verifier of the blob `digest`, once all its bytes went through.
    #[napi(ts_args_type = "digest: string | Digest, verifier: BlobVerifier")]
    pub fn record(
        &mut self,
        env: &Env,
        digest: Unknown<'_>,
        verifier: &mut BlobVerifier,
    ) -> Result<()> {
        let d = from_js(env, digest)?;
        let done = verifier
            .inner
            .lock()
            .map_err(|_| gone(env))?
            .take()
            .ok_or_else(|| gone(env))?
            .finalize();
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.record(&d, &done).map_err(|e| to_js(env, &e))
    }

    /// The blob `digest` could not be read.
    #[napi(ts_args_type = "digest: string | Digest, message: string")]
    pub fn record_failure(
        &mut self,
        env: &Env,
        digest: Unknown<'_>,
        message: Unknown<'_>,
    ) -> Result<()> {
        let d = from_js(env, digest)?;
        let message = arg::string(env, "message", message)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner
            .record_failure(&d, &message)
            .map_err(|e| to_js(env, &e))
    }

    /// The report (checks never recorded are findings of their own).
    #[napi]
    pub fn report(&mut self, env: &Env) -> Result<VerifyReport> {
        Ok(VerifyReport {
            inner: self.inner.take().ok_or_else(|| gone(env))?.report(),
        })
    }
}

/// What a verify found.
#[napi]
pub struct VerifyReport {
    inner: ocicache::VerifyReport,
}

#[napi]
impl VerifyReport {
    /// Whether nothing is wrong (warnings allowed).
    #[napi(getter)]
    pub fn ok(&self) -> bool {
        self.inner.ok()
    }

    /// The report as plain data.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Value {
        self.inner.to_json()
    }

    /// The report as text.
    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// Streams one blob of a verify: hashes it and, for a layer, decompresses
/// and hashes the content in the same pass.
#[napi]
pub struct BlobVerifier {
    inner: Arc<Mutex<Option<ocicache::BlobVerifier>>>,
}

#[napi]
impl BlobVerifier {
    /// A verifier for the blob `digest`; `layer` decompresses it too.
    #[napi(constructor, ts_args_type = "digest: string | Digest, layer: boolean")]
    pub fn new(env: &Env, digest: Unknown<'_>, layer: bool) -> Result<Self> {
        let check = ocicache::BlobCheck {
            digest: from_js(env, digest)?,
            path: String::new(),
            size: 0,
            layer,
        };
        Ok(BlobVerifier {
            inner: Arc::new(Mutex::new(Some(ocicache::BlobVerifier::new(&check)))),
        })
    }

    /// Push the next chunk.
    #[napi(ts_args_type = "chunk: Uint8Array")]
    pub fn update(&self, env: &Env, chunk: Unknown<'_>) -> Result<()> {
        let chunk = arg::bytes(env, "chunk", chunk)?;
        let mut guard = self.inner.lock().map_err(|_| gone(env))?;
        guard.as_mut().ok_or_else(|| gone(env))?.update(chunk);
        Ok(())
    }

    /// `update` on the libuv thread pool, so several blobs hash at once.
    #[napi(ts_args_type = "chunk: Uint8Array", ts_return_type = "Promise<void>")]
    pub fn update_async(&self, env: &Env, chunk: Unknown<'_>) -> Result<AsyncTask<BlobUpdate>> {
        let chunk = arg::bytes(env, "chunk", chunk)?.to_vec();
        Ok(AsyncTask::new(BlobUpdate {
            inner: Arc::clone(&self.inner),
            chunk,
        }))
    }
}

/// `BlobVerifier.updateAsync` off the event loop.
pub struct BlobUpdate {
    inner: Arc<Mutex<Option<ocicache::BlobVerifier>>>,
    chunk: Vec<u8>,
}

impl Task for BlobUpdate {
    type Output = bool;
    type JsValue = ();

    fn compute(&mut self) -> Result<bool> {
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| napi::Error::from_reason("poisoned"))?;
        Ok(guard.as_mut().map(|v| v.update(&self.chunk)).is_some())
    }

    fn resolve(&mut self, env: Env, open: bool) -> Result<()> {
        if open { Ok(()) } else { Err(gone(&env)) }
    }
}

/// What a gc will do.
#[napi]
pub struct GcPlan {
    inner: ocicache::GcPlan,
}

#[napi]
impl GcPlan {
    /// The new `index.json` to write (atomically) before deleting, when
    /// tags are dropped.
    #[napi(getter, ts_return_type = "Uint8Array | null")]
    pub fn index(&self) -> Option<Buffer> {
        self.inner.index.clone().map(Into::into)
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
    pub fn to_json(&self, done: Option<bool>) -> Value {
        self.inner.to_json(done.unwrap_or(false))
    }

    /// The plan as text; `done` says it was carried out.
    #[napi(ts_args_type = "done?: boolean | undefined | null")]
    pub fn to_text(&self, done: Option<bool>) -> String {
        self.inner.to_text(done.unwrap_or(false))
    }
}

/// A conversion in progress: recompress each of `layersToRecompress()`,
/// `record` it, then `finish()`.
#[napi]
pub struct Conversion {
    inner: Option<ocicache::Conversion>,
}

#[napi]
impl Conversion {
    /// The digests of the layers to recompress.
    #[napi]
    pub fn layers_to_recompress(&self) -> Vec<String> {
        self.inner
            .iter()
            .flat_map(ocicache::Conversion::layers_to_recompress)
            .map(|d| d.digest.to_string())
            .collect()
    }

    /// The recompressed blob of layer `old`: its compression, digest, size
    /// and diffID as the compressor reported them.
    #[napi(
        ts_args_type = "old: string | Digest, compression: string, digest: string | Digest, size: number, diffId: string | Digest"
    )]
    pub fn record(
        &mut self,
        env: &Env,
        old: Unknown<'_>,
        compression: Unknown<'_>,
        digest: Unknown<'_>,
        size: Unknown<'_>,
        diff_id: Unknown<'_>,
    ) -> Result<()> {
        let old = from_js(env, old)?;
        let compression =
            ocicache::Compression::parse(&arg::string(env, "compression", compression)?)
                .map_err(|e| to_js(env, &e))?;
        let digests = ocicache::LayerDigests {
            compression,
            digest: from_js(env, digest)?,
            size: arg::size(env, "size", size)?,
            diff_id: from_js(env, diff_id)?,
            uncompressed_size: 0,
        };
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.record(&old, &digests).map_err(|e| to_js(env, &e))
    }

    /// The new config and manifest.
    #[napi]
    pub fn finish(&mut self, env: &Env) -> Result<CacheWrite> {
        let inner = self.inner.take().ok_or_else(|| gone(env))?;
        Ok(CacheWrite {
            inner: inner.finish().map_err(|e| to_js(env, &e))?,
        })
    }
}

/// Merges caches: `add(cache, tag)` each source, then `finish(form)`.
#[napi]
pub struct Merge {
    inner: Option<ocicache::Merge>,
}

#[napi]
impl Merge {
    /// An empty merge.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Merge {
            inner: Some(ocicache::Merge::new()),
        }
    }

    /// Adds the entry tagged `tag` of `cache`.
    #[napi(ts_args_type = "cache: Cache, tag: string")]
    pub fn add(&mut self, env: &Env, cache: &Cache, tag: Unknown<'_>) -> Result<()> {
        let tag = arg::string(env, "tag", tag)?;
        let (m, c) = cache.inner.cache_entry(&tag).map_err(|e| to_js(env, &e))?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.add(m, c).map_err(|e| to_js(env, &e))
    }

    /// The merged cache in `form` (default `image-manifest`).
    #[napi(ts_args_type = "form?: string | undefined | null")]
    pub fn finish(&mut self, env: &Env, form: Unknown<'_>) -> Result<CacheWrite> {
        let form = self::form(env, form)?.unwrap_or(ocicache::CacheForm::ImageManifest);
        let inner = self.inner.take().ok_or_else(|| gone(env))?;
        Ok(CacheWrite {
            inner: inner.finish(form).map_err(|e| to_js(env, &e))?,
        })
    }
}

/// A new config and manifest to write: the config blob, the manifest blob,
/// then the descriptor into `index.json`.
#[napi]
pub struct CacheWrite {
    inner: ocicache::CacheWrite,
}

#[napi]
impl CacheWrite {
    /// The config blob.
    #[napi(getter, ts_return_type = "Uint8Array")]
    pub fn config_bytes(&self) -> Buffer {
        self.inner.config_bytes.clone().into()
    }

    /// The manifest blob.
    #[napi(getter, ts_return_type = "Uint8Array")]
    pub fn manifest_bytes(&self) -> Buffer {
        self.inner.manifest_bytes.clone().into()
    }

    /// The manifest's descriptor for `index.json`, as plain data.
    #[napi(getter, ts_return_type = "Record<string, any>")]
    pub fn descriptor(&self, env: &Env) -> Result<Value> {
        crate::plain::object(env, &self.inner.descriptor.to_bytes())
    }

    /// The digest of the config blob.
    #[napi(getter)]
    pub fn config_digest(&self) -> String {
        self.inner.manifest.config().digest.to_string()
    }

    /// The layer blobs the manifest lists, each once.
    #[napi(getter)]
    pub fn layers(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        self.inner
            .manifest
            .layers()
            .filter(|d| seen.insert(d.digest.clone()))
            .map(|d| d.digest.to_string())
            .collect()
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
