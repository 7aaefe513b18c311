//! Byte arguments: `bytes` are borrowed without a copy; `bytearray`,
//! `memoryview` and other buffer objects are copied once (the abi3 API for
//! CPython 3.9 has no buffer protocol to borrow them safely).

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView};

/// The bytes of a Python object, borrowed or copied.
pub enum Bytes<'py> {
    /// A `bytes` object, read in place.
    Borrowed(Bound<'py, PyBytes>),
    /// A copy of another buffer.
    Owned(Vec<u8>),
}

impl Bytes<'_> {
    /// The bytes as a slice.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Borrowed(b) => b.as_bytes(),
            Bytes::Owned(v) => v,
        }
    }
}

impl<'py> FromPyObject<'_, 'py> for Bytes<'py> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Bytes::Borrowed(b.to_owned()));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Bytes::Owned(b.to_vec()));
        }
        match PyMemoryView::from(&obj) {
            Ok(view) => {
                let copy = view.call_method0("tobytes")?.cast_into::<PyBytes>()?;
                Ok(Bytes::Borrowed(copy))
            }
            Err(_) => Err(PyTypeError::new_err(format!(
                "expected bytes or a buffer object, got {}",
                obj.get_type().name()?
            ))),
        }
    }
}
