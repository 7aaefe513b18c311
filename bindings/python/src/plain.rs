//! Plain data for Python: documents as dicts and lists, findings as dicts
//! `{code, severity, message, path}`, and descriptors taken from dicts
//! (through `json.dumps`, so that the core reads them like any JSON).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;

use crate::error::to_py;

/// A JSON value as Python objects.
pub(crate) fn value(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any().unbind(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any().unbind(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any().unbind(),
            _ => n
                .as_f64()
                .unwrap_or(f64::NAN)
                .into_pyobject(py)?
                .into_any()
                .unbind(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any().unbind(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, value(py, item)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// The dict of a document's JSON bytes.
pub(crate) fn object(py: Python<'_>, bytes: &[u8]) -> PyResult<Py<PyAny>> {
    let v = ocicache::plain_json(bytes).map_err(|e| to_py(&e))?;
    value(py, &v)
}

/// Findings as a list of dicts, in the core's shape (`Finding::to_json`).
pub(crate) fn findings(py: Python<'_>, list: &[ocicache::Finding]) -> PyResult<Vec<Py<PyAny>>> {
    list.iter().map(|f| value(py, &f.to_json())).collect()
}

/// A descriptor from a dict.
pub(crate) fn descriptor(
    py: Python<'_>,
    field: &str,
    obj: &Bound<'_, PyAny>,
) -> PyResult<ocicache::Descriptor> {
    if !obj.is_instance_of::<PyDict>() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{field}: expected a descriptor dict, got {}",
            obj.get_type().name()?
        )));
    }
    let text: String = py
        .import("json")?
        .call_method1("dumps", (obj,))?
        .extract()?;
    ocicache::Descriptor::from_bytes(text.as_bytes()).map_err(|e| to_py(&e.within(field)))
}
