//! `Conversion` (core `conversion.rs`): recompressing and re-wrapping a cache.

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;

use crate::cache::gone;
use crate::digest::DigestArg;
use crate::error::to_py;
use crate::merge::CacheWrite;

/// A conversion in progress: recompress each of ``layers_to_recompress()``,
/// ``record`` it, then ``finish()``.
#[pyclass(module = "ocicache")]
pub struct Conversion {
    pub(crate) inner: Option<ocicache::Conversion>,
}

#[pymethods]
impl Conversion {
    /// The digests of the layers to recompress.
    pub fn layers_to_recompress(&self) -> Vec<String> {
        self.inner
            .iter()
            .flat_map(ocicache::Conversion::layers_to_recompress)
            .map(|d| d.digest.to_string())
            .collect()
    }

    /// The recompressed blob of layer ``old``: its compression, digest, size
    /// and diffID as the compressor reported them.
    pub fn record(
        &mut self,
        old: DigestArg,
        compression: &str,
        digest: DigestArg,
        size: u64,
        diff_id: DigestArg,
    ) -> PyResult<()> {
        let compression = ocicache::Compression::parse(compression).map_err(|e| to_py(&e))?;
        let (old, digest, diff_id) = (old.into_core()?, digest.into_core()?, diff_id.into_core()?);
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record_blob(&old, compression, digest, size, &diff_id)
            .map_err(|e| to_py(&e))
    }

    /// The new config and manifest.
    pub fn finish(&mut self) -> PyResult<CacheWrite> {
        let inner = self.inner.take().ok_or_else(gone)?;
        Ok(CacheWrite {
            inner: inner.finish().map_err(|e| to_py(&e))?,
        })
    }
}
