//! `CacheConfig` (core `cache_config/`).
// pyo3 hands arguments over by value.
#![allow(clippy::needless_pass_by_value)]

use std::collections::{HashMap, HashSet};

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyType};

use crate::buffer::Bytes;
use crate::digest::DigestArg;
use crate::error::to_py;
use crate::plain;

/// A BuildKit cache config: layer chains and cache-key records.
#[pyclass(frozen, module = "ocicache")]
pub struct CacheConfig {
    pub(crate) inner: ocicache::CacheConfig,
}

#[pymethods]
impl CacheConfig {
    /// Reads a cache config from its JSON bytes; ``max_size`` is our own
    /// limit (512 MiB by default; BuildKit's is 1 MiB, reported by validate).
    #[classmethod]
    #[pyo3(signature = (data, *, max_size = None))]
    pub fn from_bytes(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        data: Bytes<'_>,
        max_size: Option<u64>,
    ) -> PyResult<CacheConfig> {
        let input = data.as_slice();
        let max = max_size.unwrap_or(ocicache::DEFAULT_MAX_DOCUMENT_SIZE);
        py.detach(|| ocicache::CacheConfig::from_bytes_with_limit(input, max))
            .map(|inner| CacheConfig { inner })
            .map_err(|e| to_py(&e))
    }

    /// The config as BuildKit writes it (compact JSON, Go's bytes).
    pub fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// The sha256 digest of ``to_bytes()``.
    pub fn digest(&self) -> String {
        ocicache::digest(&self.inner.to_bytes(), ocicache::Algorithm::Sha256).to_string()
    }

    /// The config as a dict, keys as in the file.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        plain::object(py, &self.inner.to_bytes())
    }

    /// The number of records.
    #[getter]
    pub fn record_count(&self) -> usize {
        self.inner.records.len()
    }

    /// The number of layers.
    #[getter]
    pub fn layer_count(&self) -> usize {
        self.inner.layers.len()
    }

    /// BuildKit's importer checks; with ``blobs`` (the manifest's layer
    /// digests) also results needing a missing blob; with
    /// ``require_annotations`` the gha/s3/azblob layer annotations.
    #[pyo3(signature = (*, blobs = None, require_annotations = false))]
    pub fn validate(
        &self,
        py: Python<'_>,
        blobs: Option<Vec<DigestArg>>,
        require_annotations: bool,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let blobs = blobs
            .map(|list| {
                list.into_iter()
                    .map(DigestArg::into_core)
                    .collect::<PyResult<HashSet<_>>>()
            })
            .transpose()?;
        let inner = &self.inner;
        let found = py.detach(|| {
            inner.validate_with(&ocicache::ValidateOptions {
                blobs: blobs.as_ref(),
                require_annotations,
            })
        });
        plain::findings(py, &found)
    }

    /// A copy sorted and re-indexed like BuildKit's exporter.
    pub fn normalized(&self) -> PyResult<CacheConfig> {
        self.inner
            .normalized()
            .map(|inner| CacheConfig { inner })
            .map_err(|e| to_py(&e))
    }

    /// Records with no inputs.
    pub fn roots(&self) -> Vec<usize> {
        self.inner.roots()
    }

    /// Records no other record links to.
    pub fn leaves(&self) -> Vec<usize> {
        self.inner.leaves()
    }

    /// Records that list ``record`` among their inputs.
    pub fn dependents(&self, record: usize) -> Vec<usize> {
        self.inner.dependents(record)
    }

    /// The layer indexes of the chain ending at ``layer``, base first.
    pub fn layer_chain(&self, layer: usize) -> PyResult<Vec<usize>> {
        self.inner.layer_chain(layer).map_err(|e| to_py(&e))
    }

    /// The layer chain (base first) of each result of ``record``.
    pub fn result_chains(&self, record: usize) -> PyResult<Vec<Vec<usize>>> {
        self.inner.result_chains(record).map_err(|e| to_py(&e))
    }

    /// The distinct layer blobs, in order of first appearance.
    pub fn blobs(&self) -> Vec<String> {
        self.inner.blobs().iter().map(ToString::to_string).collect()
    }

    /// The bytes ``record``'s results need, given blob sizes by digest:
    /// ``{total, unique, blobs, unknown}``.
    pub fn record_size<'py>(
        &self,
        py: Python<'py>,
        record: usize,
        sizes: HashMap<String, u64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let sizes = sizes
            .into_iter()
            .map(|(k, v)| Ok((DigestArg::Str(k).into_core()?, v)))
            .collect::<PyResult<HashMap<_, _>>>()?;
        let s = self
            .inner
            .record_size(record, &sizes)
            .map_err(|e| to_py(&e))?;
        let d = PyDict::new(py);
        d.set_item("total", s.total)?;
        d.set_item("unique", s.unique)?;
        d.set_item("blobs", s.blobs)?;
        d.set_item("unknown", s.unknown)?;
        Ok(d)
    }

    /// Blobs used by more than one record: ``[{blob, records}]``.
    pub fn shared_layers<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.inner
            .shared_layers()
            .map_err(|e| to_py(&e))?
            .into_iter()
            .map(|(blob, records)| {
                let d = PyDict::new(py);
                d.set_item("blob", blob.to_string())?;
                d.set_item("records", records)?;
                Ok(d)
            })
            .collect()
    }

    /// ``CacheConfig(records=…, layers=…)``.
    pub fn __repr__(&self) -> String {
        format!(
            "CacheConfig(records={}, layers={})",
            self.inner.records.len(),
            self.inner.layers.len()
        )
    }
}
