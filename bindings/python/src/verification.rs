//! `Verification`, `BlobVerifier`, `VerifyReport` (core `verification.rs`).

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;

use crate::buffer::Bytes;
use crate::cache::gone;
use crate::digest::DigestArg;
use crate::error::to_py;

/// A verify in progress: hash each of ``checks()`` through a
/// ``BlobVerifier`` and ``record`` it, then ``report()``.
#[pyclass(module = "ocicache")]
pub struct Verification {
    pub(crate) inner: Option<ocicache::Verification>,
}

#[pymethods]
impl Verification {
    /// The stored blobs still to hash: dicts with ``digest``, ``path``,
    /// ``size`` and ``layer`` (decompress it too).
    pub fn checks(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        self.inner
            .iter()
            .flat_map(ocicache::Verification::checks)
            .map(|c| {
                let v = serde_json::json!({"digest": c.digest.to_string(), "path": c.path, "size": c.size, "layer": c.layer});
                crate::plain::value(py, &v)
            })
            .collect()
    }

    /// The verifier of the blob ``digest``, once all its bytes went through.
    pub fn record(
        &mut self,
        digest: DigestArg,
        mut verifier: PyRefMut<'_, BlobVerifier>,
    ) -> PyResult<()> {
        let d = digest.into_core()?;
        let done = verifier.inner.take().ok_or_else(gone)?.finalize();
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record(&d, &done)
            .map_err(|e| to_py(&e))
    }

    /// The blob ``digest`` could not be read; ``code`` says why
    /// (``STORAGE_ERROR`` unless given, or e.g. ``NOT_A_FILE``).
    #[pyo3(signature = (digest, message, code=None))]
    pub fn record_failure(
        &mut self,
        digest: DigestArg,
        message: &str,
        code: Option<&str>,
    ) -> PyResult<()> {
        let d = digest.into_core()?;
        let kind = match code {
            Some(c) => ocicache::ErrorKind::from_code(c).map_err(|e| to_py(&e))?,
            None => ocicache::ErrorKind::StorageError,
        };
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record_failure_of(&d, kind, message)
            .map_err(|e| to_py(&e))
    }

    /// The report (checks never recorded are findings of their own).
    pub fn report(&mut self) -> PyResult<VerifyReport> {
        Ok(VerifyReport {
            inner: self.inner.take().ok_or_else(gone)?.report(),
        })
    }
}

/// What a verify found.
#[pyclass(module = "ocicache")]
pub struct VerifyReport {
    pub(crate) inner: ocicache::VerifyReport,
}

#[pymethods]
impl VerifyReport {
    /// Whether nothing is wrong (warnings allowed).
    #[getter]
    pub fn ok(&self) -> bool {
        self.inner.ok()
    }

    /// The report as plain data.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::value(py, &self.inner.to_json())
    }

    /// The report as text.
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// Streams one blob of a verify: hashes it and, for a layer, decompresses
/// and hashes the content in the same pass (without the GIL).
#[pyclass(module = "ocicache")]
pub struct BlobVerifier {
    pub(crate) inner: Option<ocicache::BlobVerifier>,
}

#[pymethods]
impl BlobVerifier {
    /// A verifier for the blob ``digest``; ``layer`` decompresses it too.
    #[new]
    pub fn new(digest: DigestArg, layer: bool) -> PyResult<Self> {
        let check = ocicache::BlobCheck {
            digest: digest.into_core()?,
            path: String::new(),
            size: 0,
            layer,
        };
        Ok(BlobVerifier {
            inner: Some(ocicache::BlobVerifier::new(&check)),
        })
    }

    /// Push the next chunk.
    pub fn update(&mut self, py: Python<'_>, chunk: Bytes<'_>) -> PyResult<()> {
        let input = chunk.as_slice();
        let inner = self.inner.as_mut().ok_or_else(gone)?;
        py.detach(|| inner.update(input));
        Ok(())
    }
}
