//! `CacheLoader` and `Cache` (core `cache.rs`): a loaded cache, whose
//! methods plan the operations (the other files of the same names as the
//! core's): the storage drivers of the Python package carry them
//! out. Hashing runs with the GIL released, so threads verify in parallel.

// pyo3 hands arguments over by value; borrowing them is not an option.
#![allow(clippy::needless_pass_by_value)]

use pyo3::prelude::*;

use crate::buffer::Bytes;
use crate::collection::GcPlan;
use crate::conversion::Conversion;
use crate::digest::DigestArg;
use crate::error::to_py;
use crate::inspection::Inspection;
use crate::pruning::PrunePlan;
use crate::verification::Verification;

pub(crate) fn gone() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("already finished")
}

pub(crate) fn stored(
    py: Python<'_>,
    list: &Bound<'_, PyAny>,
) -> PyResult<Vec<ocicache::StoredBlob>> {
    let text: String = py
        .import("json")?
        .call_method1("dumps", (list,))?
        .extract()?;
    ocicache::StoredBlob::list_from_json(text.as_bytes()).map_err(|e| to_py(&e))
}

pub(crate) fn form(name: Option<&str>) -> PyResult<Option<ocicache::CacheForm>> {
    name.map(|f| ocicache::CacheForm::parse(f).map_err(|e| to_py(&e)))
        .transpose()
}

/// Loads a cache: ``CacheLoader(index_json)``, then ``feed`` (or
/// ``missing``) each blob ``next_needed()`` names, then ``finish()``.
#[pyclass(module = "ocicache")]
pub struct CacheLoader {
    pub(crate) inner: Option<ocicache::CacheLoader>,
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

    /// How many bytes of ``index.json`` (or of the document a location's
    /// ``digest=`` names) a driver reads at most: the document limit plus one.
    #[staticmethod]
    pub fn index_read_limit() -> u64 {
        ocicache::CacheLoader::INDEX_READ_LIMIT
    }

    /// The digest of the next blob to read, or ``None`` when done.
    pub fn next_needed(&self) -> Option<String> {
        self.inner
            .as_ref()?
            .next_needed()
            .map(|d| d.digest.to_string())
    }

    /// How many bytes of the blob ``next_needed()`` named to read at most:
    /// its size plus one; ``0`` (read nothing, feed empty bytes) when its
    /// descriptor is over the document limit.
    pub fn read_limit(&self) -> u64 {
        self.inner
            .as_ref()
            .map_or(0, ocicache::CacheLoader::read_limit)
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

    /// The layout's ``oci-layout`` file (``None`` when it has none): checked.
    pub fn oci_layout(&mut self, data: Option<Bytes<'_>>) -> PyResult<()> {
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .oci_layout(data.as_ref().map(Bytes::as_slice));
        Ok(())
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

    /// The storage could not read the blob ``next_needed()`` named, for the
    /// reason ``code`` (an error code, such as ``NOT_A_FILE``).
    pub fn failed(&mut self, digest: DigestArg, code: &str, message: &str) -> PyResult<()> {
        let d = digest.into_core()?;
        let kind = ocicache::ErrorKind::from_code(code).map_err(|e| to_py(&e))?;
        self.inner
            .as_mut()
            .ok_or_else(gone)?
            .failed(&d, kind, message)
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
    pub(crate) inner: ocicache::Cache,
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

    /// Sorts the blobs gc moved aside by this cache, loaded again from the
    /// ``index.json`` on disk now: ``{"restore": [...], "delete": [...]}``
    /// (digests); what any entry reaches goes back, all of them when
    /// something could not be read.
    pub fn recheck(
        &self,
        moved: Vec<DigestArg>,
    ) -> PyResult<std::collections::BTreeMap<&'static str, Vec<String>>> {
        let moved = moved
            .into_iter()
            .map(DigestArg::into_core)
            .collect::<PyResult<Vec<_>>>()?;
        let r = self.inner.recheck(&moved);
        let strings = |v: Vec<ocicache::Digest>| v.into_iter().map(|d| d.to_string()).collect();
        Ok(std::collections::BTreeMap::from([
            ("restore", strings(r.restore)),
            ("delete", strings(r.delete)),
        ]))
    }

    /// Plans copying the entry tagged ``tag`` to another storage.
    pub fn copy_plan(&self, tag: &str) -> PyResult<crate::transfer::CopyPlan> {
        let inner = self.inner.copy_plan(tag).map_err(|e| to_py(&e))?;
        Ok(crate::transfer::CopyPlan { inner })
    }

    /// Plans a prune: which results go to keep the cache within
    /// ``max_size`` bytes and ``max_age_ms``; ``keep_tags`` are kept whole.
    #[pyo3(signature = (*, now_ms, max_size = None, max_age_ms = None, keep_tags = None))]
    pub fn prune_plan(
        &self,
        now_ms: i64,
        max_size: Option<u64>,
        max_age_ms: Option<u64>,
        keep_tags: Option<Vec<String>>,
    ) -> PyResult<PrunePlan> {
        let options = ocicache::PruneOptions {
            max_size,
            max_age_ms: max_age_ms.map(|a| i64::try_from(a).unwrap_or(i64::MAX)),
            keep_tags: keep_tags.unwrap_or_default(),
            now_ms,
        };
        Ok(PrunePlan {
            inner: self.inner.prune_plan(&options).map_err(|e| to_py(&e))?,
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
