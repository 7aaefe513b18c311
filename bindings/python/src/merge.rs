//! `Merge` and `CacheWrite` (core `merge.rs`).

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::cache::{Cache, form, gone};
use crate::error::to_py;

/// Merges caches: ``add(cache, tag)`` each source, then ``finish(form)``.
#[pyclass(module = "ocicache")]
pub struct Merge {
    pub(crate) inner: Option<ocicache::Merge>,
}

#[pymethods]
impl Merge {
    /// An empty merge.
    #[new]
    pub fn new() -> Self {
        Merge {
            inner: Some(ocicache::Merge::new()),
        }
    }

    /// Adds the entry tagged ``tag`` of ``cache``.
    pub fn add(&mut self, cache: PyRef<'_, Cache>, tag: &str) -> PyResult<()> {
        let (m, c) = cache.inner.cache_entry(tag).map_err(|e| to_py(&e))?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .add(m, c)
            .map_err(|e| to_py(&e))
    }

    /// The merged cache in ``form`` (default ``image-manifest``).
    #[pyo3(signature = (form = None))]
    pub fn finish(&mut self, form: Option<&str>) -> PyResult<CacheWrite> {
        let form = self::form(form)?.unwrap_or(ocicache::CacheForm::ImageManifest);
        let inner = self.inner.take().ok_or_else(gone)?;
        Ok(CacheWrite {
            inner: inner.finish(form).map_err(|e| to_py(&e))?,
        })
    }
}

impl Default for Merge {
    fn default() -> Self {
        Merge::new()
    }
}

/// A new config and manifest to write: the config blob, the manifest blob,
/// then the descriptor into ``index.json``.
#[pyclass(module = "ocicache")]
pub struct CacheWrite {
    pub(crate) inner: ocicache::CacheWrite,
}

#[pymethods]
impl CacheWrite {
    /// The config blob.
    #[getter]
    pub fn config_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.config_bytes)
    }

    /// The manifest blob.
    #[getter]
    pub fn manifest_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.manifest_bytes)
    }

    /// The manifest's descriptor for ``index.json``, as a dict.
    #[getter]
    pub fn descriptor(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::object(py, &self.inner.descriptor.to_bytes())
    }

    /// The digest of the config blob.
    #[getter]
    pub fn config_digest(&self) -> String {
        self.inner.manifest.config().digest.to_string()
    }

    /// The layer blobs the manifest lists, each once.
    #[getter]
    pub fn layers(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        self.inner
            .manifest
            .layers()
            .filter(|d| seen.insert(d.digest.clone()))
            .map(|d| d.digest.to_string())
            .collect()
    }
}
