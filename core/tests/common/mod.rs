//! Helpers shared by the conformance tests: paths and vector inputs.
#![allow(dead_code, clippy::missing_panics_doc)]

pub mod layout;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The repository's `tests/` directory.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests")
}

/// The JSON value of a file under `tests/`.
pub fn load(rel: &str) -> Value {
    let path = tests_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bytes a vector's `input` describes: `{utf8}`, `{hex}`, `{concat: [inputs]}`
/// or `{repeat: {utf8|hex, count}}`.
pub fn input_bytes(input: &Value) -> Vec<u8> {
    if let Some(s) = input.get("utf8") {
        return s.as_str().unwrap().as_bytes().to_vec();
    }
    if let Some(h) = input.get("hex") {
        let h = h.as_str().unwrap();
        return (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect();
    }
    if let Some(parts) = input.get("concat") {
        return parts
            .as_array()
            .unwrap()
            .iter()
            .flat_map(input_bytes)
            .collect();
    }
    let r = &input["repeat"];
    let unit = input_bytes(r);
    unit.repeat(usize::try_from(r["count"].as_u64().unwrap()).unwrap())
}
