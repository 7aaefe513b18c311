//! Core errors as `ocicache.OcicacheError`, a `ValueError` carrying `code`,
//! `field` and `offset` (the last two `None` when unknown).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

pyo3::create_exception!(
    ocicache,
    OcicacheError,
    PyValueError,
    "An ocicache error: `code` is its stable code, `field` and `offset` say where, when known."
);

/// The Python exception for a core error.
pub(crate) fn to_py(err: &ocicache::Error) -> PyErr {
    Python::attach(|py| {
        let exc = OcicacheError::new_err(err.to_string());
        let value = exc.value(py);
        let set = value
            .setattr("code", err.code())
            .and_then(|()| value.setattr("field", err.field()))
            .and_then(|()| value.setattr("offset", err.offset()));
        match set {
            Ok(()) => exc,
            Err(failure) => failure,
        }
    })
}

/// Every stable error code, in the order of `tests/error_codes.json`.
#[pyfunction]
pub fn error_codes() -> Vec<&'static str> {
    ocicache::ErrorKind::ALL.iter().map(|k| k.code()).collect()
}
