//! `CopyPlan` (core `transfer.rs`): what a copy of one tag transfers.

use pyo3::prelude::*;

/// What a copy of one tagged entry transfers: every blob it reaches,
/// children first and the entry's document last.
#[pyclass(module = "ocicache", frozen)]
pub struct CopyPlan {
    pub(crate) inner: ocicache::CopyPlan,
}

#[pymethods]
impl CopyPlan {
    /// The tag copied.
    #[getter]
    pub fn tag(&self) -> String {
        self.inner.tag.clone()
    }

    /// The descriptor the destination's tag points at once every blob is there.
    #[getter]
    pub fn descriptor(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::object(py, &self.inner.descriptor.to_bytes())
    }

    /// The blobs to copy, in order: ``{digest, mediaType, size, manifest}``.
    #[getter]
    pub fn blobs(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::value(py, &self.inner.to_json()["blobs"])
    }

    /// The bytes of all the blobs.
    #[getter]
    pub fn total_bytes(&self) -> u64 {
        self.inner.total_bytes()
    }

    /// How many blobs to transfer at once when not told: as many as keep
    /// 32 MiB in flight at the median blob size, from 4 to 16.
    #[getter]
    pub fn concurrency(&self) -> usize {
        self.inner.concurrency()
    }

    /// The plan as plain data.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::value(py, &self.inner.to_json())
    }
}
