//! `Inspection` (core `inspection.rs`): what a cache holds.

use pyo3::prelude::*;

/// What ``Cache.inspect`` found.
#[pyclass(module = "ocicache")]
pub struct Inspection {
    pub(crate) inner: ocicache::Inspection,
}

#[pymethods]
impl Inspection {
    /// The report as plain data.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::value(py, self.inner.to_json())
    }

    /// The report as text (a summary per tag and the record tree).
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}
