//! A loaded cache and the operations on it (core `cache.rs`,
//! `inspection.rs`, `verification.rs`, `collection.rs`, `merge.rs`,
//! `conversion.rs`), for drivers written in JavaScript.

use js_sys::{JSON, Promise};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::digest::from_js;
use crate::error::to_js;

fn gone() -> JsValue {
    to_js(&ocicache::Error::new(
        ocicache::ErrorKind::InvalidArgument,
        "already finished",
    ))
}

fn plain(value: &serde_json::Value) -> JsValue {
    JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

fn stored(value: &JsValue) -> Result<Vec<ocicache::StoredBlob>, JsValue> {
    if !js_sys::Array::is_array(value) {
        return Err(arg::type_error("stored", "an array of stored blobs", value));
    }
    let text: String = JSON::stringify(value)?.into();
    ocicache::StoredBlob::list_from_json(text.as_bytes()).map_err(|e| to_js(&e))
}

fn form(value: &JsValue) -> Result<Option<ocicache::CacheForm>, JsValue> {
    arg::optional_string("form", value)?
        .map(|f| ocicache::CacheForm::parse(&f).map_err(|e| to_js(&e)))
        .transpose()
}

fn done(value: &JsValue) -> Result<bool, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(false)
    } else {
        value
            .as_bool()
            .ok_or_else(|| arg::type_error("done", "a boolean", value))
    }
}

/// Loads a cache: `new CacheLoader(indexJson)`, then `feed` (or `missing`)
/// each blob `nextNeeded()` names, then `finish()`.
#[wasm_bindgen]
pub struct CacheLoader {
    inner: Option<ocicache::CacheLoader>,
}

#[wasm_bindgen]
impl CacheLoader {
    /// A loader for the layout whose `index.json` holds `index` (`null` when
    /// the file is missing).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | null")] index: &JsValue,
    ) -> Result<CacheLoader, JsValue> {
        let index = if index.is_null() || index.is_undefined() {
            None
        } else {
            Some(arg::bytes("index", index)?)
        };
        Ok(CacheLoader {
            inner: Some(ocicache::CacheLoader::new(index.as_deref())),
        })
    }

    /// The digest of the next blob to read, or `null` when done.
    #[wasm_bindgen(js_name = nextNeeded, unchecked_return_type = "string | null")]
    pub fn next_needed(&self) -> JsValue {
        self.inner
            .as_ref()
            .and_then(ocicache::CacheLoader::next_needed)
            .map_or(JsValue::NULL, |d| d.digest.as_str().into())
    }

    /// The bytes of the blob `nextNeeded()` named.
    pub fn feed(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    ) -> Result<(), JsValue> {
        let d = from_js(digest)?;
        let bytes = arg::bytes("bytes", bytes)?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .feed(&d, &bytes)
            .map_err(|e| to_js(&e))
    }

    /// The blob `nextNeeded()` named is not in the storage.
    pub fn missing(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
    ) -> Result<(), JsValue> {
        let d = from_js(digest)?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .missing(&d)
            .map_err(|e| to_js(&e))
    }

    /// The loaded cache.
    pub fn finish(&mut self) -> Result<Cache, JsValue> {
        Ok(Cache {
            inner: self.inner.take().ok_or_else(gone)?.finish(),
        })
    }
}

/// A loaded cache: `index.json` and every document it reaches.
#[wasm_bindgen]
pub struct Cache {
    inner: ocicache::Cache,
}

#[wasm_bindgen]
impl Cache {
    /// The tags of `index.json`'s entries, in order (entries without one
    /// are left out).
    pub fn tags(&self) -> Vec<String> {
        self.inner
            .entries
            .iter()
            .filter_map(|e| e.tag.clone())
            .collect()
    }

    /// Whether every reachable document was read.
    #[wasm_bindgen(getter)]
    pub fn complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// What the cache holds; `stored` (the storage's listing) adds the
    /// stored and unreachable totals.
    pub fn inspect(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StoredBlob[] | undefined | null")] stored: &JsValue,
    ) -> Result<Inspection, JsValue> {
        let list = if stored.is_undefined() || stored.is_null() {
            None
        } else {
            Some(self::stored(stored)?)
        };
        Ok(Inspection {
            inner: self.inner.inspect(list.as_deref()),
        })
    }

    /// Plans a verify against the storage's listing.
    pub fn verification(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StoredBlob[]")] stored: &JsValue,
    ) -> Result<Verification, JsValue> {
        Ok(Verification {
            inner: Some(self.inner.verification(&self::stored(stored)?)),
        })
    }

    /// Plans a gc against the storage's listing.
    #[wasm_bindgen(js_name = gcPlan)]
    pub fn gc_plan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StoredBlob[]")] stored: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "GcOptions")] options: &JsValue,
    ) -> Result<GcPlan, JsValue> {
        let stored = self::stored(stored)?;
        if !options.is_object() {
            return Err(arg::type_error("options", "a GcOptions object", options));
        }
        let text: String = JSON::stringify(options)?.into();
        let options = ocicache::GcOptions::from_json(text.as_bytes()).map_err(|e| to_js(&e))?;
        Ok(GcPlan {
            inner: self
                .inner
                .gc_plan(&stored, &options)
                .map_err(|e| to_js(&e))?,
        })
    }

    /// Plans converting the entry tagged `tag` to `form` and `compression`.
    pub fn conversion(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] form: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] compression: &JsValue,
    ) -> Result<Conversion, JsValue> {
        let tag = arg::string("tag", tag)?;
        let form = self::form(form)?;
        let compression = arg::optional_string("compression", compression)?
            .map(|c| ocicache::Compression::parse(&c).map_err(|e| to_js(&e)))
            .transpose()?;
        let (m, c) = self.inner.cache_entry(&tag).map_err(|e| to_js(&e))?;
        let inner = ocicache::Conversion::new(m, c, form, compression).map_err(|e| to_js(&e))?;
        Ok(Conversion { inner: Some(inner) })
    }
}

/// What `Cache.inspect` found.
#[wasm_bindgen]
pub struct Inspection {
    inner: ocicache::Inspection,
}

#[wasm_bindgen]
impl Inspection {
    /// The report as plain data.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> JsValue {
        plain(self.inner.to_json())
    }

    /// The report as text (a summary per tag and the record tree).
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// A verify in progress: hash each of `checks()` through a `BlobVerifier`
/// and `record` it, then `report()`.
#[wasm_bindgen]
pub struct Verification {
    inner: Option<ocicache::Verification>,
}

#[wasm_bindgen]
impl Verification {
    /// The stored blobs still to hash.
    #[wasm_bindgen(unchecked_return_type = "BlobCheck[]")]
    pub fn checks(&self) -> JsValue {
        let list: Vec<serde_json::Value> = self
            .inner
            .iter()
            .flat_map(ocicache::Verification::checks)
            .map(|c| serde_json::json!({"digest": c.digest.to_string(), "path": c.path, "size": c.size, "layer": c.layer}))
            .collect();
        plain(&serde_json::Value::Array(list))
    }

    /// The verifier of the blob `digest`, once all its bytes went through.
    pub fn record(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        verifier: &mut BlobVerifier,
    ) -> Result<(), JsValue> {
        let d = from_js(digest)?;
        let done = verifier.inner.take().ok_or_else(gone)?.finalize();
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record(&d, &done)
            .map_err(|e| to_js(&e))
    }

    /// The blob `digest` could not be read.
    #[wasm_bindgen(js_name = recordFailure)]
    pub fn record_failure(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] message: &JsValue,
    ) -> Result<(), JsValue> {
        let d = from_js(digest)?;
        let message = arg::string("message", message)?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record_failure(&d, &message)
            .map_err(|e| to_js(&e))
    }

    /// The report (checks never recorded are findings of their own).
    pub fn report(&mut self) -> Result<VerifyReport, JsValue> {
        Ok(VerifyReport {
            inner: self.inner.take().ok_or_else(gone)?.report(),
        })
    }
}

/// What a verify found.
#[wasm_bindgen]
pub struct VerifyReport {
    inner: ocicache::VerifyReport,
}

#[wasm_bindgen]
impl VerifyReport {
    /// Whether nothing is wrong (warnings allowed).
    #[wasm_bindgen(getter)]
    pub fn ok(&self) -> bool {
        self.inner.ok()
    }

    /// The report as plain data.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> JsValue {
        plain(&self.inner.to_json())
    }

    /// The report as text.
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// Streams one blob of a verify: hashes it and, for a layer, decompresses
/// and hashes the content in the same pass.
#[wasm_bindgen]
pub struct BlobVerifier {
    inner: Option<ocicache::BlobVerifier>,
}

#[wasm_bindgen]
impl BlobVerifier {
    /// A verifier for the blob `digest`; `layer` decompresses it too.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        layer: bool,
    ) -> Result<BlobVerifier, JsValue> {
        let check = ocicache::BlobCheck {
            digest: from_js(digest)?,
            path: String::new(),
            size: 0,
            layer,
        };
        Ok(BlobVerifier {
            inner: Some(ocicache::BlobVerifier::new(&check)),
        })
    }

    /// Push the next chunk.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(gone)?;
        arg::each_chunk("chunk", chunk, |piece| inner.update(piece))
    }

    /// `update` as a promise (WASM has no thread pool here: the work runs
    /// before the promise is returned; the API matches the native addon's).
    #[wasm_bindgen(js_name = updateAsync, unchecked_return_type = "Promise<void>")]
    pub fn update_async(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Promise {
        match self.update(chunk) {
            Ok(()) => Promise::resolve(&JsValue::UNDEFINED),
            Err(e) => Promise::reject(&e),
        }
    }
}

/// What a gc will do.
#[wasm_bindgen]
pub struct GcPlan {
    inner: ocicache::GcPlan,
}

#[wasm_bindgen]
impl GcPlan {
    /// The new `index.json` to write (atomically) before deleting, when
    /// tags are dropped.
    #[wasm_bindgen(getter, unchecked_return_type = "Uint8Array | null")]
    pub fn index(&self) -> JsValue {
        self.inner
            .index
            .as_deref()
            .map_or(JsValue::NULL, |b| js_sys::Uint8Array::from(b).into())
    }

    /// The paths of the blobs to delete.
    #[wasm_bindgen(getter)]
    pub fn delete(&self) -> Vec<String> {
        self.inner.delete.iter().map(|b| b.path.clone()).collect()
    }

    /// The bytes deleting them frees.
    #[wasm_bindgen(getter, js_name = freedBytes)]
    #[allow(clippy::cast_precision_loss)]
    pub fn freed_bytes(&self) -> f64 {
        self.inner.freed_bytes() as f64
    }

    /// The plan as plain data; `done` says it was carried out.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined | null")] done: &JsValue,
    ) -> Result<JsValue, JsValue> {
        Ok(plain(&self.inner.to_json(self::done(done)?)))
    }

    /// The plan as text; `done` says it was carried out.
    #[wasm_bindgen(js_name = toText)]
    pub fn to_text(
        &self,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined | null")] done: &JsValue,
    ) -> Result<String, JsValue> {
        Ok(self.inner.to_text(self::done(done)?))
    }
}

/// A conversion in progress: recompress each of `layersToRecompress()`,
/// `record` it, then `finish()`.
#[wasm_bindgen]
pub struct Conversion {
    inner: Option<ocicache::Conversion>,
}

#[wasm_bindgen]
impl Conversion {
    /// The digests of the layers to recompress.
    #[wasm_bindgen(js_name = layersToRecompress)]
    pub fn layers_to_recompress(&self) -> Vec<String> {
        self.inner
            .iter()
            .flat_map(ocicache::Conversion::layers_to_recompress)
            .map(|d| d.digest.to_string())
            .collect()
    }

    /// The recompressed blob of layer `old`: its compression, digest, size
    /// and diffID as the compressor reported them.
    pub fn record(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] old: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] compression: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] size: &JsValue,
        #[wasm_bindgen(js_name = diffId, unchecked_param_type = "string | Digest")]
        diff_id: &JsValue,
    ) -> Result<(), JsValue> {
        let old = from_js(old)?;
        let compression = ocicache::Compression::parse(&arg::string("compression", compression)?)
            .map_err(|e| to_js(&e))?;
        let size = arg::optional_number("size", size)?
            .ok_or_else(|| arg::type_error("size", "a number", size))
            .and_then(|n| ocicache::size_from_number(n).map_err(|e| to_js(&e.within("size"))))?;
        let digests = ocicache::LayerDigests {
            compression,
            digest: from_js(digest)?,
            size,
            diff_id: from_js(diff_id)?,
            uncompressed_size: 0,
        };
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record(&old, &digests)
            .map_err(|e| to_js(&e))
    }

    /// The new config and manifest.
    pub fn finish(&mut self) -> Result<CacheWrite, JsValue> {
        let inner = self.inner.take().ok_or_else(gone)?;
        Ok(CacheWrite {
            inner: inner.finish().map_err(|e| to_js(&e))?,
        })
    }
}

/// Merges caches: `add(cache, tag)` each source, then `finish(form)`.
#[wasm_bindgen]
pub struct Merge {
    inner: Option<ocicache::Merge>,
}

#[wasm_bindgen]
impl Merge {
    /// An empty merge.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Merge {
        Merge {
            inner: Some(ocicache::Merge::new()),
        }
    }

    /// Adds the entry tagged `tag` of `cache`.
    pub fn add(
        &mut self,
        cache: &Cache,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
    ) -> Result<(), JsValue> {
        let tag = arg::string("tag", tag)?;
        let (m, c) = cache.inner.cache_entry(&tag).map_err(|e| to_js(&e))?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .add(m, c)
            .map_err(|e| to_js(&e))
    }

    /// The merged cache in `form` (default `image-manifest`).
    pub fn finish(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] form: &JsValue,
    ) -> Result<CacheWrite, JsValue> {
        let form = self::form(form)?.unwrap_or(ocicache::CacheForm::ImageManifest);
        let inner = self.inner.take().ok_or_else(gone)?;
        Ok(CacheWrite {
            inner: inner.finish(form).map_err(|e| to_js(&e))?,
        })
    }
}

/// A new config and manifest to write: the config blob, the manifest blob,
/// then the descriptor into `index.json`.
#[wasm_bindgen]
pub struct CacheWrite {
    inner: ocicache::CacheWrite,
}

#[wasm_bindgen]
impl CacheWrite {
    /// The config blob.
    #[wasm_bindgen(getter, js_name = configBytes, unchecked_return_type = "Uint8Array")]
    pub fn config_bytes(&self) -> JsValue {
        js_sys::Uint8Array::from(self.inner.config_bytes.as_slice()).into()
    }

    /// The manifest blob.
    #[wasm_bindgen(getter, js_name = manifestBytes, unchecked_return_type = "Uint8Array")]
    pub fn manifest_bytes(&self) -> JsValue {
        js_sys::Uint8Array::from(self.inner.manifest_bytes.as_slice()).into()
    }

    /// The manifest's descriptor for `index.json`, as plain data.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>")]
    pub fn descriptor(&self) -> Result<JsValue, JsValue> {
        crate::plain::object(&self.inner.descriptor.to_bytes())
    }

    /// The digest of the config blob.
    #[wasm_bindgen(getter, js_name = configDigest)]
    pub fn config_digest(&self) -> String {
        self.inner.manifest.config().digest.to_string()
    }

    /// The layer blobs the manifest lists, each once.
    #[wasm_bindgen(getter)]
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

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One blob file a storage holds, as its driver lists it. */
export interface StoredBlob {
  path: string
  size: number
  modified?: number
}

/** What a gc keeps. */
export interface GcOptions {
  nowMs: number
  gracePeriodMs?: number
  keepTags?: Array<string>
  dropTags?: Array<string>
}

/** One stored blob still to hash in a verify. */
export interface BlobCheck {
  digest: string
  path: string
  size: number
  layer: boolean
}
"#;
