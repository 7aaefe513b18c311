//! `Conversion` (core `conversion.rs`): recompressing and re-wrapping a cache.

use wasm_bindgen::prelude::*;

use crate::arg;
use crate::cache::gone;
use crate::digest::from_js;
use crate::error::to_js;
use crate::merge::CacheWrite;

/// A conversion in progress: recompress each of `layersToRecompress()`,
/// `record` it, then `finish()`.
#[wasm_bindgen]
pub struct Conversion {
    pub(crate) inner: Option<ocicache::Conversion>,
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
        let (digest, diff_id) = (from_js(digest)?, from_js(diff_id)?);
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record_blob(&old, compression, digest, size, &diff_id)
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
