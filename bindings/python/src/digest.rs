//! `Digest`: a validated OCI digest (core `digest.rs`).

use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::error::to_py;

/// A validated digest such as `sha256:e3b0…`. Build one with `Digest.parse`.
#[pyclass(frozen, eq, hash, ord, module = "ocicache")]
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    pub(crate) inner: ocicache::Digest,
}

#[pymethods]
impl Digest {
    /// Parse and validate a digest string; raises `OcicacheError` with code
    /// `INVALID_DIGEST` or `UNSUPPORTED_ALGORITHM` and the `offset` of the problem.
    #[classmethod]
    pub fn parse(_cls: &Bound<'_, PyType>, value: &str) -> PyResult<Digest> {
        ocicache::Digest::parse(value)
            .map(Digest::from)
            .map_err(|e| to_py(&e))
    }

    /// The algorithm: `sha256` or `sha512`.
    #[getter]
    pub fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The encoded part: lowercase hex.
    #[getter]
    pub fn encoded(&self) -> &str {
        self.inner.encoded()
    }

    /// The digest string, `algorithm:encoded`.
    pub fn __str__(&self) -> &str {
        self.inner.as_str()
    }

    /// `Digest('sha256:…')`.
    pub fn __repr__(&self) -> String {
        format!("Digest('{}')", self.inner)
    }
}

impl From<ocicache::Digest> for Digest {
    fn from(inner: ocicache::Digest) -> Self {
        Digest { inner }
    }
}

/// A digest argument: a `Digest` or a string, parsed by the core.
#[derive(FromPyObject)]
pub enum DigestArg {
    /// A `Digest` object.
    Digest(Py<Digest>),
    /// A digest string.
    Str(String),
}

impl DigestArg {
    /// The core digest.
    pub fn into_core(self) -> PyResult<ocicache::Digest> {
        match self {
            DigestArg::Digest(d) => Ok(d.get().inner.clone()),
            DigestArg::Str(s) => ocicache::Digest::parse(&s).map_err(|e| to_py(&e)),
        }
    }
}
