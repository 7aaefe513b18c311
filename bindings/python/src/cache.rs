//! A loaded cache and the operations on it (core `cache.rs`,
//! `inspection.rs`, `verification.rs`, `collection.rs`, `merge.rs`,
//! `conversion.rs`): the storage drivers of the Python package carry them
//! out. Hashing runs with the GIL released, so threads verify in parallel.

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::Bytes;
use crate::digest::DigestArg;
use crate::error::to_py;

fn gone() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("already finished")
}

fn stored(py: Python<'_>, list: &Bound<'_, PyAny>) -> PyResult<Vec<ocicache::StoredBlob>> {
    let text: String = py
        .import("json")?
        .call_method1("dumps", (list,))?
        .extract()?;
    ocicache::StoredBlob::list_from_json(text.as_bytes()).map_err(|e| to_py(&e))
}

fn form(name: Option<&str>) -> PyResult<Option<ocicache::CacheForm>> {
    name.map(|f| ocicache::CacheForm::parse(f).map_err(|e| to_py(&e)))
        .transpose()
}

/// Loads a cache: ``CacheLoader(index_json)``, then ``feed`` (or
/// ``missing``) each blob ``next_needed()`` names, then ``finish()``.
#[pyclass(module = "ocicache")]
pub struct CacheLoader {
    inner: Option<ocicache::CacheLoader>,
}

#[pymethods]
impl CacheLoader {
    /// A loader for the layout whose ``index.json`` holds ``index`` (``None``
    /// when the file is missing).
    #[new]
    pub fn new(index: Option<Bytes<'_>>) -> Self {
        CacheLoader {
            inner: Some(ocicache::CacheLoader::new(
                index.as_ref().map(Bytes::as_slice),
            )),
        }
    }

    /// The digest of the next blob to read, or ``None`` when done.
    pub fn next_needed(&self) -> Option<String> {
        self.inner
            .as_ref()?
            .next_needed()
            .map(|d| d.digest.to_string())
    }

    /// The bytes of the blob ``next_needed()`` named.
    pub fn feed(&mut self, digest: DigestArg, data: Bytes<'_>) -> PyResult<()> {
        let d = digest.into_core()?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .feed(&d, data.as_slice())
            .map_err(|e| to_py(&e))
    }

    /// The blob ``next_needed()`` named is not in the storage.
    pub fn missing(&mut self, digest: DigestArg) -> PyResult<()> {
        let d = digest.into_core()?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .missing(&d)
            .map_err(|e| to_py(&e))
    }

    /// The loaded cache.
    pub fn finish(&mut self) -> PyResult<Cache> {
        Ok(Cache {
            inner: self.inner.take().ok_or_else(gone)?.finish(),
        })
    }
}

/// A loaded cache: ``index.json`` and every document it reaches.
#[pyclass(module = "ocicache")]
pub struct Cache {
    inner: ocicache::Cache,
}

#[pymethods]
impl Cache {
    /// The tags of ``index.json``'s entries, in order (entries without one
    /// are left out).
    pub fn tags(&self) -> Vec<String> {
        self.inner
            .entries
            .iter()
            .filter_map(|e| e.tag.clone())
            .collect()
    }

    /// Whether every reachable document was read.
    #[getter]
    pub fn complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// What the cache holds; ``stored`` (the storage's listing: dicts with
    /// ``path``, ``size``, ``modified``) adds the stored and unreachable
    /// totals.
    #[pyo3(signature = (stored = None))]
    pub fn inspect(
        &self,
        py: Python<'_>,
        stored: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Inspection> {
        let list = stored.map(|s| self::stored(py, &s)).transpose()?;
        Ok(Inspection {
            inner: self.inner.inspect(list.as_deref()),
        })
    }

    /// Plans a verify against the storage's listing.
    pub fn verification(&self, py: Python<'_>, stored: Bound<'_, PyAny>) -> PyResult<Verification> {
        Ok(Verification {
            inner: Some(self.inner.verification(&self::stored(py, &stored)?)),
        })
    }

    /// Plans a gc against the storage's listing at ``now_ms``.
    #[pyo3(signature = (stored, *, now_ms, grace_period_ms = None, keep_tags = None, drop_tags = None))]
    pub fn gc_plan(
        &self,
        py: Python<'_>,
        stored: Bound<'_, PyAny>,
        now_ms: i64,
        grace_period_ms: Option<u32>,
        keep_tags: Option<Vec<String>>,
        drop_tags: Option<Vec<String>>,
    ) -> PyResult<GcPlan> {
        let stored = self::stored(py, &stored)?;
        let mut options = ocicache::GcOptions::new(now_ms);
        if let Some(g) = grace_period_ms {
            options.grace_period_ms = i64::from(g);
        }
        options.keep_tags = keep_tags;
        options.drop_tags = drop_tags.unwrap_or_default();
        Ok(GcPlan {
            inner: self
                .inner
                .gc_plan(&stored, &options)
                .map_err(|e| to_py(&e))?,
        })
    }

    /// Plans converting the entry tagged ``tag`` to ``form`` and
    /// ``compression``.
    #[pyo3(signature = (tag, form = None, compression = None))]
    pub fn conversion(
        &self,
        tag: &str,
        form: Option<&str>,
        compression: Option<&str>,
    ) -> PyResult<Conversion> {
        let form = self::form(form)?;
        let compression = compression
            .map(|c| ocicache::Compression::parse(c).map_err(|e| to_py(&e)))
            .transpose()?;
        let (m, c) = self.inner.cache_entry(tag).map_err(|e| to_py(&e))?;
        let inner = ocicache::Conversion::new(m, c, form, compression).map_err(|e| to_py(&e))?;
        Ok(Conversion { inner: Some(inner) })
    }
}

/// What ``Cache.inspect`` found.
#[pyclass(module = "ocicache")]
pub struct Inspection {
    inner: ocicache::Inspection,
}

#[pymethods]
impl Inspection {
    /// The report as plain data.
    pub fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::value(py, self.inner.to_json())
    }

    /// The report as text (a summary per tag and the record tree).
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// A verify in progress: hash each of ``checks()`` through a
/// ``BlobVerifier`` and ``record`` it, then ``report()``.
#[pyclass(module = "ocicache")]
pub struct Verification {
    inner: Option<ocicache::Verification>,
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

    /// The blob ``digest`` could not be read.
    pub fn record_failure(&mut self, digest: DigestArg, message: &str) -> PyResult<()> {
        let d = digest.into_core()?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record_failure(&d, message)
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
    inner: ocicache::VerifyReport,
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
    inner: Option<ocicache::BlobVerifier>,
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

/// What a gc will do.
#[pyclass(module = "ocicache")]
pub struct GcPlan {
    inner: ocicache::GcPlan,
}

#[pymethods]
impl GcPlan {
    /// The new ``index.json`` to write (atomically) before deleting, when
    /// tags are dropped.
    #[getter]
    pub fn index<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        self.inner.index.as_deref().map(|b| PyBytes::new(py, b))
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

/// A conversion in progress: recompress each of ``layers_to_recompress()``,
/// ``record`` it, then ``finish()``.
#[pyclass(module = "ocicache")]
pub struct Conversion {
    inner: Option<ocicache::Conversion>,
}

#[pymethods]
impl Conversion {
    /// The digests of the layers to recompress.
    pub fn layers_to_recompress(&self) -> Vec<String> {
        self.inner
            .iter()
            .flat_map(ocicache::Conversion::layers_to_recompress)
            .map(|d| d.digest.to_string())
            .collect()
    }

    /// The recompressed blob of layer ``old``: its compression, digest, size
    /// and diffID as the compressor reported them.
    pub fn record(
        &mut self,
        old: DigestArg,
        compression: &str,
        digest: DigestArg,
        size: u64,
        diff_id: DigestArg,
    ) -> PyResult<()> {
        let digests = ocicache::LayerDigests {
            compression: ocicache::Compression::parse(compression).map_err(|e| to_py(&e))?,
            digest: digest.into_core()?,
            size,
            diff_id: diff_id.into_core()?,
            uncompressed_size: 0,
        };
        let old = old.into_core()?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .record(&old, &digests)
            .map_err(|e| to_py(&e))
    }

    /// The new config and manifest.
    pub fn finish(&mut self) -> PyResult<CacheWrite> {
        let inner = self.inner.take().ok_or_else(gone)?;
        Ok(CacheWrite {
            inner: inner.finish().map_err(|e| to_py(&e))?,
        })
    }
}

/// Merges caches: ``add(cache, tag)`` each source, then ``finish(form)``.
#[pyclass(module = "ocicache")]
pub struct Merge {
    inner: Option<ocicache::Merge>,
}

#[pymethods]
impl Merge {
    /// An empty merge.
    #[new]
    pub fn new() -> Self {
        Merge {
            inner: Some(ocicache::Merge::new()),
        }
    }

    /// Adds the entry tagged ``tag`` of ``cache``.
    pub fn add(&mut self, cache: PyRef<'_, Cache>, tag: &str) -> PyResult<()> {
        let (m, c) = cache.inner.cache_entry(tag).map_err(|e| to_py(&e))?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .add(m, c)
            .map_err(|e| to_py(&e))
    }

    /// The merged cache in ``form`` (default ``image-manifest``).
    #[pyo3(signature = (form = None))]
    pub fn finish(&mut self, form: Option<&str>) -> PyResult<CacheWrite> {
        let form = self::form(form)?.unwrap_or(ocicache::CacheForm::ImageManifest);
        let inner = self.inner.take().ok_or_else(gone)?;
        Ok(CacheWrite {
            inner: inner.finish(form).map_err(|e| to_py(&e))?,
        })
    }
}

impl Default for Merge {
    fn default() -> Self {
        Merge::new()
    }
}

/// A new config and manifest to write: the config blob, the manifest blob,
/// then the descriptor into ``index.json``.
#[pyclass(module = "ocicache")]
pub struct CacheWrite {
    inner: ocicache::CacheWrite,
}

#[pymethods]
impl CacheWrite {
    /// The config blob.
    #[getter]
    pub fn config_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.config_bytes)
    }

    /// The manifest blob.
    #[getter]
    pub fn manifest_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.manifest_bytes)
    }

    /// The manifest's descriptor for ``index.json``, as a dict.
    #[getter]
    pub fn descriptor(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::plain::object(py, &self.inner.descriptor.to_bytes())
    }

    /// The digest of the config blob.
    #[getter]
    pub fn config_digest(&self) -> String {
        self.inner.manifest.config().digest.to_string()
    }

    /// The layer blobs the manifest lists, each once.
    #[getter]
    pub fn layers(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        self.inner
            .manifest
            .layers()
            .filter(|d| seen.insert(d.digest.clone()))
            .map(|d| d.digest.to_string())
            .collect()
    }
}
