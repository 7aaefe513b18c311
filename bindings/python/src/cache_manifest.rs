//! `CacheManifest` (core `cache_manifest.rs`).
// pyo3 hands arguments over by value.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::buffer::Bytes;
use crate::cache_config::CacheConfig;
use crate::error::to_py;
use crate::plain;

/// A cache manifest in any form (image manifest, OCI index, Docker list).
#[pyclass(frozen, module = "ocicache")]
pub struct CacheManifest {
    inner: ocicache::CacheManifest,
}

fn parse_form(name: &str) -> PyResult<ocicache::CacheForm> {
    ocicache::CacheForm::parse(name).map_err(|e| to_py(&e))
}

#[pymethods]
impl CacheManifest {
    /// Reads a cache manifest, detecting its form like BuildKit.
    #[classmethod]
    pub fn from_bytes(_cls: &Bound<'_, PyType>, data: Bytes<'_>) -> PyResult<CacheManifest> {
        ocicache::CacheManifest::from_bytes(data.as_slice())
            .map(|inner| CacheManifest { inner })
            .map_err(|e| to_py(&e))
    }

    /// A new cache manifest of ``form``, as BuildKit's exporter writes it.
    #[classmethod]
    pub fn build(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        form: &str,
        config: &Bound<'_, PyAny>,
        layers: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<CacheManifest> {
        let form = parse_form(form)?;
        let config = plain::descriptor(py, "config", config)?;
        let layers = layers
            .iter()
            .enumerate()
            .map(|(i, d)| plain::descriptor(py, &format!("layers[{i}]"), d))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(CacheManifest {
            inner: ocicache::CacheManifest::build(form, config, layers),
        })
    }

    /// The document as BuildKit writes it.
    pub fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// The document as a dict.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        plain::object(py, &self.inner.to_bytes())
    }

    /// ``image-manifest``, ``image-index``, ``docker-manifest-list`` or ``docker-manifest``.
    #[getter]
    pub fn form(&self) -> &'static str {
        self.inner.form().as_str()
    }

    /// The document's own media type.
    #[getter]
    pub fn media_type(&self) -> String {
        self.inner.media_type().to_owned()
    }

    /// The cache config descriptor, as a dict.
    #[getter]
    pub fn config(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        plain::object(py, &self.inner.config().to_bytes())
    }

    /// The layer descriptors, as dicts.
    #[getter]
    pub fn layers(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.inner
            .layers()
            .map(|d| plain::object(py, &d.to_bytes()))
            .collect()
    }

    /// OCI rules and what BuildKit needs of the manifest.
    pub fn validate(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        plain::findings(py, &self.inner.validate())
    }

    /// ``validate()`` plus the config's checks against this manifest's blobs.
    pub fn validate_with_config(
        &self,
        py: Python<'_>,
        config: PyRef<'_, CacheConfig>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        plain::findings(py, &self.inner.validate_with_config(&config.inner))
    }

    /// The same content in another form.
    pub fn convert(&self, form: &str) -> PyResult<CacheManifest> {
        Ok(CacheManifest {
            inner: self.inner.convert(parse_form(form)?),
        })
    }

    /// ``CacheManifest(form=…)``.
    pub fn __repr__(&self) -> String {
        format!("CacheManifest(form='{}')", self.inner.form().as_str())
    }
}
