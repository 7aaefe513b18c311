//! `CacheConfig` (core `cache_config/`).

use std::collections::{HashMap, HashSet};

use napi::ValueType;
use napi::bindgen_prelude::{Buffer, Env, FromNapiValue, JsObjectValue, Object, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::error::to_js;
use crate::plain::{self, Finding};

/// A BuildKit cache config: layer chains and cache-key records.
#[napi]
pub struct CacheConfig {
    pub(crate) inner: ocicache::CacheConfig,
}

/// Blobs a record's results use: the layer digests, shared by others or not.
#[napi(object)]
pub struct RecordSize {
    /// Bytes of every distinct blob its results use.
    pub total: f64,
    /// The part of `total` no other record uses.
    pub unique: f64,
    /// Distinct blobs used.
    pub blobs: u32,
    /// Blobs without a known size.
    pub unknown: u32,
}

/// A blob used by more than one record.
#[napi(object)]
pub struct SharedLayer {
    /// The blob digest.
    pub blob: String,
    /// The records whose results use it.
    pub records: Vec<u32>,
}

fn index(env: &Env, field: &str, value: Unknown<'_>) -> Result<usize> {
    match arg::optional_number(env, field, value)? {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 4_294_967_295.0 =>
        {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(n as usize)
        }
        _ => Err(arg::type_error(
            env,
            field,
            "an index (a non-negative integer)",
            &value,
        )),
    }
}

fn to_u32(list: Vec<usize>) -> Vec<u32> {
    list.into_iter()
        .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect()
}

fn number(env: &Env, v: u64) -> Result<f64> {
    ocicache::size_to_number(v).map_err(|e| to_js(env, &e))
}

#[napi]
impl CacheConfig {
    /// Reads a cache config from its JSON bytes; `maxSize` is our own limit
    /// (512 MiB by default; BuildKit's is 1 MiB, reported by validate).
    #[napi(
        factory,
        ts_args_type = "bytes: Uint8Array, options?: { maxSize?: number } | undefined | null"
    )]
    pub fn from_bytes(env: &Env, bytes: Unknown<'_>, options: Unknown<'_>) -> Result<CacheConfig> {
        let bytes = arg::bytes(env, "bytes", bytes)?;
        let mut max = ocicache::DEFAULT_MAX_DOCUMENT_SIZE;
        if let Some(object) = arg::optional_object(env, "options", "{ maxSize? }", options)?
            && let Some(n) =
                arg::optional_number(env, "maxSize", object.get_named_property("maxSize")?)?
        {
            max = ocicache::size_from_number(n).map_err(|e| to_js(env, &e.within("maxSize")))?;
        }
        ocicache::CacheConfig::from_bytes_with_limit(bytes, max)
            .map(|inner| CacheConfig { inner })
            .map_err(|e| to_js(env, &e))
    }

    /// The config as BuildKit writes it (compact JSON, Go's bytes).
    #[napi(ts_return_type = "Uint8Array")]
    pub fn to_bytes(&self, env: &Env) -> Result<Buffer> {
        crate::bytes::buffer(env, &self.inner.to_bytes())
    }

    /// The sha256 digest of `toBytes()`.
    #[napi]
    pub fn digest(&self) -> String {
        ocicache::digest(&self.inner.to_bytes(), ocicache::Algorithm::Sha256).to_string()
    }

    /// The config as a plain object, keys as in the file.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        plain::js(env, &plain::object(env, &self.inner.to_bytes())?)
    }

    /// The number of records.
    #[napi(getter)]
    pub fn record_count(&self) -> u32 {
        u32::try_from(self.inner.records.len()).unwrap_or(u32::MAX)
    }

    /// The number of layers.
    #[napi(getter)]
    pub fn layer_count(&self) -> u32 {
        u32::try_from(self.inner.layers.len()).unwrap_or(u32::MAX)
    }

    /// BuildKit's importer checks; with `blobs` (the manifest's layer
    /// digests) also results needing a missing blob; with
    /// `requireAnnotations` the gha/s3/azblob layer annotations.
    #[napi(
        ts_args_type = "options?: { blobs?: string[]; requireAnnotations?: boolean } | undefined | null"
    )]
    pub fn validate(&self, env: &Env, options: Unknown<'_>) -> Result<Vec<Finding>> {
        let mut blobs = None;
        let mut require = false;
        let expected = "{ blobs?, requireAnnotations? }";
        if let Some(object) = arg::optional_object(env, "options", expected, options)? {
            if let Some(list) = plain::strings(env, "blobs", object.get_named_property("blobs")?)? {
                let set: Result<HashSet<ocicache::Digest>> = list
                    .iter()
                    .map(|d| ocicache::Digest::parse(d).map_err(|e| to_js(env, &e.within("blobs"))))
                    .collect();
                blobs = Some(set?);
            }
            let flag: Unknown<'_> = object.get_named_property("requireAnnotations")?;
            require = flag.get_type()? == ValueType::Boolean && bool::from_unknown(flag)?;
        }
        Ok(plain::findings(self.inner.validate_with(
            &ocicache::ValidateOptions {
                blobs: blobs.as_ref(),
                require_annotations: require,
            },
        )))
    }

    /// A copy sorted and re-indexed like BuildKit's exporter.
    #[napi]
    pub fn normalized(&self, env: &Env) -> Result<CacheConfig> {
        self.inner
            .normalized()
            .map(|inner| CacheConfig { inner })
            .map_err(|e| to_js(env, &e))
    }

    /// Records with no inputs.
    #[napi]
    pub fn roots(&self) -> Vec<u32> {
        to_u32(self.inner.roots())
    }

    /// Records no other record links to.
    #[napi]
    pub fn leaves(&self) -> Vec<u32> {
        to_u32(self.inner.leaves())
    }

    /// Records that list `record` among their inputs.
    #[napi(ts_args_type = "record: number")]
    pub fn dependents(&self, env: &Env, record: Unknown<'_>) -> Result<Vec<u32>> {
        Ok(to_u32(self.inner.dependents(index(env, "record", record)?)))
    }

    /// The layer indexes of the chain ending at `layer`, base first.
    #[napi(ts_args_type = "layer: number")]
    pub fn layer_chain(&self, env: &Env, layer: Unknown<'_>) -> Result<Vec<u32>> {
        let layer = index(env, "layer", layer)?;
        self.inner
            .layer_chain(layer)
            .map(to_u32)
            .map_err(|e| to_js(env, &e))
    }

    /// The layer chain (base first) of each result of `record`.
    #[napi(ts_args_type = "record: number", ts_return_type = "number[][]")]
    pub fn result_chains(&self, env: &Env, record: Unknown<'_>) -> Result<Vec<Vec<u32>>> {
        let record = index(env, "record", record)?;
        self.inner
            .result_chains(record)
            .map(|c| c.into_iter().map(to_u32).collect())
            .map_err(|e| to_js(env, &e))
    }

    /// The distinct layer blobs, in order of first appearance.
    #[napi]
    pub fn blobs(&self) -> Vec<String> {
        self.inner.blobs().iter().map(ToString::to_string).collect()
    }

    /// The bytes `record`'s results need, given blob sizes by digest.
    #[napi(ts_args_type = "record: number, sizes: Record<string, number>")]
    pub fn record_size(
        &self,
        env: &Env,
        record: Unknown<'_>,
        sizes: Unknown<'_>,
    ) -> Result<RecordSize> {
        let record = index(env, "record", record)?;
        if sizes.get_type()? != ValueType::Object {
            return Err(arg::type_error(
                env,
                "sizes",
                "an object of sizes by digest",
                &sizes,
            ));
        }
        let sizes = Object::from_unknown(sizes)?;
        let mut map = HashMap::new();
        for key in Object::keys(&sizes)? {
            let digest =
                ocicache::Digest::parse(&key).map_err(|e| to_js(env, &e.within("sizes")))?;
            let n = arg::optional_number(env, "sizes", sizes.get_named_property(&key)?)?
                .unwrap_or(-1.0);
            map.insert(
                digest,
                ocicache::size_from_number(n).map_err(|e| to_js(env, &e.within("sizes")))?,
            );
        }
        let s = self
            .inner
            .record_size(record, &map)
            .map_err(|e| to_js(env, &e))?;
        Ok(RecordSize {
            total: number(env, s.total)?,
            unique: number(env, s.unique)?,
            blobs: u32::try_from(s.blobs).unwrap_or(u32::MAX),
            unknown: u32::try_from(s.unknown).unwrap_or(u32::MAX),
        })
    }

    /// Blobs used by more than one record, with those records.
    #[napi]
    pub fn shared_layers(&self, env: &Env) -> Result<Vec<SharedLayer>> {
        Ok(self
            .inner
            .shared_layers()
            .map_err(|e| to_js(env, &e))?
            .into_iter()
            .map(|(d, r)| SharedLayer {
                blob: d.to_string(),
                records: to_u32(r),
            })
            .collect())
    }
}
