//! `parseCacheOptions` and `CacheOptions`, `parseCacheEntries` and
//! `CacheOptionsEntry` (core `options/`).

use std::collections::{BTreeMap, HashMap};

use napi::ValueType;
use napi::bindgen_prelude::{Env, FromNapiValue, JsObjectValue, Object, Result, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::error::to_js;

/// How to parse: `dialect` (`"buildx"`, the default, or `"buildctl"`),
/// `direction` (`"export"` for `--cache-to`, `"import"` for `--cache-from`;
/// absent: check for both) and `env`, the environment buildx would read.
#[napi(object)]
#[allow(dead_code)] // read field by field in `parse_options`; this declares the TypeScript interface
pub struct ParseOptions {
    /// `"buildx"` (default) or `"buildctl"`.
    pub dialect: Option<String>,
    /// `"export"` or `"import"`.
    pub direction: Option<String>,
    /// Environment variables (`ACTIONS_*`, `AWS_*`), by name.
    pub env: Option<HashMap<String, String>>,
}

/// A warning about one option: `UNKNOWN_OPTION` or `OPTION_IGNORED`.
#[napi(object)]
pub struct Warning {
    /// The stable code.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// The option's key.
    pub field: Option<String>,
    /// The byte offset of its value in the input.
    pub offset: Option<u32>,
}

/// One parsed cache entry.
#[napi]
pub struct CacheOptions {
    inner: ocicache::CacheOptions,
}

fn map(m: &BTreeMap<String, String>) -> Value {
    serde_json::to_value(m).unwrap_or_default()
}

fn warnings(all: &[ocicache::Error]) -> Vec<Warning> {
    all.iter()
        .map(|w| Warning {
            code: w.code().to_owned(),
            message: w.message().to_owned(),
            field: w.field().map(str::to_owned),
            offset: w.offset().and_then(|o| u32::try_from(o).ok()),
        })
        .collect()
}

#[napi]
impl CacheOptions {
    /// The backend: `registry`, `local`, `inline`, `gha`, `s3` or `azblob`.
    #[napi(getter, js_name = "type")]
    pub fn cache_type(&self) -> &'static str {
        self.inner.cache_type.as_str()
    }

    /// The attributes as parsed (keys lower-cased, values verbatim).
    #[napi(getter, ts_return_type = "Record<string, string>")]
    pub fn attrs(&self) -> Value {
        map(&self.inner.attrs)
    }

    /// The typed settings with BuildKit's defaults (camelCase keys).
    #[napi(getter, ts_return_type = "Record<string, any>")]
    pub fn settings(&self) -> Value {
        serde_json::from_str(&self.inner.settings_json(ocicache::KeyCase::Camel))
            .unwrap_or_default()
    }

    /// The attributes buildx sends to BuildKit (with what it takes from `env`).
    #[napi(getter, ts_return_type = "Record<string, string>")]
    pub fn buildkit_attrs(&self) -> Value {
        map(&self.inner.buildkit_attrs())
    }

    /// Whether buildx sends this entry (a gha entry without token or URL is dropped).
    #[napi(getter)]
    pub fn active(&self) -> bool {
        self.inner.is_active()
    }

    /// Why buildx would drop this entry, or `null`.
    #[napi(getter)]
    pub fn inactive_reason(&self) -> Option<String> {
        self.inner.inactive_reason.clone()
    }

    /// Warnings about unknown or ignored options.
    #[napi(getter)]
    pub fn warnings(&self) -> Vec<Warning> {
        warnings(&self.inner.warnings)
    }

    /// What buildx sends to BuildKit: `{type, attrs}`.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ type: string; attrs: Record<string, string> }"
    )]
    pub fn to_json(&self) -> Value {
        serde_json::from_str(&self.inner.to_json()).unwrap_or_default()
    }

    /// The canonical option string, which parses back to the same entry.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

fn parse_options(env: &Env, value: Unknown<'_>) -> Result<ocicache::ParseOptions> {
    let Some(object) =
        arg::optional_object(env, "options", "{ dialect?, direction?, env? }", value)?
    else {
        return Ok(ocicache::ParseOptions::default());
    };
    let dialect = arg::optional_string(env, "dialect", object.get_named_property("dialect")?)?;
    let direction =
        arg::optional_string(env, "direction", object.get_named_property("direction")?)?;
    let mut vars = BTreeMap::new();
    let given = object.get_named_property("env")?;
    if let Some(given) = arg::optional_object(env, "env", "an object of strings", given)? {
        for key in Object::keys(&given)? {
            let value = arg::string(env, "env", given.get_named_property(&key)?)?;
            vars.insert(key, value);
        }
    }
    let dialect = dialect.as_deref().map(ocicache::Dialect::parse).transpose();
    let direction = direction
        .as_deref()
        .map(ocicache::Direction::parse)
        .transpose();
    Ok(ocicache::ParseOptions {
        dialect: dialect.map_err(|e| to_js(env, &e))?.unwrap_or_default(),
        direction: direction.map_err(|e| to_js(env, &e))?,
        env: vars,
    })
}

/// Parse one `--cache-to`/`--cache-from` value (a string, or UTF-8 bytes)
/// into its entries, typed and checked; throws with the `code`, `field` and
/// `offset` of the first problem.
#[napi(ts_args_type = "input: string | Uint8Array, options?: ParseOptions | undefined | null")]
pub fn parse_cache_options(
    env: &Env,
    input: Unknown<'_>,
    options: Unknown<'_>,
) -> Result<Vec<CacheOptions>> {
    let options = parse_options(env, options)?;
    let parsed = match text_or_bytes(env, input)? {
        Input::Text(text) => ocicache::parse_cache_options(&text, &options),
        Input::Bytes(bytes) => ocicache::parse_cache_options_bytes(bytes, &options),
    };
    Ok(parsed
        .map_err(|e| to_js(env, &e))?
        .into_iter()
        .map(|inner| CacheOptions { inner })
        .collect())
}

enum Input<'a> {
    Text(String),
    Bytes(&'a [u8]),
}

fn text_or_bytes<'a>(env: &Env, input: Unknown<'a>) -> Result<Input<'a>> {
    if input.get_type()? == ValueType::String {
        return Ok(Input::Text(String::from_unknown(input)?));
    }
    arg::bytes(env, "input", input)
        .map(Input::Bytes)
        .map_err(|_| arg::type_error(env, "input", "a string or a Uint8Array", &input))
}

/// One entry exactly as buildx (or buildctl) sends it to BuildKit: type and
/// attributes verbatim, what the checked parse refuses as warnings.
#[napi]
pub struct CacheOptionsEntry {
    inner: ocicache::CacheOptionsEntry,
}

#[napi]
impl CacheOptionsEntry {
    /// The type, verbatim (`Local`, `foo` and `registry` alike).
    #[napi(getter, js_name = "type")]
    pub fn cache_type(&self) -> String {
        self.inner.cache_type.clone()
    }

    /// The attributes as parsed (keys lower-cased, values verbatim).
    #[napi(getter, ts_return_type = "Record<string, string>")]
    pub fn attrs(&self) -> Value {
        map(&self.inner.attrs)
    }

    /// The typed settings (camelCase keys), or `null` when the type or a
    /// value does not check out.
    #[napi(getter, ts_return_type = "Record<string, any> | null")]
    pub fn settings(&self) -> Value {
        self.inner
            .settings_json(ocicache::KeyCase::Camel)
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null)
    }

    /// The attributes buildx sends to BuildKit (with what it takes from `env`).
    #[napi(getter, ts_return_type = "Record<string, string>")]
    pub fn buildkit_attrs(&self) -> Value {
        map(&self.inner.buildkit_attrs())
    }

    /// Whether buildx sends this entry.
    #[napi(getter)]
    pub fn active(&self) -> bool {
        self.inner.is_active()
    }

    /// Why buildx would drop this entry, or `null`.
    #[napi(getter)]
    pub fn inactive_reason(&self) -> Option<String> {
        self.inner.inactive_reason.clone()
    }

    /// What the checked parse finds.
    #[napi(getter)]
    pub fn warnings(&self) -> Vec<Warning> {
        warnings(&self.inner.warnings)
    }

    /// What buildx sends to BuildKit: `{type, attrs}`.
    #[napi(
        js_name = "toJSON",
        ts_return_type = "{ type: string; attrs: Record<string, string> }"
    )]
    pub fn to_json(&self) -> Value {
        serde_json::from_str(&self.inner.to_json()).unwrap_or_default()
    }

    /// buildx's string of the entry, which parses back to the same entry.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

/// Parse one `--cache-to`/`--cache-from` value (a string, or UTF-8 bytes)
/// into the entries buildx (or buildctl) makes of it, without ocicache's
/// checks (they are the entries' `warnings`); throws only for what buildx
/// itself refuses.
#[napi(ts_args_type = "input: string | Uint8Array, options?: ParseOptions | undefined | null")]
pub fn parse_cache_entries(
    env: &Env,
    input: Unknown<'_>,
    options: Unknown<'_>,
) -> Result<Vec<CacheOptionsEntry>> {
    let options = parse_options(env, options)?;
    let parsed = match text_or_bytes(env, input)? {
        Input::Text(text) => ocicache::parse_cache_entries(&text, &options),
        Input::Bytes(bytes) => ocicache::parse_cache_entries_bytes(bytes, &options),
    };
    Ok(parsed
        .map_err(|e| to_js(env, &e))?
        .into_iter()
        .map(|inner| CacheOptionsEntry { inner })
        .collect())
}
