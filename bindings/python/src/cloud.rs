//! `cloud_config` and `cloud_documents` (core `cloud.rs`): the gha/s3/azblob
//! form of a cache and the manifest and config a layout holds for it.
// pyo3 hands arguments over by value.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::Bytes;
use crate::error::to_py;

/// A cloud cache as a layout holds it.
#[pyclass(frozen, module = "ocicache")]
pub struct CloudDocuments {
    manifest: Vec<u8>,
    config: Vec<u8>,
}

#[pymethods]
impl CloudDocuments {
    /// The manifest (image-manifest form).
    #[getter]
    pub fn manifest<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.manifest)
    }

    /// The config it names: the cloud config without its annotations.
    #[getter]
    pub fn config<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.config)
    }
}

/// The cloud config (what s3/azblob/gha store) of a cache manifest and its
/// config: each layer annotated from the manifest's descriptor of its blob.
#[pyfunction]
pub fn cloud_config<'py>(
    py: Python<'py>,
    manifest: Bytes<'_>,
    config: Bytes<'_>,
) -> PyResult<Bound<'py, PyBytes>> {
    let manifest =
        ocicache::CacheManifest::from_bytes(manifest.as_slice()).map_err(|e| to_py(&e))?;
    let config = ocicache::CacheConfig::from_bytes(config.as_slice()).map_err(|e| to_py(&e))?;
    let cloud = ocicache::cloud_config(&manifest, &config).map_err(|e| to_py(&e))?;
    Ok(PyBytes::new(py, &cloud.to_bytes()))
}

/// The manifest and config a layout would hold for a cloud config, as
/// BuildKit's importer reads it.
#[pyfunction]
pub fn cloud_documents(config: Bytes<'_>) -> PyResult<CloudDocuments> {
    let config = ocicache::CacheConfig::from_bytes(config.as_slice()).map_err(|e| to_py(&e))?;
    let docs = ocicache::cloud_documents(&config).map_err(|e| to_py(&e))?;
    Ok(CloudDocuments {
        manifest: docs.manifest,
        config: docs.config,
    })
}
