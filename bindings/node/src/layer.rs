//! `layerDigests`, `layerDigestsAsync`, `LayerDigester`, `LayerCompressor`
//! (core `layer.rs`).

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Env, Null, Result, Task, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::compression::{collect, collect_vec, compression, level, limits};
use crate::error::to_js;

/// What one pass over a layer blob yields.
#[napi(object)]
pub struct LayerDigests {
    /// `gzip`, `zstd` or `uncompressed`.
    pub compression: String,
    /// The digest of the compressed blob.
    pub digest: String,
    /// The size of the compressed blob.
    pub size: f64,
    /// The digest of the uncompressed tar (`containerd.io/uncompressed`).
    pub diff_id: String,
    /// The size of the uncompressed tar.
    pub uncompressed_size: f64,
}

fn to_js_digests(env: &Env, d: &ocicache::LayerDigests) -> Result<LayerDigests> {
    let number = |n| ocicache::size_to_number(n).map_err(|e| to_js(env, &e));
    Ok(LayerDigests {
        compression: d.compression.as_str().to_owned(),
        digest: d.digest.to_string(),
        size: number(d.size)?,
        diff_id: d.diff_id.to_string(),
        uncompressed_size: number(d.uncompressed_size)?,
    })
}

/// The digests of a whole layer blob in one pass.
#[napi(ts_args_type = "bytes: Uint8Array, limits?: Limits | undefined | null")]
pub fn layer_digests(env: &Env, bytes: Unknown<'_>, limits: Unknown<'_>) -> Result<LayerDigests> {
    let bytes = arg::bytes(env, "bytes", bytes)?;
    let digests =
        ocicache::layer_digests(bytes, self::limits(env, limits)?).map_err(|e| to_js(env, &e))?;
    to_js_digests(env, &digests)
}

/// `layerDigests` on the libuv thread pool.
pub struct LayerDigestsTask {
    input: Vec<u8>,
    limits: ocicache::Limits,
}

impl Task for LayerDigestsTask {
    type Output = ocicache::Result<ocicache::LayerDigests>;
    type JsValue = LayerDigests;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(ocicache::layer_digests(&self.input, self.limits))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<LayerDigests> {
        let digests = output.map_err(|e| to_js(&env, &e))?;
        to_js_digests(&env, &digests)
    }
}

/// `layerDigests` without blocking the event loop (the input is copied once).
#[napi(
    ts_args_type = "bytes: Uint8Array, limits?: Limits | undefined | null",
    ts_return_type = "Promise<LayerDigests>"
)]
pub fn layer_digests_async(
    env: &Env,
    bytes: Unknown<'_>,
    limits: Unknown<'_>,
) -> Result<AsyncTask<LayerDigestsTask>> {
    Ok(AsyncTask::new(LayerDigestsTask {
        input: arg::bytes(env, "bytes", bytes)?.to_vec(),
        limits: self::limits(env, limits)?,
    }))
}

fn finished(env: &Env) -> napi::Error {
    to_js(
        env,
        &ocicache::Error::new(ocicache::ErrorKind::InvalidArgument, "already finalized"),
    )
}

/// A streaming layer digester: `update(chunk)` with the compressed blob,
/// then `finalize()`.
#[napi]
pub struct LayerDigester {
    inner: Option<ocicache::LayerDigester>,
}

#[napi]
impl LayerDigester {
    /// A digester with optional limits for the decoding.
    #[napi(constructor, ts_args_type = "limits?: Limits | undefined | null")]
    pub fn new(env: &Env, limits: Unknown<'_>) -> Result<Self> {
        Ok(LayerDigester {
            inner: Some(ocicache::LayerDigester::new(self::limits(env, limits)?)),
        })
    }

    /// Push the next chunk of the compressed blob.
    #[napi(ts_args_type = "chunk: Uint8Array")]
    pub fn update(&mut self, env: &Env, chunk: Unknown<'_>) -> Result<()> {
        let input = arg::bytes(env, "chunk", chunk)?;
        let inner = self.inner.as_mut().ok_or_else(|| finished(env))?;
        inner.update(input).map_err(|e| to_js(env, &e))
    }

    /// End of the blob: the digests.
    #[napi]
    pub fn finalize(&mut self, env: &Env) -> Result<LayerDigests> {
        let inner = self.inner.take().ok_or_else(|| finished(env))?;
        let digests = inner.finalize().map_err(|e| to_js(env, &e))?;
        to_js_digests(env, &digests)
    }
}

/// The end of a compressed layer: its last bytes, its digests, the level used.
#[napi(object)]
pub struct CompressedLayer {
    /// The last compressed bytes.
    #[napi(ts_type = "Uint8Array")]
    pub data: Buffer,
    /// The digests of the blob and of the tar.
    pub digests: LayerDigests,
    /// The level really used (`null` for uncompressed).
    pub level: Either<i32, Null>,
}

/// A streaming layer compressor for export: `update(tarChunk)` returns
/// compressed bytes; `finalize()` the last ones with the digests.
#[napi]
pub struct LayerCompressor {
    inner: Option<ocicache::LayerCompressor>,
}

#[napi]
impl LayerCompressor {
    /// A compressor for `compression` at `level`.
    #[napi(
        constructor,
        ts_args_type = "compression: string, level?: number | undefined | null"
    )]
    pub fn new(env: &Env, compression: Unknown<'_>, level: Unknown<'_>) -> Result<Self> {
        let compression = self::compression(env, compression)?;
        let level = self::level(env, level)?;
        let inner =
            ocicache::LayerCompressor::new(compression, level).map_err(|e| to_js(env, &e))?;
        Ok(LayerCompressor { inner: Some(inner) })
    }

    /// Compress the next chunk of the tar; returns compressed bytes.
    #[napi(ts_args_type = "chunk: Uint8Array", ts_return_type = "Uint8Array")]
    pub fn update(&mut self, env: &Env, chunk: Unknown<'_>) -> Result<Buffer> {
        let input = arg::bytes(env, "chunk", chunk)?;
        let inner = self.inner.as_mut().ok_or_else(|| finished(env))?;
        collect(env, |sink| inner.update(input, sink))
    }

    /// End of the tar: the last bytes, the digests and the level used.
    #[napi]
    pub fn finalize(&mut self, env: &Env) -> Result<CompressedLayer> {
        let inner = self.inner.take().ok_or_else(|| finished(env))?;
        let mut done = None;
        let data = collect_vec(env, |sink| {
            done = Some(inner.finalize(sink)?);
            Ok(())
        })?;
        let done = done.ok_or_else(|| finished(env))?;
        Ok(CompressedLayer {
            data: crate::bytes::buffer(env, &data)?,
            digests: to_js_digests(env, &done.digests)?,
            level: done.level.map_or(Either::B(Null), Either::A),
        })
    }
}
