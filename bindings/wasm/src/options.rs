//! `parseCacheOptions` and `CacheOptions`, `parseCacheEntries` and
//! `CacheOptionsEntry` (core `options/`).

use std::collections::BTreeMap;

use js_sys::{JSON, Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;

/// One parsed cache entry.
#[wasm_bindgen]
pub struct CacheOptions {
    inner: ocicache::CacheOptions,
}

/// A JS value from JSON text the core wrote (always valid JSON).
fn from_json(text: &str) -> JsValue {
    JSON::parse(text).unwrap_or(JsValue::NULL)
}

fn map(m: &BTreeMap<String, String>) -> JsValue {
    from_json(&serde_json::to_string(m).unwrap_or_default())
}

fn warnings(all: &[ocicache::Error]) -> JsValue {
    let list = js_sys::Array::new();
    for w in all {
        let o = Object::new();
        let _ = Reflect::set(&o, &"code".into(), &w.code().into());
        let _ = Reflect::set(&o, &"message".into(), &w.message().into());
        if let Some(f) = w.field() {
            let _ = Reflect::set(&o, &"field".into(), &f.into());
        }
        if let Some(offset) = w.offset().and_then(|o| u32::try_from(o).ok()) {
            let _ = Reflect::set(&o, &"offset".into(), &offset.into());
        }
        list.push(&o);
    }
    list.into()
}

/// The input's text, or its bytes (to be checked as UTF-8).
fn text_or_bytes(input: &JsValue) -> Result<Result<String, Vec<u8>>, JsValue> {
    if let Some(text) = input.as_string() {
        Ok(Ok(text))
    } else if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        Ok(Err(bytes.to_vec()))
    } else {
        Err(arg::type_error("input", "a string or a Uint8Array", input))
    }
}

#[wasm_bindgen]
impl CacheOptions {
    /// The backend: `registry`, `local`, `inline`, `gha`, `s3` or `azblob`.
    #[wasm_bindgen(getter, js_name = "type")]
    pub fn cache_type(&self) -> String {
        self.inner.cache_type.as_str().to_owned()
    }

    /// The attributes as parsed (keys lower-cased, values verbatim).
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, string>")]
    pub fn attrs(&self) -> JsValue {
        map(&self.inner.attrs)
    }

    /// The typed settings with BuildKit's defaults (camelCase keys).
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any>")]
    pub fn settings(&self) -> JsValue {
        from_json(&self.inner.settings_json(ocicache::KeyCase::Camel))
    }

    /// The attributes buildx sends to BuildKit (with what it takes from `env`).
    #[wasm_bindgen(
        getter,
        js_name = "buildkitAttrs",
        unchecked_return_type = "Record<string, string>"
    )]
    pub fn buildkit_attrs(&self) -> JsValue {
        map(&self.inner.buildkit_attrs())
    }

    /// Whether buildx sends this entry (a gha entry without token or URL is dropped).
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.inner.is_active()
    }

    /// Why buildx would drop this entry, or `null`.
    #[wasm_bindgen(
        getter,
        js_name = "inactiveReason",
        unchecked_return_type = "string | null"
    )]
    pub fn inactive_reason(&self) -> JsValue {
        self.inner
            .inactive_reason
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from)
    }

    /// Warnings about unknown or ignored options.
    #[wasm_bindgen(getter, unchecked_return_type = "Array<Warning>")]
    pub fn warnings(&self) -> JsValue {
        warnings(&self.inner.warnings)
    }

    /// What buildx sends to BuildKit: `{type, attrs}`.
    #[wasm_bindgen(
        js_name = "toJSON",
        unchecked_return_type = "{ type: string; attrs: Record<string, string> }"
    )]
    pub fn to_json(&self) -> JsValue {
        from_json(&self.inner.to_json())
    }

    /// The canonical option string, which parses back to the same entry.
    #[wasm_bindgen(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

fn parse_options(value: &JsValue) -> Result<ocicache::ParseOptions, JsValue> {
    let Some(get) = arg::optional_object("options", "{ dialect?, direction?, env? }", value)?
    else {
        return Ok(ocicache::ParseOptions::default());
    };
    let dialect = arg::optional_string("dialect", &get("dialect"))?;
    let direction = arg::optional_string("direction", &get("direction"))?;
    let mut env = BTreeMap::new();
    let given_env = get("env");
    if !given_env.is_undefined() && !given_env.is_null() {
        let object = given_env
            .dyn_ref::<Object>()
            .ok_or_else(|| arg::type_error("env", "an object of strings", &given_env))?;
        for pair in Object::entries(object).iter() {
            let pair: js_sys::Array = pair.unchecked_into();
            let key = arg::string("env", &pair.get(0))?;
            env.insert(key, arg::string("env", &pair.get(1))?);
        }
    }
    Ok(ocicache::ParseOptions {
        dialect: dialect
            .as_deref()
            .map(ocicache::Dialect::parse)
            .transpose()
            .map_err(|e| to_js(&e))?
            .unwrap_or_default(),
        direction: direction
            .as_deref()
            .map(ocicache::Direction::parse)
            .transpose()
            .map_err(|e| to_js(&e))?,
        env,
    })
}

/// Parse one `--cache-to`/`--cache-from` value (a string, or UTF-8 bytes)
/// into its entries, typed and checked; throws with the `code`, `field` and
/// `offset` of the first problem.
#[wasm_bindgen(js_name = parseCacheOptions)]
pub fn parse_cache_options(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "ParseOptions | undefined | null")] options: &JsValue,
) -> Result<Vec<CacheOptions>, JsValue> {
    let options = parse_options(options)?;
    let parsed = match text_or_bytes(input)? {
        Ok(text) => ocicache::parse_cache_options(&text, &options),
        Err(bytes) => ocicache::parse_cache_options_bytes(&bytes, &options),
    };
    Ok(parsed
        .map_err(|e| to_js(&e))?
        .into_iter()
        .map(|inner| CacheOptions { inner })
        .collect())
}

/// One entry exactly as buildx (or buildctl) sends it to BuildKit: type and
/// attributes verbatim, what the checked parse refuses as warnings.
#[wasm_bindgen]
pub struct CacheOptionsEntry {
    inner: ocicache::CacheOptionsEntry,
}

#[wasm_bindgen]
impl CacheOptionsEntry {
    /// The type, verbatim (`Local`, `foo` and `registry` alike).
    #[wasm_bindgen(getter, js_name = "type")]
    pub fn cache_type(&self) -> String {
        self.inner.cache_type.clone()
    }

    /// The attributes as parsed (keys lower-cased, values verbatim).
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, string>")]
    pub fn attrs(&self) -> JsValue {
        map(&self.inner.attrs)
    }

    /// The typed settings (camelCase keys), or `null` when the type or a
    /// value does not check out.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, any> | null")]
    pub fn settings(&self) -> JsValue {
        self.inner
            .settings_json(ocicache::KeyCase::Camel)
            .map_or(JsValue::NULL, |s| from_json(&s))
    }

    /// The attributes buildx sends to BuildKit (with what it takes from `env`).
    #[wasm_bindgen(
        getter,
        js_name = "buildkitAttrs",
        unchecked_return_type = "Record<string, string>"
    )]
    pub fn buildkit_attrs(&self) -> JsValue {
        map(&self.inner.buildkit_attrs())
    }

    /// Whether buildx sends this entry.
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.inner.is_active()
    }

    /// Why buildx would drop this entry, or `null`.
    #[wasm_bindgen(
        getter,
        js_name = "inactiveReason",
        unchecked_return_type = "string | null"
    )]
    pub fn inactive_reason(&self) -> JsValue {
        self.inner
            .inactive_reason
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from)
    }

    /// What the checked parse finds.
    #[wasm_bindgen(getter, unchecked_return_type = "Array<Warning>")]
    pub fn warnings(&self) -> JsValue {
        warnings(&self.inner.warnings)
    }

    /// What buildx sends to BuildKit: `{type, attrs}`.
    #[wasm_bindgen(
        js_name = "toJSON",
        unchecked_return_type = "{ type: string; attrs: Record<string, string> }"
    )]
    pub fn to_json(&self) -> JsValue {
        from_json(&self.inner.to_json())
    }

    /// buildx's string of the entry, which parses back to the same entry.
    #[wasm_bindgen(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

/// Parse one `--cache-to`/`--cache-from` value (a string, or UTF-8 bytes)
/// into the entries buildx (or buildctl) makes of it, without ocicache's
/// checks (they are the entries' `warnings`); throws only for what buildx
/// itself refuses.
#[wasm_bindgen(js_name = parseCacheEntries)]
pub fn parse_cache_entries(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "ParseOptions | undefined | null")] options: &JsValue,
) -> Result<Vec<CacheOptionsEntry>, JsValue> {
    let options = parse_options(options)?;
    let parsed = match text_or_bytes(input)? {
        Ok(text) => ocicache::parse_cache_entries(&text, &options),
        Err(bytes) => ocicache::parse_cache_entries_bytes(&bytes, &options),
    };
    Ok(parsed
        .map_err(|e| to_js(&e))?
        .into_iter()
        .map(|inner| CacheOptionsEntry { inner })
        .collect())
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/**
 * How to parse: `dialect` (`"buildx"`, the default, or `"buildctl"`),
 * `direction` (`"export"` for `--cache-to`, `"import"` for `--cache-from`;
 * absent: check for both) and `env`, the environment buildx would read.
 */
export interface ParseOptions {
  dialect?: string
  direction?: string
  env?: Record<string, string>
}

/** A warning about one option: `UNKNOWN_OPTION` or `OPTION_IGNORED`. */
export interface Warning {
  code: string
  message: string
  field?: string
  offset?: number
}
"#;
