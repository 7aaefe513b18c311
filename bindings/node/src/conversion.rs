//! `Conversion` (core `conversion.rs`): recompressing and re-wrapping a cache.

use napi::bindgen_prelude::{Env, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::cache::gone;
use crate::digest::from_js;
use crate::error::to_js;
use crate::merge::CacheWrite;

/// A conversion in progress: recompress each of `layersToRecompress()`,
/// `record` it, then `finish()`.
#[napi]
pub struct Conversion {
    pub(crate) inner: Option<ocicache::Conversion>,
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
        let (digest, diff_id) = (from_js(env, digest)?, from_js(env, diff_id)?);
        let size = arg::size(env, "size", size)?;
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner
            .record_blob(&old, compression, digest, size, &diff_id)
            .map_err(|e| to_js(env, &e))
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
