//! `CacheLoader` and `Cache` (core `cache.rs`): a loaded cache, whose
//! methods plan the operations (the other files of the same names as the
//! core's), for drivers written in JavaScript.

use js_sys::JSON;
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::collection::GcPlan;
#[cfg(feature = "full")]
use crate::conversion::Conversion;
use crate::digest::from_js;
use crate::error::to_js;
use crate::inspection::Inspection;
use crate::pruning::PrunePlan;
use crate::verification::Verification;

pub(crate) fn gone() -> JsValue {
    to_js(&ocicache::Error::new(
        ocicache::ErrorKind::InvalidArgument,
        "already finished",
    ))
}

pub(crate) fn plain(value: &serde_json::Value) -> JsValue {
    JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

pub(crate) fn stored(value: &JsValue) -> Result<Vec<ocicache::StoredBlob>, JsValue> {
    if !js_sys::Array::is_array(value) {
        return Err(arg::type_error("stored", "an array of stored blobs", value));
    }
    let text: String = JSON::stringify(value)?.into();
    ocicache::StoredBlob::list_from_json(text.as_bytes()).map_err(|e| to_js(&e))
}

pub(crate) fn form(value: &JsValue) -> Result<Option<ocicache::CacheForm>, JsValue> {
    arg::optional_string("form", value)?
        .map(|f| ocicache::CacheForm::parse(&f).map_err(|e| to_js(&e)))
        .transpose()
}

pub(crate) fn done(value: &JsValue) -> Result<bool, JsValue> {
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
    pub(crate) inner: Option<ocicache::CacheLoader>,
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

    /// How many bytes of `index.json` (or of the document a location's
    /// `digest=` names) a driver reads at most: the document limit plus one.
    #[wasm_bindgen(js_name = indexReadLimit)]
    pub fn index_read_limit() -> f64 {
        ocicache::size_to_number(ocicache::CacheLoader::INDEX_READ_LIMIT).unwrap_or(0.0)
    }

    /// The digest of the next blob to read, or `null` when done.
    #[wasm_bindgen(js_name = nextNeeded, unchecked_return_type = "string | null")]
    pub fn next_needed(&self) -> JsValue {
        self.inner
            .as_ref()
            .and_then(ocicache::CacheLoader::next_needed)
            .map_or(JsValue::NULL, |d| d.digest.as_str().into())
    }

    /// How many bytes of the blob `nextNeeded()` named to read at most:
    /// its size plus one; `0` (read nothing, feed empty bytes) when its
    /// descriptor is over the document limit.
    #[wasm_bindgen(js_name = readLimit)]
    pub fn read_limit(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |l| {
            ocicache::size_to_number(l.read_limit()).unwrap_or(0.0)
        })
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

    /// The layout's `oci-layout` file (`null` when it has none): checked.
    #[wasm_bindgen(js_name = ociLayout)]
    pub fn oci_layout(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | null | undefined")] bytes: &JsValue,
    ) -> Result<(), JsValue> {
        let bytes = arg::optional_bytes("bytes", bytes)?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .oci_layout(bytes.as_deref());
        Ok(())
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

    /// The storage could not read the blob `nextNeeded()` named, for the
    /// reason `code` (an error code, such as `NOT_A_FILE`).
    pub fn failed(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] code: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] message: &JsValue,
    ) -> Result<(), JsValue> {
        let d = from_js(digest)?;
        let kind =
            ocicache::ErrorKind::from_code(&arg::string("code", code)?).map_err(|e| to_js(&e))?;
        let message = arg::string("message", message)?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .failed(&d, kind, &message)
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
    pub(crate) inner: ocicache::Cache,
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

    /// Plans a prune: which results go to keep the cache within
    /// `options.maxSize` bytes and `options.maxAgeMs`.
    #[wasm_bindgen(js_name = prunePlan)]
    pub fn prune_plan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PruneOptions")] options: &JsValue,
    ) -> Result<PrunePlan, JsValue> {
        if !options.is_object() {
            return Err(arg::type_error("options", "a PruneOptions object", options));
        }
        let text: String = JSON::stringify(options)?.into();
        let options = ocicache::PruneOptions::from_json(text.as_bytes()).map_err(|e| to_js(&e))?;
        Ok(PrunePlan {
            inner: self.inner.prune_plan(&options).map_err(|e| to_js(&e))?,
        })
    }

    /// Plans converting the entry tagged `tag` to `form` and `compression`.
    #[cfg(feature = "full")]
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

#[cfg(feature = "full")]
#[wasm_bindgen]
impl Cache {
    /// Plans copying the entry tagged `tag` to another storage.
    /// Sorts the blobs gc moved aside by this cache, loaded again from the
    /// `index.json` on disk now: `{restore, delete}` (digests); what any
    /// entry reaches goes back, all of them when something could not be read.
    #[wasm_bindgen(unchecked_return_type = "{ restore: string[]; delete: string[] }")]
    pub fn recheck(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Array<string | Digest>")] moved: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let list = moved
            .dyn_ref::<js_sys::Array>()
            .ok_or_else(|| arg::type_error("moved", "an array of digests", moved))?;
        let moved = list
            .iter()
            .map(|d| from_js(&d))
            .collect::<Result<Vec<_>, _>>()?;
        let r = self.inner.recheck(&moved);
        let strings =
            |v: Vec<ocicache::Digest>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
        let text = serde_json::json!({"restore": strings(r.restore), "delete": strings(r.delete)});
        Ok(plain(&text))
    }

    #[wasm_bindgen(js_name = copyPlan)]
    pub fn copy_plan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] tag: &JsValue,
    ) -> Result<crate::transfer::CopyPlan, JsValue> {
        let tag = arg::string("tag", tag)?;
        let inner = self.inner.copy_plan(&tag).map_err(|e| to_js(&e))?;
        Ok(crate::transfer::CopyPlan { inner })
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** One blob file a storage holds, as its driver lists it. */
export interface StoredBlob {
  path: string
  size: number
  modified?: number
  /** What the path is when it is not a regular file (`directory`, `fifo`, …); `file` or absent for a blob file. */
  type?: string
}

/** What a gc keeps. */
export interface GcOptions {
  nowMs: number
  gracePeriodMs?: number
  keepTags?: Array<string>
  dropTags?: Array<string>
}

/** `index.json` after a prune, and the tags left as they were. */
export interface PruneIndex {
  index: Uint8Array
  skipped: Array<string>
}

/** What a prune keeps. */
export interface PruneOptions {
  nowMs: number
  maxSize?: number
  maxAgeMs?: number
  keepTags?: Array<string>
}

/** One stored blob still to hash in a verify. */
export interface BlobCheck {
  digest: string
  path: string
  size: number
  layer: boolean
}
"#;
