//! `detect_compression`, `Decoder`, `Encoder`, `decompress`, `compress`
//! (core `compression/`). The work runs with the GIL released.

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::Bytes;
use crate::error::to_py;

/// Limits from keyword arguments, the core's defaults for those not given.
pub fn limits(max_output: Option<u64>, max_zstd_window: Option<u64>) -> ocicache::Limits {
    let default = ocicache::Limits::default();
    ocicache::Limits {
        max_output: max_output.unwrap_or(default.max_output),
        max_zstd_window: max_zstd_window.unwrap_or(default.max_zstd_window),
    }
}

fn compression(name: &str) -> PyResult<ocicache::Compression> {
    ocicache::Compression::parse(name).map_err(|e| to_py(&e))
}

/// ``gzip``, ``zstd`` or ``uncompressed`` from the first bytes of a blob
/// (512 are enough), or ``None``.
#[pyfunction]
pub fn detect_compression(data: Bytes<'_>) -> Option<&'static str> {
    ocicache::detect_compression(data.as_slice()).map(ocicache::Compression::as_str)
}

/// A streaming decoder: ``update(chunk, max_bytes=None)`` returns the bytes
/// decoded so far, ``finish()`` checks that the stream is complete.
#[pyclass(module = "ocicache")]
pub struct Decoder {
    inner: ocicache::Decoder,
}

#[pymethods]
impl Decoder {
    /// A decoder for ``compression`` (``gzip``, ``zstd``, ``uncompressed``).
    #[new]
    #[pyo3(signature = (compression, *, max_output = None, max_zstd_window = None))]
    pub fn new(
        compression: &str,
        max_output: Option<u64>,
        max_zstd_window: Option<u64>,
    ) -> PyResult<Self> {
        Ok(Decoder {
            inner: ocicache::Decoder::new(
                self::compression(compression)?,
                limits(max_output, max_zstd_window),
            ),
        })
    }

    /// Decode the next chunk; returns what it decoded. With ``max_bytes``,
    /// returns about that many bytes at most (one piece of up to 128 KiB
    /// more) and keeps the input it did not decode: call
    /// ``update(b"", max_bytes)`` until it returns no bytes before giving
    /// it the next chunk. A few bytes of zstd can stand for gigabytes;
    /// ``max_bytes`` bounds what one call holds.
    #[pyo3(signature = (chunk, max_bytes = None))]
    pub fn update<'py>(
        &mut self,
        py: Python<'py>,
        chunk: Bytes<'_>,
        max_bytes: Option<u64>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let input = chunk.as_slice();
        let inner = &mut self.inner;
        Ok(collect(py, |sink| {
            inner.update_limited(input, max_bytes, sink).map(drop)
        })?
        .0)
    }

    /// End of input: raises unless the stream is complete.
    pub fn finish(&mut self) -> PyResult<()> {
        self.inner.finish().map_err(|e| to_py(&e))
    }
}

/// A streaming encoder: ``update(chunk)`` and ``finish()`` return compressed bytes.
#[pyclass(module = "ocicache")]
pub struct Encoder {
    inner: ocicache::Encoder,
}

/// Runs `f` with the GIL released and a sink that collects its output;
/// returns the bytes and `f`'s own result.
pub fn collect<T: Send>(
    py: Python<'_>,
    f: impl FnOnce(&mut ocicache::Sink<'_>) -> ocicache::Result<T> + Send,
) -> PyResult<(Bound<'_, PyBytes>, T)> {
    let (out, value) = py
        .detach(|| {
            let mut out = Vec::new();
            f(&mut |c| {
                out.extend_from_slice(c);
                Ok(())
            })
            .map(|value| (out, value))
        })
        .map_err(|e| to_py(&e))?;
    Ok((PyBytes::new(py, &out), value))
}

#[pymethods]
impl Encoder {
    /// An encoder for ``compression`` at ``level`` (gzip -2..9, default 6;
    /// zstd: any level, always encoded at 1).
    #[new]
    #[pyo3(signature = (compression, level = None))]
    pub fn new(compression: &str, level: Option<i32>) -> PyResult<Self> {
        let inner = ocicache::Encoder::new(self::compression(compression)?, level)
            .map_err(|e| to_py(&e))?;
        Ok(Encoder { inner })
    }

    /// The level really used (``None`` for uncompressed).
    #[getter]
    pub fn level(&self) -> Option<i32> {
        self.inner.level()
    }

    /// Compress the next chunk; returns compressed bytes.
    pub fn update<'py>(
        &mut self,
        py: Python<'py>,
        chunk: Bytes<'_>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let input = chunk.as_slice();
        let inner = &mut self.inner;
        Ok(collect(py, |sink| inner.update(input, sink))?.0)
    }

    /// End of input: returns the last compressed bytes.
    pub fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let inner = &mut self.inner;
        Ok(collect(py, |sink| inner.finish(sink))?.0)
    }
}

/// Decompress a whole blob (``compression`` detected when ``None``).
#[pyfunction]
#[pyo3(signature = (data, compression = None, *, max_output = None, max_zstd_window = None))]
pub fn decompress<'py>(
    py: Python<'py>,
    data: Bytes<'_>,
    compression: Option<&str>,
    max_output: Option<u64>,
    max_zstd_window: Option<u64>,
) -> PyResult<Bound<'py, PyBytes>> {
    let compression = compression.map(self::compression).transpose()?;
    let input = data.as_slice();
    let limits = limits(max_output, max_zstd_window);
    let out = py.detach(|| ocicache::decompress(input, compression, limits));
    Ok(PyBytes::new(py, &out.map_err(|e| to_py(&e))?))
}

/// Compress a whole blob; returns ``(bytes, level used)``.
#[pyfunction]
#[pyo3(signature = (data, compression, level = None))]
pub fn compress<'py>(
    py: Python<'py>,
    data: Bytes<'_>,
    compression: &str,
    level: Option<i32>,
) -> PyResult<(Bound<'py, PyBytes>, Option<i32>)> {
    let compression = self::compression(compression)?;
    let input = data.as_slice();
    let (out, used) = py
        .detach(|| ocicache::compress(input, compression, level))
        .map_err(|e| to_py(&e))?;
    Ok((PyBytes::new(py, &out), used))
}
