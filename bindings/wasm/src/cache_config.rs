//! `CacheConfig` (core `cache_config/`).

use std::collections::{HashMap, HashSet};

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;
use crate::plain;

/// A BuildKit cache config: layer chains and cache-key records.
#[wasm_bindgen]
pub struct CacheConfig {
    pub(crate) inner: ocicache::CacheConfig,
}

fn number(v: u64) -> Result<f64, JsValue> {
    ocicache::size_to_number(v).map_err(|e| to_js(&e))
}

#[wasm_bindgen]
impl CacheConfig {
    /// Reads a cache config from its JSON bytes; `maxSize` is our own limit
    /// (512 MiB by default; BuildKit's is 1 MiB, reported by validate).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ maxSize?: number } | undefined | null")]
        options: &JsValue,
    ) -> Result<CacheConfig, JsValue> {
        let bytes = arg::bytes("bytes", bytes)?;
        let get = arg::optional_object("options", "{ maxSize? }", options)?;
        let max_size = get.map_or(JsValue::UNDEFINED, |get| get("maxSize"));
        let max = match arg::optional_number("maxSize", &max_size)? {
            Some(n) => ocicache::size_from_number(n).map_err(|e| to_js(&e.within("maxSize")))?,
            None => ocicache::DEFAULT_MAX_DOCUMENT_SIZE,
        };
        ocicache::CacheConfig::from_bytes_with_limit(&bytes, max)
            .map(|inner| CacheConfig { inner })
            .map_err(|e| to_js(&e))
    }

    /// The config as BuildKit writes it (compact JSON, Go's bytes).
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> Uint8Array {
        Uint8Array::from(self.inner.to_bytes().as_slice())
    }

    /// The sha256 digest of `toBytes()`.
    pub fn digest(&self) -> String {
        ocicache::digest(&self.inner.to_bytes(), ocicache::Algorithm::Sha256).to_string()
    }

    /// The config as a plain object, keys as in the file.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        plain::object(&self.inner.to_bytes())
    }

    /// The number of records.
    #[wasm_bindgen(getter, js_name = recordCount)]
    pub fn record_count(&self) -> u32 {
        u32::try_from(self.inner.records.len()).unwrap_or(u32::MAX)
    }

    /// The number of layers.
    #[wasm_bindgen(getter, js_name = layerCount)]
    pub fn layer_count(&self) -> u32 {
        u32::try_from(self.inner.layers.len()).unwrap_or(u32::MAX)
    }

    /// BuildKit's importer checks; with `blobs` (the manifest's layer
    /// digests) also results needing a missing blob; with
    /// `requireAnnotations` the gha/s3/azblob layer annotations.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn validate(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "{ blobs?: string[]; requireAnnotations?: boolean } | undefined | null"
        )]
        options: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let get = arg::optional_object("options", "{ blobs?, requireAnnotations? }", options)?;
        let member = |key: &str| get.as_ref().map_or(JsValue::UNDEFINED, |get| get(key));
        let blobs = match plain::strings("blobs", &member("blobs"))? {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|d| ocicache::Digest::parse(d).map_err(|e| to_js(&e.within("blobs"))))
                    .collect::<Result<HashSet<_>, _>>()?,
            ),
        };
        let require = member("requireAnnotations").as_bool() == Some(true);
        Ok(plain::findings(&self.inner.validate_with(
            &ocicache::ValidateOptions {
                blobs: blobs.as_ref(),
                require_annotations: require,
            },
        )))
    }

    /// A copy sorted and re-indexed like BuildKit's exporter.
    pub fn normalized(&self) -> Result<CacheConfig, JsValue> {
        self.inner
            .normalized()
            .map(|inner| CacheConfig { inner })
            .map_err(|e| to_js(&e))
    }

    /// Records with no inputs.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn roots(&self) -> JsValue {
        plain::numbers(&self.inner.roots())
    }

    /// Records no other record links to.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn leaves(&self) -> JsValue {
        plain::numbers(&self.inner.leaves())
    }

    /// Records that list `record` among their inputs.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn dependents(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] record: &JsValue,
    ) -> Result<JsValue, JsValue> {
        Ok(plain::numbers(
            &self.inner.dependents(plain::index("record", record)?),
        ))
    }

    /// The layer indexes of the chain ending at `layer`, base first.
    #[wasm_bindgen(js_name = layerChain, unchecked_return_type = "number[]")]
    pub fn layer_chain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] layer: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let layer = plain::index("layer", layer)?;
        self.inner
            .layer_chain(layer)
            .map(|c| plain::numbers(&c))
            .map_err(|e| to_js(&e))
    }

    /// The layer chain (base first) of each result of `record`.
    #[wasm_bindgen(js_name = resultChains, unchecked_return_type = "number[][]")]
    pub fn result_chains(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] record: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let record = plain::index("record", record)?;
        let chains = self.inner.result_chains(record).map_err(|e| to_js(&e))?;
        Ok(chains
            .iter()
            .map(|c| plain::numbers(c))
            .collect::<Array>()
            .into())
    }

    /// The distinct layer blobs, in order of first appearance.
    pub fn blobs(&self) -> Vec<String> {
        self.inner.blobs().iter().map(ToString::to_string).collect()
    }

    /// The bytes `record`'s results need, given blob sizes by digest.
    #[wasm_bindgen(js_name = recordSize, unchecked_return_type = "RecordSize")]
    pub fn record_size(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] record: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, number>")] sizes: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let record = plain::index("record", record)?;
        if !sizes.is_object() {
            return Err(arg::type_error(
                "sizes",
                "an object of sizes by digest",
                sizes,
            ));
        }
        let mut map = HashMap::new();
        let sizes_object: &Object = sizes.unchecked_ref();
        for key in Object::keys(sizes_object).iter() {
            let key: String = key.as_string().unwrap_or_default();
            let digest = ocicache::Digest::parse(&key).map_err(|e| to_js(&e.within("sizes")))?;
            let n = Reflect::get(sizes, &key.as_str().into())?
                .as_f64()
                .unwrap_or(-1.0);
            map.insert(
                digest,
                ocicache::size_from_number(n).map_err(|e| to_js(&e.within("sizes")))?,
            );
        }
        let s = self
            .inner
            .record_size(record, &map)
            .map_err(|e| to_js(&e))?;
        let o = Object::new();
        Reflect::set(&o, &"total".into(), &number(s.total)?.into())?;
        Reflect::set(&o, &"unique".into(), &number(s.unique)?.into())?;
        Reflect::set(
            &o,
            &"blobs".into(),
            &JsValue::from(u32::try_from(s.blobs).unwrap_or(u32::MAX)),
        )?;
        Reflect::set(
            &o,
            &"unknown".into(),
            &JsValue::from(u32::try_from(s.unknown).unwrap_or(u32::MAX)),
        )?;
        Ok(o.into())
    }

    /// Blobs used by more than one record, with those records.
    #[wasm_bindgen(js_name = sharedLayers, unchecked_return_type = "SharedLayer[]")]
    pub fn shared_layers(&self) -> Result<JsValue, JsValue> {
        let out = Array::new();
        for (d, records) in self.inner.shared_layers().map_err(|e| to_js(&e))? {
            let o = Object::new();
            Reflect::set(&o, &"blob".into(), &d.to_string().into())?;
            Reflect::set(&o, &"records".into(), &plain::numbers(&records))?;
            out.push(&o);
        }
        Ok(out.into())
    }
}
