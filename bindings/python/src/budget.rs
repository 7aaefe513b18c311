//! Size and age budgets as users write them (core `budget.rs`).

use pyo3::prelude::*;

use crate::error::to_py;

/// Reads a byte size such as ``2GiB``, ``500MB``, ``10g`` or ``1048576``.
#[pyfunction]
pub fn parse_byte_size(text: &str) -> PyResult<u64> {
    ocicache::parse_byte_size(text).map_err(|e| to_py(&e))
}

/// Reads an age such as ``7d``, ``36h``, ``1w2d`` or ``600`` (seconds), in
/// milliseconds.
#[pyfunction]
pub fn parse_duration_ms(text: &str) -> PyResult<i64> {
    ocicache::parse_duration_ms(text).map_err(|e| to_py(&e))
}
