//! `parse_cache_options` and `CacheOptions`, `parse_cache_entries` and
//! `CacheOptionsEntry` (core `options/`).

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::error::to_py;

/// One parsed cache entry.
#[pyclass(frozen, module = "ocicache")]
pub struct CacheOptions {
    inner: ocicache::CacheOptions,
}

/// A Python value (dict, list, str, int, bool, None) from JSON the core wrote.
fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

fn dict<'py>(py: Python<'py>, map: &BTreeMap<String, String>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in map {
        d.set_item(k, v)?;
    }
    Ok(d)
}

/// Warnings as dicts with ``code``, ``message``, ``field`` and ``offset``.
fn warnings<'py>(py: Python<'py>, all: &[ocicache::Error]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for w in all {
        let d = PyDict::new(py);
        d.set_item("code", w.code())?;
        d.set_item("message", w.message())?;
        d.set_item("field", w.field())?;
        d.set_item("offset", w.offset())?;
        list.append(d)?;
    }
    Ok(list)
}

#[pymethods]
impl CacheOptions {
    /// The backend: ``registry``, ``local``, ``inline``, ``gha``, ``s3`` or ``azblob``.
    #[getter(r#type)]
    pub fn cache_type(&self) -> &'static str {
        self.inner.cache_type.as_str()
    }

    /// The attributes as parsed (keys lower-cased, values verbatim).
    #[getter]
    pub fn attrs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &self.inner.attrs)
    }

    /// The typed settings with BuildKit's defaults (`snake_case` keys).
    #[getter]
    pub fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.inner.settings_json(ocicache::KeyCase::Snake))
    }

    /// The attributes buildx sends to BuildKit (with what it takes from ``env``).
    #[getter]
    pub fn buildkit_attrs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &self.inner.buildkit_attrs())
    }

    /// Whether buildx sends this entry (a gha entry without token or URL is dropped).
    #[getter]
    pub fn active(&self) -> bool {
        self.inner.is_active()
    }

    /// Why buildx would drop this entry, or ``None``.
    #[getter]
    pub fn inactive_reason(&self) -> Option<&str> {
        self.inner.inactive_reason.as_deref()
    }

    /// Warnings about unknown or ignored options: dicts with ``code``,
    /// ``message``, ``field`` and ``offset``.
    #[getter]
    pub fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        warnings(py, &self.inner.warnings)
    }

    /// What buildx sends to BuildKit, as JSON text: ``{"type", "attrs"}``.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The canonical option string, which parses back to the same entry.
    #[allow(clippy::inherent_to_string)] // Python's name for it; `__str__` gives the same
    pub fn to_string(&self) -> String {
        self.inner.to_string()
    }

    /// The canonical option string.
    pub fn __str__(&self) -> String {
        self.inner.to_string()
    }

    /// ``CacheOptions('type=…')``.
    pub fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = pyo3::types::PyString::new(py, &self.inner.to_string());
        Ok(format!("CacheOptions({})", text.repr()?))
    }

    /// Equal when type and attributes are equal.
    pub fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<CacheOptions>().is_ok_and(|o| {
            o.get().inner.cache_type == self.inner.cache_type
                && o.get().inner.attrs == self.inner.attrs
        })
    }
}

/// The input: ``str``, or ``bytes`` that must be UTF-8.
#[derive(FromPyObject)]
pub enum Input<'py> {
    /// A string.
    Text(String),
    /// UTF-8 bytes.
    Bytes(Bound<'py, PyBytes>),
}

fn parse_options(
    dialect: &str,
    direction: Option<&str>,
    env: Option<BTreeMap<String, String>>,
) -> PyResult<ocicache::ParseOptions> {
    Ok(ocicache::ParseOptions {
        dialect: ocicache::Dialect::parse(dialect).map_err(|e| to_py(&e))?,
        direction: direction
            .map(ocicache::Direction::parse)
            .transpose()
            .map_err(|e| to_py(&e))?,
        env: env.unwrap_or_default(),
    })
}

/// Parse one ``--cache-to``/``--cache-from`` value into its entries, typed and
/// checked; raises ``OcicacheError`` with the ``code``, ``field`` and
/// ``offset`` of the first problem.
#[pyfunction]
#[pyo3(signature = (input, *, dialect = "buildx", direction = None, env = None))]
pub fn parse_cache_options(
    input: Input<'_>,
    dialect: &str,
    direction: Option<&str>,
    env: Option<BTreeMap<String, String>>,
) -> PyResult<Vec<CacheOptions>> {
    let options = parse_options(dialect, direction, env)?;
    let parsed = match input {
        Input::Text(text) => ocicache::parse_cache_options(&text, &options),
        Input::Bytes(bytes) => ocicache::parse_cache_options_bytes(bytes.as_bytes(), &options),
    };
    Ok(parsed
        .map_err(|e| to_py(&e))?
        .into_iter()
        .map(|inner| CacheOptions { inner })
        .collect())
}

/// One entry exactly as buildx (or buildctl) sends it to BuildKit: type and
/// attributes verbatim, what the checked parse refuses as warnings.
#[pyclass(frozen, module = "ocicache")]
pub struct CacheOptionsEntry {
    inner: ocicache::CacheOptionsEntry,
}

#[pymethods]
impl CacheOptionsEntry {
    /// The type, verbatim (``Local``, ``foo`` and ``registry`` alike).
    #[getter(r#type)]
    pub fn cache_type(&self) -> &str {
        &self.inner.cache_type
    }

    /// The attributes as parsed (keys lower-cased, values verbatim).
    #[getter]
    pub fn attrs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &self.inner.attrs)
    }

    /// The typed settings (``snake_case`` keys), or ``None`` when the type
    /// or a value does not check out.
    #[getter]
    pub fn settings<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .settings_json(ocicache::KeyCase::Snake)
            .map(|s| from_json(py, &s))
            .transpose()
    }

    /// The attributes buildx sends to BuildKit (with what it takes from ``env``).
    #[getter]
    pub fn buildkit_attrs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        dict(py, &self.inner.buildkit_attrs())
    }

    /// Whether buildx sends this entry.
    #[getter]
    pub fn active(&self) -> bool {
        self.inner.is_active()
    }

    /// Why buildx would drop this entry, or ``None``.
    #[getter]
    pub fn inactive_reason(&self) -> Option<&str> {
        self.inner.inactive_reason.as_deref()
    }

    /// What the checked parse finds, as dicts with ``code``, ``message``,
    /// ``field`` and ``offset``.
    #[getter]
    pub fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        warnings(py, &self.inner.warnings)
    }

    /// What buildx sends to BuildKit, as JSON text: ``{"type", "attrs"}``.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// buildx's string of the entry, which parses back to the same entry.
    #[allow(clippy::inherent_to_string)] // Python's name for it; `__str__` gives the same
    pub fn to_string(&self) -> String {
        self.inner.to_string()
    }

    /// buildx's string of the entry.
    pub fn __str__(&self) -> String {
        self.inner.to_string()
    }

    /// ``CacheOptionsEntry('type=…')``.
    pub fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = pyo3::types::PyString::new(py, &self.inner.to_string());
        Ok(format!("CacheOptionsEntry({})", text.repr()?))
    }

    /// Equal when type and attributes are equal.
    pub fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<CacheOptionsEntry>().is_ok_and(|o| {
            o.get().inner.cache_type == self.inner.cache_type
                && o.get().inner.attrs == self.inner.attrs
        })
    }
}

/// Parse one ``--cache-to``/``--cache-from`` value into the entries buildx
/// (or buildctl) makes of it, without ocicache's checks (they are the
/// entries' ``warnings``); raises only for what buildx itself refuses.
#[pyfunction]
#[pyo3(signature = (input, *, dialect = "buildx", direction = None, env = None))]
pub fn parse_cache_entries(
    input: Input<'_>,
    dialect: &str,
    direction: Option<&str>,
    env: Option<BTreeMap<String, String>>,
) -> PyResult<Vec<CacheOptionsEntry>> {
    let options = parse_options(dialect, direction, env)?;
    let parsed = match input {
        Input::Text(text) => ocicache::parse_cache_entries(&text, &options),
        Input::Bytes(bytes) => ocicache::parse_cache_entries_bytes(bytes.as_bytes(), &options),
    };
    Ok(parsed
        .map_err(|e| to_py(&e))?
        .into_iter()
        .map(|inner| CacheOptionsEntry { inner })
        .collect())
}
