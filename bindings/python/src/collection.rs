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

    /// The ``index.json`` to write in place of ``current`` (the file as it
    /// is now, read under the lock): ``current`` without exactly the entries
    /// the plan drops; ``None`` when there is nothing to remove.
    #[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over by value
    pub fn index_after<'py>(
        &self,
        py: Python<'py>,
        current: Option<crate::buffer::Bytes<'_>>,
    ) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let after = self
            .inner
            .index_after(current.as_ref().map(crate::buffer::Bytes::as_slice))
            .map_err(|e| crate::error::to_py(&e))?;
        Ok(after.map(|b| PyBytes::new(py, &b)))
    }

    /// Records gc's second look: the blobs ``restored`` go back instead of
    /// being deleted; ``quiet`` says the layout settled first (when not,
    /// everything went back).
    pub fn settle(&mut self, restored: Vec<crate::digest::DigestArg>, quiet: bool) -> PyResult<()> {
        let restored = restored
            .into_iter()
            .map(crate::digest::DigestArg::into_core)
            .collect::<PyResult<Vec<_>>>()?;
        self.inner.settle(&restored, quiet);
        Ok(())
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
