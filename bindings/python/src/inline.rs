//! `inline_cache` (core `inline.rs`).
// pyo3 hands arguments over by value.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;

use crate::buffer::Bytes;
use crate::cache_config::CacheConfig;
use crate::error::to_py;
use crate::plain;

/// An image's inline cache.
#[pyclass(frozen, module = "ocicache")]
pub struct InlineCache {
    config: Py<CacheConfig>,
    layers: Vec<ocicache::Descriptor>,
}

#[pymethods]
impl InlineCache {
    /// The records over the image's layers.
    #[getter]
    pub fn config(&self, py: Python<'_>) -> Py<CacheConfig> {
        self.config.clone_ref(py)
    }

    /// The image's layer descriptors, annotated like BuildKit's importer.
    #[getter]
    pub fn layers(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.layers
            .iter()
            .map(|d| plain::object(py, &d.to_bytes()))
            .collect()
    }
}

/// The inline cache of an image from its manifest and config bytes, or
/// ``None`` when the image has none.
#[pyfunction]
pub fn inline_cache(
    py: Python<'_>,
    manifest: Bytes<'_>,
    image_config: Bytes<'_>,
) -> PyResult<Option<InlineCache>> {
    let manifest =
        ocicache::ImageManifest::from_bytes(manifest.as_slice()).map_err(|e| to_py(&e))?;
    let found =
        ocicache::inline_cache(&manifest, image_config.as_slice()).map_err(|e| to_py(&e))?;
    found
        .map(|c| {
            Ok(InlineCache {
                config: Py::new(py, CacheConfig { inner: c.config })?,
                layers: c.layers,
            })
        })
        .transpose()
}
