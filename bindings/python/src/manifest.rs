//! `ImageManifest` and `ImageIndex` (core `manifest.rs`, and the layout
//! rules of `layout.rs` that work on `index.json`).
// pyo3 hands arguments over by value.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::buffer::Bytes;
use crate::error::to_py;
use crate::plain;

/// An OCI image manifest (or Docker manifest).
#[pyclass(frozen, module = "ocicache")]
pub struct ImageManifest {
    inner: ocicache::ImageManifest,
}

#[pymethods]
impl ImageManifest {
    /// Reads a manifest from JSON bytes.
    #[classmethod]
    pub fn from_bytes(_cls: &Bound<'_, PyType>, data: Bytes<'_>) -> PyResult<ImageManifest> {
        ocicache::ImageManifest::from_bytes(data.as_slice())
            .map(|inner| ImageManifest { inner })
            .map_err(|e| to_py(&e))
    }

    /// The manifest as Go writes it.
    pub fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// The manifest as a dict.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        plain::object(py, &self.inner.to_bytes())
    }

    /// The OCI rules.
    pub fn validate(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        plain::findings(py, &self.inner.validate())
    }
}

/// An OCI image index (or Docker manifest list), such as a layout's ``index.json``.
#[pyclass(frozen, module = "ocicache")]
pub struct ImageIndex {
    inner: ocicache::ImageIndex,
}

#[pymethods]
impl ImageIndex {
    /// Reads an index from JSON bytes.
    #[classmethod]
    pub fn from_bytes(_cls: &Bound<'_, PyType>, data: Bytes<'_>) -> PyResult<ImageIndex> {
        ocicache::ImageIndex::from_bytes(data.as_slice())
            .map(|inner| ImageIndex { inner })
            .map_err(|e| to_py(&e))
    }

    /// The index as Go writes it.
    pub fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// The index as a dict.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        plain::object(py, &self.inner.to_bytes())
    }

    /// The OCI rules.
    pub fn validate(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        plain::findings(py, &self.inner.validate())
    }

    /// The entries' tags, in order.
    pub fn tags(&self) -> Vec<String> {
        self.inner.tags().into_iter().map(str::to_owned).collect()
    }

    /// The entry BuildKit imports for ``tag``; raises ``TAG_NOT_FOUND``.
    pub fn find_tag(&self, py: Python<'_>, tag: &str) -> PyResult<Py<PyAny>> {
        let d = self.inner.find_tag(tag).map_err(|e| to_py(&e))?;
        plain::object(py, &d.to_bytes())
    }

    /// The bytes of ``index.json`` after an export of ``descriptor`` to
    /// ``tag``, given the current file (``None`` when there is none).
    #[staticmethod]
    pub fn updated_layout_index<'py>(
        py: Python<'py>,
        current: Option<Bytes<'_>>,
        tag: &str,
        descriptor: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let descriptor = plain::descriptor(py, "descriptor", descriptor)?;
        let out = ocicache::ImageIndex::updated_layout_index(
            current.as_ref().map(Bytes::as_slice),
            tag,
            &descriptor,
        )
        .map_err(|e| to_py(&e))?;
        Ok(PyBytes::new(py, &out))
    }

    /// ``index.json`` as a location with ``tag=`` shows it: only the entry
    /// BuildKit imports for ``tag``; raises ``TAG_NOT_FOUND``.
    #[staticmethod]
    pub fn selected_layout_index<'py>(
        py: Python<'py>,
        current: Option<Bytes<'_>>,
        tag: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let out =
            ocicache::ImageIndex::selected_layout_index(current.as_ref().map(Bytes::as_slice), tag)
                .map_err(|e| to_py(&e))?;
        Ok(PyBytes::new(py, &out))
    }

    /// ``index.json`` for a location pinned with ``digest=``: one entry,
    /// tagged ``tag``, for the manifest or index ``document`` (which must hash
    /// to ``digest``).
    #[staticmethod]
    pub fn pinned_layout_index<'py>(
        py: Python<'py>,
        document: Bytes<'_>,
        digest: crate::digest::DigestArg,
        tag: &str,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let out = ocicache::ImageIndex::pinned_layout_index(
            document.as_slice(),
            &digest.into_core()?,
            tag,
        )
        .map_err(|e| to_py(&e))?;
        Ok(PyBytes::new(py, &out))
    }
}
