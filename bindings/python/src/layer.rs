//! `layer_digests`, `LayerDigester`, `LayerCompressor` (core `layer.rs`).
//! The work runs with the GIL released.

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::buffer::Bytes;
use crate::compression::{collect, limits};
use crate::error::to_py;

fn to_dict<'py>(py: Python<'py>, d: &ocicache::LayerDigests) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("compression", d.compression.as_str())?;
    dict.set_item("digest", d.digest.as_str())?;
    dict.set_item("size", d.size)?;
    dict.set_item("diff_id", d.diff_id.as_str())?;
    dict.set_item("uncompressed_size", d.uncompressed_size)?;
    Ok(dict)
}

/// The digests of a whole layer blob in one pass: a dict with
/// ``compression``, ``digest``, ``size``, ``diff_id``, ``uncompressed_size``.
#[pyfunction]
#[pyo3(signature = (data, *, max_output = None, max_zstd_window = None))]
pub fn layer_digests<'py>(
    py: Python<'py>,
    data: Bytes<'_>,
    max_output: Option<u64>,
    max_zstd_window: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let input = data.as_slice();
    let limits = limits(max_output, max_zstd_window);
    let digests = py
        .detach(|| ocicache::layer_digests(input, limits))
        .map_err(|e| to_py(&e))?;
    to_dict(py, &digests)
}

/// A streaming layer digester: ``update(chunk)`` with the compressed blob,
/// then ``finalize()`` for the digests.
#[pyclass(module = "ocicache")]
pub struct LayerDigester {
    inner: Option<ocicache::LayerDigester>,
}

fn used_up() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("already finalized")
}

#[pymethods]
impl LayerDigester {
    /// A digester with optional limits for the decoding.
    #[new]
    #[pyo3(signature = (*, max_output = None, max_zstd_window = None))]
    pub fn new(max_output: Option<u64>, max_zstd_window: Option<u64>) -> Self {
        LayerDigester {
            inner: Some(ocicache::LayerDigester::new(limits(
                max_output,
                max_zstd_window,
            ))),
        }
    }

    /// Push the next chunk of the compressed blob.
    pub fn update(&mut self, py: Python<'_>, chunk: Bytes<'_>) -> PyResult<()> {
        let input = chunk.as_slice();
        let inner = self.inner.as_mut().ok_or_else(used_up)?;
        py.detach(|| inner.update(input)).map_err(|e| to_py(&e))
    }

    /// End of the blob: the digests (see ``layer_digests``).
    pub fn finalize<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let inner = self.inner.take().ok_or_else(used_up)?;
        let digests = py.detach(|| inner.finalize()).map_err(|e| to_py(&e))?;
        to_dict(py, &digests)
    }
}

/// A streaming layer compressor for export: ``update(tar_chunk)`` returns
/// compressed bytes; ``finalize()`` returns ``(last bytes, digests dict)``
/// where the dict also has ``level``, the level really used.
#[pyclass(module = "ocicache")]
pub struct LayerCompressor {
    inner: Option<ocicache::LayerCompressor>,
}

#[pymethods]
impl LayerCompressor {
    /// A compressor for ``compression`` at ``level``.
    #[new]
    #[pyo3(signature = (compression, level = None))]
    pub fn new(compression: &str, level: Option<i32>) -> PyResult<Self> {
        let compression = ocicache::Compression::parse(compression).map_err(|e| to_py(&e))?;
        let inner = ocicache::LayerCompressor::new(compression, level).map_err(|e| to_py(&e))?;
        Ok(LayerCompressor { inner: Some(inner) })
    }

    /// Compress the next chunk of the tar; returns compressed bytes.
    pub fn update<'py>(
        &mut self,
        py: Python<'py>,
        chunk: Bytes<'_>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let input = chunk.as_slice();
        let inner = self.inner.as_mut().ok_or_else(used_up)?;
        Ok(collect(py, |sink| inner.update(input, sink))?.0)
    }

    /// End of the tar: ``(last compressed bytes, digests)``.
    pub fn finalize<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyDict>)> {
        let inner = self.inner.take().ok_or_else(used_up)?;
        let (out, done) = collect(py, |sink| inner.finalize(sink))?;
        let dict = to_dict(py, &done.digests)?;
        dict.set_item("level", done.level)?;
        Ok((out, dict))
    }
}
