//! Size and age budgets as users write them (core `budget.rs`).

use wasm_bindgen::prelude::*;

use crate::error::to_js;

/// Reads a byte size such as `2GiB`, `500MB`, `10g` or `1048576`.
#[wasm_bindgen(js_name = parseByteSize)]
#[allow(clippy::cast_precision_loss)] // at most 2^53-1, exact in an f64
pub fn parse_byte_size(
    #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
) -> Result<f64, JsValue> {
    let text = crate::arg::string("text", text)?;
    let bytes = ocicache::parse_byte_size(&text).map_err(|e| to_js(&e))?;
    Ok(bytes as f64)
}

/// Reads an age such as `7d`, `36h`, `1w2d` or `600` (seconds), in ms.
#[wasm_bindgen(js_name = parseDurationMs)]
#[allow(clippy::cast_precision_loss)]
pub fn parse_duration_ms(
    #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
) -> Result<f64, JsValue> {
    let text = crate::arg::string("text", text)?;
    let ms = ocicache::parse_duration_ms(&text).map_err(|e| to_js(&e))?;
    Ok(ms as f64)
}
