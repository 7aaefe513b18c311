//! `PrunePlan` (core `pruning`): which results of a cache go to meet a
//! budget, and the new documents.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::merge::CacheWrite;

/// What a prune will do.
#[pyclass(module = "ocicache")]
pub struct PrunePlan {
    pub(crate) inner: ocicache::PrunePlan,
}

#[pymethods]
impl PrunePlan {
    /// The tags whose config and manifest are rewritten, in the order of
    /// ``writes``.
    #[getter]
    pub fn tags(&self) -> Vec<String> {
        self.inner.entries.iter().map(|e| e.tag.clone()).collect()
    }

    /// The new config and manifest of each rewritten tag: write both blobs,
    /// then ``apply`` to ``index.json``.
    #[getter]
    pub fn writes(&self) -> Vec<CacheWrite> {
        self.inner
            .entries
            .iter()
            .map(|e| CacheWrite {
                inner: e.write.clone(),
            })
            .collect()
    }

    /// ``index.json`` with each rewritten tag pointing at its new manifest,
    /// given ``current`` (the file as it is now, read under the lock), and
    /// the tags left as they were because they changed since the plan.
    #[allow(clippy::needless_pass_by_value)] // pyo3 hands arguments over by value
    pub fn apply<'py>(
        &self,
        py: Python<'py>,
        current: crate::buffer::Bytes<'_>,
    ) -> PyResult<(Bound<'py, PyBytes>, Vec<String>)> {
        let (index, skipped) = self
            .inner
            .apply(current.as_slice())
            .map_err(|e| crate::error::to_py(&e))?;
        Ok((PyBytes::new(py, &index), skipped))
    }

    /// The bytes the prune frees (before minus after).
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
