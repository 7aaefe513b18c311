//! Size and age budgets as users write them (core `budget.rs`).

use napi::bindgen_prelude::{Env, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::error::to_js;

/// Reads a byte size such as `2GiB`, `500MB`, `10g` or `1048576`.
#[napi(ts_args_type = "text: string")]
#[allow(clippy::cast_precision_loss)] // at most 2^53-1, exact in an f64
pub fn parse_byte_size(env: &Env, text: Unknown<'_>) -> Result<f64> {
    let text = arg::string(env, "text", text)?;
    let bytes = ocicache::parse_byte_size(&text).map_err(|e| to_js(env, &e))?;
    Ok(bytes as f64)
}

/// Reads an age such as `7d`, `36h`, `1w2d` or `600` (seconds), in ms.
#[napi(ts_args_type = "text: string")]
#[allow(clippy::cast_precision_loss)]
pub fn parse_duration_ms(env: &Env, text: Unknown<'_>) -> Result<f64> {
    let text = arg::string(env, "text", text)?;
    let ms = ocicache::parse_duration_ms(&text).map_err(|e| to_js(env, &e))?;
    Ok(ms as f64)
}
