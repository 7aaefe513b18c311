//! `OciLayout` and `Reachability` (core `layout.rs`).
// pyo3 hands arguments over by value.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::Bytes;
use crate::digest::DigestArg;
use crate::error::to_py;
use crate::plain;

/// The rules of an OCI image layout directory.
#[pyclass(frozen, module = "ocicache")]
pub struct OciLayout {}

#[pymethods]
impl OciLayout {
    /// The ``oci-layout`` file BuildKit writes.
    #[staticmethod]
    pub fn file_content(py: Python<'_>) -> Bound<'_, PyBytes> {
        PyBytes::new(py, ocicache::OciLayout::FILE_CONTENT)
    }

    /// Raises ``INVALID_LAYOUT`` unless ``data`` is a valid ``oci-layout`` file.
    #[staticmethod]
    pub fn check_file(data: Bytes<'_>) -> PyResult<()> {
        ocicache::OciLayout::check_file(data.as_slice()).map_err(|e| to_py(&e))
    }

    /// ``blobs/<algorithm>/<encoded>`` of a digest (validated first).
    #[staticmethod]
    pub fn blob_path(digest: DigestArg) -> PyResult<String> {
        Ok(ocicache::OciLayout::blob_path(&digest.into_core()?))
    }

    /// The digest a blob path names; raises ``INVALID_DIGEST`` for anything else.
    #[staticmethod]
    pub fn digest_from_path(path: &str) -> PyResult<String> {
        ocicache::OciLayout::digest_from_path(path)
            .map(|d| d.to_string())
            .map_err(|e| to_py(&e))
    }

    /// Raises ``INVALID_TAG`` unless ``tag`` is a valid ``ref.name``.
    #[staticmethod]
    pub fn check_tag(tag: &str) -> PyResult<()> {
        ocicache::OciLayout::check_tag(tag).map_err(|e| to_py(&e))
    }
}

/// The walk from ``index.json`` to every reachable blob: read each blob
/// ``next_needed()`` names and ``feed`` it (or report it ``missing``).
#[pyclass(module = "ocicache")]
pub struct Reachability {
    inner: ocicache::Reachability,
}

#[pymethods]
impl Reachability {
    /// A walk from the entries of ``index.json`` (only ``tags``, if given).
    #[new]
    #[pyo3(signature = (index, tags = None))]
    pub fn new(index: Bytes<'_>, tags: Option<Vec<String>>) -> PyResult<Self> {
        let index = ocicache::ImageIndex::from_bytes(index.as_slice()).map_err(|e| to_py(&e))?;
        let refs: Option<Vec<&str>> = tags
            .as_ref()
            .map(|t| t.iter().map(String::as_str).collect());
        Ok(Reachability {
            inner: ocicache::Reachability::new(&index, refs.as_deref()),
        })
    }

    /// The next manifest or index to read (a descriptor dict), or ``None``.
    pub fn next_needed(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.inner
            .next_needed()
            .map(|d| plain::object(py, &d.to_bytes()))
            .transpose()
    }

    /// The bytes of the blob ``next_needed()`` named.
    pub fn feed(&mut self, digest: DigestArg, data: Bytes<'_>) -> PyResult<()> {
        let d = digest.into_core()?;
        self.inner.feed(&d, data.as_slice()).map_err(|e| to_py(&e))
    }

    /// Reports that the blob ``next_needed()`` named is missing.
    pub fn missing(&mut self, digest: DigestArg) -> PyResult<()> {
        let d = digest.into_core()?;
        self.inner.missing(&d);
        Ok(())
    }

    /// The reachable blobs found so far, sorted.
    pub fn reachable(&self) -> Vec<String> {
        self.inner
            .reachable()
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}
