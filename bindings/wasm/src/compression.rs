//! `detectCompression`, `Decoder`, `Encoder`, `decompress`, `compress` and
//! `decompressAsync` (core `compression/`). Input is streamed into WASM
//! memory through the scratch buffer of `arg.rs`.

use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;

/// The core's limits from an optional `{ maxOutput, maxZstdWindow }`.
pub(crate) fn limits(value: &JsValue) -> Result<ocicache::Limits, JsValue> {
    let mut limits = ocicache::Limits::default();
    let Some(get) = arg::optional_object("limits", "{ maxOutput?, maxZstdWindow? }", value)? else {
        return Ok(limits);
    };
    for (key, slot) in [
        ("maxOutput", &mut limits.max_output),
        ("maxZstdWindow", &mut limits.max_zstd_window),
    ] {
        if let Some(n) = arg::optional_number(key, &get(key))? {
            *slot = ocicache::size_from_number(n).map_err(|e| to_js(&e.in_field(key)))?;
        }
    }
    Ok(limits)
}

pub(crate) fn compression(value: &JsValue) -> Result<ocicache::Compression, JsValue> {
    ocicache::Compression::parse(&arg::string("compression", value)?).map_err(|e| to_js(&e))
}

fn optional_compression(value: &JsValue) -> Result<Option<ocicache::Compression>, JsValue> {
    arg::optional_string("compression", value)?
        .map(|name| ocicache::Compression::parse(&name).map_err(|e| to_js(&e)))
        .transpose()
}

pub(crate) fn level(value: &JsValue) -> Result<Option<i32>, JsValue> {
    arg::optional_number("level", value)?
        .map(|n| ocicache::level_from_number(n).map_err(|e| to_js(&e)))
        .transpose()
}

/// Runs `f` with a sink that collects the output.
pub(crate) fn collect(
    f: impl FnOnce(&mut ocicache::Sink<'_>) -> ocicache::Result<()>,
) -> Result<Vec<u8>, JsValue> {
    let mut out = Vec::new();
    f(&mut |chunk| {
        out.extend_from_slice(chunk);
        Ok(())
    })
    .map_err(|e| to_js(&e))?;
    Ok(out)
}

/// `gzip`, `zstd` or `uncompressed` from the first bytes of a blob (512 are
/// enough), or `null`.
#[wasm_bindgen(js_name = detectCompression, unchecked_return_type = "string | null")]
pub fn detect_compression(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
) -> Result<JsValue, JsValue> {
    let mut prefix = Vec::new();
    arg::each_chunk("bytes", bytes, |piece| {
        let room = ocicache::DETECT_LEN.saturating_sub(prefix.len());
        prefix.extend_from_slice(&piece[..room.min(piece.len())]);
    })?;
    Ok(ocicache::detect_compression(&prefix).map_or(JsValue::NULL, |c| c.as_str().into()))
}

/// A streaming decoder: `update(chunk, maxBytes?)` returns the bytes
/// decoded so far; `finish()` throws unless the stream is complete.
#[wasm_bindgen]
pub struct Decoder {
    inner: ocicache::Decoder,
}

#[wasm_bindgen]
impl Decoder {
    /// A decoder for `compression` (`"gzip"`, `"zstd"`, `"uncompressed"`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] compression: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Limits | undefined | null")] limits: &JsValue,
    ) -> Result<Decoder, JsValue> {
        Ok(Decoder {
            inner: ocicache::Decoder::new(self::compression(compression)?, self::limits(limits)?),
        })
    }

    /// Decode the next chunk; returns what it decoded. With `maxBytes`,
    /// returns about that many bytes at most (one piece of up to 128 KiB
    /// more) and keeps the input it did not decode: call
    /// `update(new Uint8Array(0), maxBytes)` until it returns no bytes
    /// before giving it the next chunk. A few bytes of zstd can stand for
    /// gigabytes; `maxBytes` bounds what one call holds.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "number | undefined | null",
            js_name = "maxBytes"
        )]
        max_bytes: &JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        let input = arg::bytes("chunk", chunk)?;
        let max = arg::optional_size("maxBytes", max_bytes)?;
        collect(|sink| self.inner.update_limited(&input, max, sink).map(drop))
    }

    /// End of input: throws unless the stream is complete.
    pub fn finish(&mut self) -> Result<(), JsValue> {
        self.inner.finish().map_err(|e| to_js(&e))
    }
}

/// A streaming encoder: `update(chunk)` and `finish()` return compressed bytes.
#[cfg(feature = "full")]
#[wasm_bindgen]
pub struct Encoder {
    inner: ocicache::Encoder,
}

#[cfg(feature = "full")]
#[wasm_bindgen]
impl Encoder {
    /// An encoder for `compression` at `level` (gzip -2..9, default 6; zstd:
    /// any level, always encoded at 1 — see `level`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] compression: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] level: &JsValue,
    ) -> Result<Encoder, JsValue> {
        let inner = ocicache::Encoder::new(self::compression(compression)?, self::level(level)?)
            .map_err(|e| to_js(&e))?;
        Ok(Encoder { inner })
    }

    /// The level really used (`null` for uncompressed).
    #[wasm_bindgen(getter, unchecked_return_type = "number | null")]
    pub fn level(&self) -> JsValue {
        self.inner.level().map_or(JsValue::NULL, JsValue::from)
    }

    /// Compress the next chunk; returns compressed bytes.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        let input = arg::bytes("chunk", chunk)?;
        collect(|sink| self.inner.update(&input, sink))
    }

    /// End of input: returns the last compressed bytes.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsValue> {
        collect(|sink| self.inner.finish(sink))
    }
}

/// Decompress a whole blob (`compression` detected when absent).
#[wasm_bindgen]
pub fn decompress(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] compression: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Limits | undefined | null")] limits: &JsValue,
) -> Result<Vec<u8>, JsValue> {
    let input = arg::bytes("bytes", bytes)?;
    ocicache::decompress(
        &input,
        optional_compression(compression)?,
        self::limits(limits)?,
    )
    .map_err(|e| to_js(&e))
}

/// Compress a whole blob.
#[cfg(feature = "full")]
#[wasm_bindgen(unchecked_return_type = "Compressed")]
pub fn compress(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] compression: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] level: &JsValue,
) -> Result<JsValue, JsValue> {
    let input = arg::bytes("bytes", bytes)?;
    let (data, level) =
        ocicache::compress(&input, self::compression(compression)?, self::level(level)?)
            .map_err(|e| to_js(&e))?;
    let out = Object::new();
    let _ = Reflect::set(
        &out,
        &"data".into(),
        &js_sys::Uint8Array::from(data.as_slice()),
    );
    let _ = Reflect::set(
        &out,
        &"level".into(),
        &level.map_or(JsValue::NULL, JsValue::from),
    );
    Ok(out.into())
}

/// `decompress` as a promise. WASM has no thread pool here: the work runs
/// before the promise is returned; the API matches the native addon's.
#[wasm_bindgen(js_name = decompressAsync, unchecked_return_type = "Promise<Uint8Array>")]
pub fn decompress_async(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] compression: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Limits | undefined | null")] limits: &JsValue,
) -> Promise {
    match decompress(bytes, compression, limits) {
        Ok(out) => Promise::resolve(&JsValue::from(js_sys::Uint8Array::from(out.as_slice()))),
        Err(e) => Promise::reject(&e),
    }
}
