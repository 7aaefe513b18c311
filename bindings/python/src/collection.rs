//! `GcPlan` (core `collection.rs`): what gc will delete.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// What a gc will do.
#[pyclass(module = "ocicache")]
pub struct GcPlan {
    pub(crate) inner: ocicache::GcPlan,
}

#[pymethods]
impl GcPlan {
    /// The new ``index.json`` to write (atomically) before deleting, when
    /// tags are dropped.
    #[getter]
    pub fn index<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.index.as_deref().map(|b| PyBytes::new(py, b))
    }

    /// The paths of the blobs to delete.
    #[getter]
    pub fn delete(&self) -> Vec<String> {
        self.inner.delete.iter().map(|b| b.path.clone()).collect()
    }

    /// The bytes deleting them frees.
    #[getter]
    pub fn freed_bytes(&self) -> u64 {
        self.inner.freed_bytes()
    }

    /// The plan as plain data; ``done`` says it was carried out.
    #[pyo3(signature = (done = false))]
    pub fn to_dict(&self, py: Python<'_>, done: bool) -> PyResult<Py<PyAny>> {
        crate::plain::value(py, &self.inner.to_json(done))
    }

    /// The plan as text; ``done`` says it was carried out.
    #[pyo3(signature = (done = false))]
    pub fn to_text(&self, done: bool) -> String {
        self.inner.to_text(done)
    }
}
