//! `detectCompression`, `Decoder`, `Encoder`, `decompress`, `compress` and
//! `decompressAsync` (core `compression/`). Bytes come in borrowed; output
//! is a `Buffer` handed over without a copy.

use napi::bindgen_prelude::{
    AsyncTask, Buffer, Either, Env, JsObjectValue, Null, Result, Task, Unknown,
};
use napi_derive::napi;

use crate::arg;
use crate::bytes;
use crate::error::to_js;

/// Limits for decoding untrusted data: `maxOutput` (bytes, default 64 GiB)
/// and `maxZstdWindow` (bytes, default 128 MiB).
#[napi(object)]
#[allow(dead_code)] // read field by field in `limits`; this declares the TypeScript interface
pub struct Limits {
    /// The most uncompressed bytes to produce.
    pub max_output: Option<f64>,
    /// The largest zstd window a frame may ask for.
    pub max_zstd_window: Option<f64>,
}

/// The core's limits from an optional `{ maxOutput, maxZstdWindow }`.
pub(crate) fn limits(env: &Env, value: Unknown<'_>) -> Result<ocicache::Limits> {
    let mut limits = ocicache::Limits::default();
    let Some(object) =
        arg::optional_object(env, "limits", "{ maxOutput?, maxZstdWindow? }", value)?
    else {
        return Ok(limits);
    };
    for (key, slot) in [
        ("maxOutput", &mut limits.max_output),
        ("maxZstdWindow", &mut limits.max_zstd_window),
    ] {
        if let Some(n) = arg::optional_number(env, key, object.get_named_property(key)?)? {
            *slot = ocicache::size_from_number(n).map_err(|e| to_js(env, &e.in_field(key)))?;
        }
    }
    Ok(limits)
}

pub(crate) fn compression(env: &Env, value: Unknown<'_>) -> Result<ocicache::Compression> {
    let name = arg::string(env, "compression", value)?;
    ocicache::Compression::parse(&name).map_err(|e| to_js(env, &e))
}

fn optional_compression(env: &Env, value: Unknown<'_>) -> Result<Option<ocicache::Compression>> {
    arg::optional_string(env, "compression", value)?
        .map(|name| ocicache::Compression::parse(&name).map_err(|e| to_js(env, &e)))
        .transpose()
}

pub(crate) fn level(env: &Env, value: Unknown<'_>) -> Result<Option<i32>> {
    arg::optional_number(env, "level", value)?
        .map(|n| ocicache::level_from_number(n).map_err(|e| to_js(env, &e)))
        .transpose()
}

/// Runs `f` with a sink that collects its output.
pub(crate) fn collect_vec(
    env: &Env,
    f: impl FnOnce(&mut ocicache::Sink<'_>) -> ocicache::Result<()>,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    f(&mut |chunk| {
        out.extend_from_slice(chunk);
        Ok(())
    })
    .map_err(|e| to_js(env, &e))?;
    Ok(out)
}

/// Runs `f` with a sink that collects into a `Buffer` (one Node allocates:
/// see `bytes.rs`).
pub(crate) fn collect(
    env: &Env,
    f: impl FnOnce(&mut ocicache::Sink<'_>) -> ocicache::Result<()>,
) -> Result<Buffer> {
    bytes::buffer(env, &collect_vec(env, f)?)
}

/// `gzip`, `zstd` or `uncompressed` from the first bytes of a blob (512 are
/// enough), or `null`.
#[napi(ts_args_type = "bytes: Uint8Array", ts_return_type = "string | null")]
pub fn detect_compression(env: &Env, bytes: Unknown<'_>) -> Result<Option<&'static str>> {
    let bytes = arg::bytes(env, "bytes", bytes)?;
    Ok(ocicache::detect_compression(bytes).map(ocicache::Compression::as_str))
}

/// A streaming decoder: `update(chunk, maxBytes?)` returns the bytes
/// decoded so far; `finish()` throws unless the stream is complete.
#[napi]
pub struct Decoder {
    inner: ocicache::Decoder,
}

#[napi]
impl Decoder {
    /// A decoder for `compression` (`"gzip"`, `"zstd"`, `"uncompressed"`).
    #[napi(
        constructor,
        ts_args_type = "compression: string, limits?: Limits | undefined | null"
    )]
    pub fn new(env: &Env, compression: Unknown<'_>, limits: Unknown<'_>) -> Result<Self> {
        Ok(Decoder {
            inner: ocicache::Decoder::new(
                self::compression(env, compression)?,
                self::limits(env, limits)?,
            ),
        })
    }

    /// Decode the next chunk; returns what it decoded. With `maxBytes`,
    /// returns about that many bytes at most (one piece of up to 128 KiB
    /// more) and keeps the input it did not decode: call
    /// `update(new Uint8Array(0), maxBytes)` until it returns no bytes
    /// before giving it the next chunk. A few bytes of zstd can stand for
    /// gigabytes; `maxBytes` bounds what one call holds.
    #[napi(
        ts_args_type = "chunk: Uint8Array, maxBytes?: number | undefined | null",
        ts_return_type = "Uint8Array"
    )]
    pub fn update(
        &mut self,
        env: &Env,
        chunk: Unknown<'_>,
        max_bytes: Unknown<'_>,
    ) -> Result<Buffer> {
        let input = arg::bytes(env, "chunk", chunk)?;
        let max = arg::optional_size(env, "maxBytes", max_bytes)?;
        collect(env, |sink| {
            self.inner.update_limited(input, max, sink).map(drop)
        })
    }

    /// End of input: throws unless the stream is complete.
    #[napi]
    pub fn finish(&mut self, env: &Env) -> Result<()> {
        self.inner.finish().map_err(|e| to_js(env, &e))
    }
}

/// A streaming encoder: `update(chunk)` and `finish()` return compressed bytes.
#[napi]
pub struct Encoder {
    inner: ocicache::Encoder,
}

#[napi]
impl Encoder {
    /// An encoder for `compression` at `level` (gzip -2..9, default 6; zstd:
    /// any level, always encoded at 1 — see `level`).
    #[napi(
        constructor,
        ts_args_type = "compression: string, level?: number | undefined | null"
    )]
    pub fn new(env: &Env, compression: Unknown<'_>, level: Unknown<'_>) -> Result<Self> {
        let inner = ocicache::Encoder::new(
            self::compression(env, compression)?,
            self::level(env, level)?,
        )
        .map_err(|e| to_js(env, &e))?;
        Ok(Encoder { inner })
    }

    /// The level really used (`null` for uncompressed).
    #[napi(getter)]
    pub fn level(&self) -> Option<i32> {
        self.inner.level()
    }

    /// Compress the next chunk; returns compressed bytes.
    #[napi(ts_args_type = "chunk: Uint8Array", ts_return_type = "Uint8Array")]
    pub fn update(&mut self, env: &Env, chunk: Unknown<'_>) -> Result<Buffer> {
        let input = arg::bytes(env, "chunk", chunk)?;
        collect(env, |sink| self.inner.update(input, sink))
    }

    /// End of input: returns the last compressed bytes.
    #[napi(ts_return_type = "Uint8Array")]
    pub fn finish(&mut self, env: &Env) -> Result<Buffer> {
        collect(env, |sink| self.inner.finish(sink))
    }
}

/// Decompress a whole blob (`compression` detected when absent).
#[napi(
    ts_args_type = "bytes: Uint8Array, compression?: string | undefined | null, limits?: Limits | undefined | null",
    ts_return_type = "Uint8Array"
)]
pub fn decompress(
    env: &Env,
    bytes: Unknown<'_>,
    compression: Unknown<'_>,
    limits: Unknown<'_>,
) -> Result<Buffer> {
    let bytes = arg::bytes(env, "bytes", bytes)?;
    let compression = optional_compression(env, compression)?;
    let out = ocicache::decompress(bytes, compression, self::limits(env, limits)?)
        .map_err(|e| to_js(env, &e))?;
    bytes::buffer(env, &out)
}

/// A compressed blob and the level really used.
#[napi(object)]
pub struct Compressed {
    /// The compressed bytes.
    #[napi(ts_type = "Uint8Array")]
    pub data: Buffer,
    /// The level really used (`null` for uncompressed).
    pub level: Either<i32, Null>,
}

/// Compress a whole blob.
#[napi(ts_args_type = "bytes: Uint8Array, compression: string, level?: number | undefined | null")]
pub fn compress(
    env: &Env,
    bytes: Unknown<'_>,
    compression: Unknown<'_>,
    level: Unknown<'_>,
) -> Result<Compressed> {
    let bytes = arg::bytes(env, "bytes", bytes)?;
    let (data, level) = ocicache::compress(
        bytes,
        self::compression(env, compression)?,
        self::level(env, level)?,
    )
    .map_err(|e| to_js(env, &e))?;
    Ok(Compressed {
        data: bytes::buffer(env, &data)?,
        level: level.map_or(Either::B(Null), Either::A),
    })
}

/// `decompress` on the libuv thread pool.
pub struct DecompressTask {
    input: Vec<u8>,
    compression: Option<ocicache::Compression>,
    limits: ocicache::Limits,
}

impl Task for DecompressTask {
    type Output = ocicache::Result<Vec<u8>>;
    type JsValue = Buffer;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(ocicache::decompress(
            &self.input,
            self.compression,
            self.limits,
        ))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Buffer> {
        bytes::buffer(&env, &output.map_err(|e| to_js(&env, &e))?)
    }
}

/// `decompress` without blocking the event loop (the work runs on the libuv
/// thread pool; the input is copied once).
#[napi(
    ts_args_type = "bytes: Uint8Array, compression?: string | undefined | null, limits?: Limits | undefined | null",
    ts_return_type = "Promise<Uint8Array>"
)]
pub fn decompress_async(
    env: &Env,
    bytes: Unknown<'_>,
    compression: Unknown<'_>,
    limits: Unknown<'_>,
) -> Result<AsyncTask<DecompressTask>> {
    Ok(AsyncTask::new(DecompressTask {
        input: arg::bytes(env, "bytes", bytes)?.to_vec(),
        compression: optional_compression(env, compression)?,
        limits: self::limits(env, limits)?,
    }))
}
