//! `layerDigests`, `layerDigestsAsync`, `LayerDigester`, `LayerCompressor`
//! (core `layer.rs`).

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::compression::{collect, compression, level, limits};
use crate::error::to_js;

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}

fn to_js_digests(d: &ocicache::LayerDigests) -> Result<JsValue, JsValue> {
    let number = |n| ocicache::size_to_number(n).map_err(|e| to_js(&e));
    let out = Object::new();
    set(&out, "compression", &d.compression.as_str().into());
    set(&out, "digest", &d.digest.as_str().into());
    set(&out, "size", &number(d.size)?.into());
    set(&out, "diffId", &d.diff_id.as_str().into());
    set(
        &out,
        "uncompressedSize",
        &number(d.uncompressed_size)?.into(),
    );
    Ok(out.into())
}

/// The digests of a whole layer blob in one pass.
#[wasm_bindgen(js_name = layerDigests, unchecked_return_type = "LayerDigests")]
pub fn layer_digests(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Limits | undefined | null")] limits: &JsValue,
) -> Result<JsValue, JsValue> {
    let mut digester = ocicache::LayerDigester::new(self::limits(limits)?);
    let mut failure = None;
    arg::each_chunk("bytes", bytes, |piece| {
        if failure.is_none() {
            failure = digester.update(piece).err();
        }
    })?;
    if let Some(e) = failure {
        return Err(to_js(&e));
    }
    to_js_digests(&digester.finalize().map_err(|e| to_js(&e))?)
}

/// `layerDigests` as a promise. WASM has no thread pool here: the work runs
/// before the promise is returned; the API matches the native addon's.
#[wasm_bindgen(js_name = layerDigestsAsync, unchecked_return_type = "Promise<LayerDigests>")]
pub fn layer_digests_async(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Limits | undefined | null")] limits: &JsValue,
) -> Promise {
    match layer_digests(bytes, limits) {
        Ok(d) => Promise::resolve(&d),
        Err(e) => Promise::reject(&e),
    }
}

fn finished() -> JsValue {
    to_js(&ocicache::Error::new(
        ocicache::ErrorKind::InvalidArgument,
        "already finalized",
    ))
}

/// A streaming layer digester: `update(chunk)` with the compressed blob,
/// then `finalize()`.
#[wasm_bindgen]
pub struct LayerDigester {
    inner: Option<ocicache::LayerDigester>,
}

#[wasm_bindgen]
impl LayerDigester {
    /// A digester with optional limits for the decoding.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Limits | undefined | null")] limits: &JsValue,
    ) -> Result<LayerDigester, JsValue> {
        Ok(LayerDigester {
            inner: Some(ocicache::LayerDigester::new(self::limits(limits)?)),
        })
    }

    /// Push the next chunk of the compressed blob.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Result<(), JsValue> {
        let inner = self.inner.as_mut().ok_or_else(finished)?;
        let mut failure = None;
        arg::each_chunk("chunk", chunk, |piece| {
            if failure.is_none() {
                failure = inner.update(piece).err();
            }
        })?;
        failure.map_or(Ok(()), |e| Err(to_js(&e)))
    }

    /// End of the blob: the digests.
    #[wasm_bindgen(unchecked_return_type = "LayerDigests")]
    pub fn finalize(&mut self) -> Result<JsValue, JsValue> {
        let inner = self.inner.take().ok_or_else(finished)?;
        to_js_digests(&inner.finalize().map_err(|e| to_js(&e))?)
    }
}

/// A streaming layer compressor for export: `update(tarChunk)` returns
/// compressed bytes; `finalize()` the last ones with the digests.
#[wasm_bindgen]
pub struct LayerCompressor {
    inner: Option<ocicache::LayerCompressor>,
}

#[wasm_bindgen]
impl LayerCompressor {
    /// A compressor for `compression` at `level`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] compression: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] level: &JsValue,
    ) -> Result<LayerCompressor, JsValue> {
        let inner =
            ocicache::LayerCompressor::new(self::compression(compression)?, self::level(level)?)
                .map_err(|e| to_js(&e))?;
        Ok(LayerCompressor { inner: Some(inner) })
    }

    /// Compress the next chunk of the tar; returns compressed bytes.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        let input = arg::bytes("chunk", chunk)?;
        let inner = self.inner.as_mut().ok_or_else(finished)?;
        collect(|sink| inner.update(&input, sink))
    }

    /// End of the tar: the last bytes, the digests and the level used.
    #[wasm_bindgen(unchecked_return_type = "CompressedLayer")]
    pub fn finalize(&mut self) -> Result<JsValue, JsValue> {
        let inner = self.inner.take().ok_or_else(finished)?;
        let mut done = None;
        let data = collect(|sink| {
            done = Some(inner.finalize(sink)?);
            Ok(())
        })?;
        let done = done.ok_or_else(finished)?;
        let out = Object::new();
        set(&out, "data", &js_sys::Uint8Array::from(data.as_slice()));
        set(&out, "digests", &to_js_digests(&done.digests)?);
        set(
            &out,
            "level",
            &done.level.map_or(JsValue::NULL, JsValue::from),
        );
        Ok(out.into())
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Limits for decoding untrusted data, in bytes. */
export interface Limits {
  maxOutput?: number
  maxZstdWindow?: number
}

/** A compressed blob and the level really used. */
export interface Compressed {
  data: Uint8Array
  level: number | null
}

/** What one pass over a layer blob yields. */
export interface LayerDigests {
  compression: string
  digest: string
  size: number
  diffId: string
  uncompressedSize: number
}

/** The end of a compressed layer: its last bytes, its digests, the level used. */
export interface CompressedLayer {
  data: Uint8Array
  digests: LayerDigests
  level: number | null
}
"#;
