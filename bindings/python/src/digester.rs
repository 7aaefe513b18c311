//! `Digester`, `digest` and `verify` (core `digester.rs`). Hashing runs with
//! the GIL released, so other Python threads keep running.

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;

use crate::buffer::Bytes;
use crate::digest::{Digest, DigestArg};
use crate::error::to_py;

fn algorithm(name: &str) -> PyResult<ocicache::Algorithm> {
    ocicache::Algorithm::parse(name).map_err(|e| to_py(&e))
}

/// A streaming hasher: `update(chunk)` any number of times, then `finalize()`.
#[pyclass(module = "ocicache")]
pub struct Digester {
    inner: ocicache::Digester,
}

#[pymethods]
impl Digester {
    /// A digester for `algorithm` (`"sha256"`, the default, or `"sha512"`).
    #[new]
    #[pyo3(signature = (algorithm = "sha256"))]
    pub fn new(algorithm: &str) -> PyResult<Self> {
        Ok(Digester {
            inner: ocicache::Digester::new(self::algorithm(algorithm)?),
        })
    }

    /// The algorithm this digester computes.
    #[getter]
    pub fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The number of bytes hashed so far.
    #[getter]
    pub fn size(&self) -> u64 {
        self.inner.size()
    }

    /// Hash one more chunk (`bytes` or any buffer object).
    pub fn update(&mut self, py: Python<'_>, chunk: Bytes<'_>) {
        let bytes = chunk.as_slice();
        let inner = &mut self.inner;
        py.detach(|| inner.update(bytes));
    }

    /// The digest of everything hashed so far; the digester stays usable.
    pub fn finalize(&self) -> Digest {
        self.inner.finalize().into()
    }

    /// Raise `OcicacheError` (`SIZE_MISMATCH` or `DIGEST_MISMATCH`) unless
    /// what was hashed has `digest` and, if given, `size` bytes.
    #[pyo3(signature = (digest, size = None))]
    pub fn verify(&self, digest: DigestArg, size: Option<u64>) -> PyResult<()> {
        let expected = digest.into_core()?;
        self.inner.verify(&expected, size).map_err(|e| to_py(&e))
    }
}

/// The digest of `data` with `algorithm` (`"sha256"` by default).
#[pyfunction]
#[pyo3(signature = (data, algorithm = "sha256"))]
pub fn digest(py: Python<'_>, data: Bytes<'_>, algorithm: &str) -> PyResult<Digest> {
    let algorithm = self::algorithm(algorithm)?;
    let bytes = data.as_slice();
    Ok(py.detach(|| ocicache::digest(bytes, algorithm)).into())
}

/// Raise `OcicacheError` (`SIZE_MISMATCH` or `DIGEST_MISMATCH`) unless `data`
/// has `digest` and, if given, `size` bytes.
#[pyfunction]
#[pyo3(signature = (data, digest, size = None))]
pub fn verify(
    py: Python<'_>,
    data: Bytes<'_>,
    digest: DigestArg,
    size: Option<u64>,
) -> PyResult<()> {
    let expected = digest.into_core()?;
    let bytes = data.as_slice();
    py.detach(|| ocicache::verify(bytes, &expected, size))
        .map_err(|e| to_py(&e))
}
