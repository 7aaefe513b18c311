//! Options objects the bindings hand over as JSON text (Node and WASM
//! `JSON.stringify` them): read field by field, each wrong field an
//! [`ErrorKind::InvalidArgument`] that names it.

use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

/// A parsed options object.
pub(crate) struct Options(Value);

/// `field must be what`, located at `field`.
pub(crate) fn bad(field: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("{field} must be {what}"),
    )
    .in_field(field)
}

impl Options {
    /// Reads `bytes`, which must be a JSON object.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Options> {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("not JSON: {e}")))?;
        if !v.is_object() {
            return Err(bad("options", "an object"));
        }
        Ok(Options(v))
    }

    /// The required `nowMs`.
    pub(crate) fn now_ms(&self) -> Result<i64> {
        self.0["nowMs"]
            .as_i64()
            .ok_or_else(|| bad("nowMs", "an integer (ms since the epoch)"))
    }

    /// An optional non-negative integer at most `max`.
    pub(crate) fn count(&self, field: &str, max: u64, what: &str) -> Result<Option<u64>> {
        match &self.0[field] {
            Value::Null => Ok(None),
            n => n
                .as_u64()
                .filter(|n| *n <= max)
                .map(Some)
                .ok_or_else(|| bad(field, what)),
        }
    }

    /// An optional array of strings.
    pub(crate) fn strings(&self, field: &str) -> Result<Option<Vec<String>>> {
        match &self.0[field] {
            Value::Null => Ok(None),
            Value::Array(a) => a
                .iter()
                .map(|t| {
                    t.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| bad(field, "an array of strings"))
                })
                .collect::<Result<Vec<_>>>()
                .map(Some),
            _ => Err(bad(field, "an array of strings")),
        }
    }
}
