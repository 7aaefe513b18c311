//! `--cache-to` / `--cache-from` option strings: parsed exactly like buildx
//! (or buildctl), then typed and checked per backend.
//!
//! Spec: `cache-options.md`: §2 tokeniser ([`crate::split_csv`]), §3 entry
//! grammar (`entry.rs`), §4 serialisations (here), §6 environment
//! (`env.rs`), §9 backends (`settings.rs`, `backend.rs`), §12 docs vs code.
//!
//! ```
//! use ocicache::{parse_cache_options, ParseOptions, Settings, Mode};
//!
//! let entries = parse_cache_options(
//!     "type=registry,ref=ghcr.io/o/app:cache,mode=max,compression=zstd",
//!     &ParseOptions::default(),
//! )?;
//! let Settings::Registry(r) = &entries[0].settings else { unreachable!() };
//! assert_eq!(r.export.mode, Mode::Max);
//! assert_eq!(entries[0].to_string(), "type=registry,compression=zstd,mode=max,ref=ghcr.io/o/app:cache");
//! # Ok::<(), ocicache::Error>(())
//! ```

mod attrs;
mod backend;
mod entry;
mod env;
mod settings;
mod unchecked;
mod value;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

pub use unchecked::{CacheOptionsEntry, parse_cache_entries};

pub use settings::{
    AzblobSettings, CompressionSettings, CompressionType, ExportSettings, GhaSettings,
    InlineSettings, LocalSettings, Mode, RegistrySettings, S3Settings, Settings,
};

use crate::csv::quote_field;
use crate::error::{Error, ErrorKind, Result};

/// Whose rules to parse by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// `docker buildx build --cache-to/--cache-from` (the default).
    #[default]
    Buildx,
    /// `buildctl build --export-cache/--import-cache`.
    Buildctl,
}

impl Dialect {
    /// `buildx` or `buildctl`; anything else is `INVALID_ARGUMENT`.
    pub fn parse(name: &str) -> Result<Dialect> {
        match name {
            "buildx" => Ok(Dialect::Buildx),
            "buildctl" => Ok(Dialect::Buildctl),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown dialect {name:?}: use buildx or buildctl"),
            )
            .in_field("dialect")),
        }
    }
}

/// Which flag a string was given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// `--cache-to` / `--export-cache`.
    Export,
    /// `--cache-from` / `--import-cache`.
    Import,
}

impl Direction {
    /// `export` (`--cache-to`) or `import` (`--cache-from`); anything else is
    /// `INVALID_ARGUMENT`.
    pub fn parse(name: &str) -> Result<Direction> {
        match name {
            "export" => Ok(Direction::Export),
            "import" => Ok(Direction::Import),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "unknown direction {name:?}: use export (--cache-to) or import (--cache-from)"
                ),
            )
            .in_field("direction")),
        }
    }
}

/// The case of the keys in [`CacheOptions::settings_json`]: `snake_case`
/// (Rust, Python) or `camelCase` (JavaScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCase {
    /// `ignore_error`, `oci_mediatypes`.
    Snake,
    /// `ignoreError`, `ociMediatypes`.
    Camel,
}

/// The cache backends BuildKit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheType {
    /// An OCI registry (`type=registry`).
    Registry,
    /// An OCI layout directory (`type=local`).
    Local,
    /// Cache metadata inside the image config (`type=inline`, export only).
    Inline,
    /// The GitHub Actions cache (`type=gha`).
    Gha,
    /// Amazon S3 (`type=s3`).
    S3,
    /// Azure Blob Storage (`type=azblob`).
    Azblob,
}

impl CacheType {
    /// The type's name, as in `type=<name>`.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheType::Registry => "registry",
            CacheType::Local => "local",
            CacheType::Inline => "inline",
            CacheType::Gha => "gha",
            CacheType::S3 => "s3",
            CacheType::Azblob => "azblob",
        }
    }

    fn parse(name: &str) -> Option<CacheType> {
        [
            CacheType::Registry,
            CacheType::Local,
            CacheType::Inline,
            CacheType::Gha,
            CacheType::S3,
            CacheType::Azblob,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
    }
}

/// How to parse: the dialect, the direction (`None`: check for both) and
/// the environment buildx would read (`ACTIONS_*`, `AWS_*`), given
/// explicitly because the core never reads the process environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// buildx (default) or buildctl rules.
    pub dialect: Dialect,
    /// `--cache-to` (export) or `--cache-from` (import), if known.
    pub direction: Option<Direction>,
    /// Environment variables, by name.
    pub env: BTreeMap<String, String>,
}

/// One parsed cache entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptions {
    /// The backend.
    pub cache_type: CacheType,
    /// The attributes as parsed (keys lower-cased, values verbatim), without `type`.
    pub attrs: BTreeMap<String, String>,
    /// The typed settings, with BuildKit's defaults.
    pub settings: Settings,
    /// What buildx adds to `attrs` from the environment before sending them
    /// (see [`CacheOptions::buildkit_attrs`]).
    pub from_env: BTreeMap<String, String>,
    /// Why buildx would drop this entry (a gha entry without token or URL),
    /// or `None` when it is sent.
    pub inactive_reason: Option<String>,
    /// Warnings: `UNKNOWN_OPTION` and `OPTION_IGNORED`, with the key.
    pub warnings: Vec<Error>,
}

impl CacheOptions {
    /// The attributes buildx sends to BuildKit: `attrs` plus what it takes
    /// from the environment.
    pub fn buildkit_attrs(&self) -> BTreeMap<String, String> {
        with_env(&self.attrs, &self.from_env)
    }

    /// Whether buildx sends this entry to BuildKit.
    pub fn is_active(&self) -> bool {
        self.inactive_reason.is_none()
    }

    /// The JSON buildx sends to BuildKit for this entry, `{"type", "attrs"}`
    /// (the gRPC `CacheOptionsEntry`), keys sorted.
    pub fn to_json(&self) -> String {
        sent_json(self.cache_type.as_str(), &self.buildkit_attrs())
    }

    /// The typed settings as JSON, for tools that want plain data, with keys
    /// in `case`.
    pub fn settings_json(&self, case: KeyCase) -> String {
        settings_json(&self.settings, case)
    }
}

/// `attrs` with what buildx adds from the environment.
fn with_env(
    attrs: &BTreeMap<String, String>,
    from_env: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut all = attrs.clone();
    all.extend(from_env.iter().map(|(k, v)| (k.clone(), v.clone())));
    all
}

/// Typed settings as JSON, keys in `case`.
fn settings_json(settings: &Settings, case: KeyCase) -> String {
    let value = serde_json::to_value(settings).unwrap_or_default();
    match case {
        KeyCase::Snake => value,
        KeyCase::Camel => camel_keys(value),
    }
    .to_string()
}

/// `value` with every object key in camelCase.
fn camel_keys(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| {
                let mut out = String::with_capacity(k.len());
                let mut upper = false;
                for c in k.chars() {
                    if c == '_' {
                        upper = true;
                    } else if upper {
                        out.extend(c.to_uppercase());
                        upper = false;
                    } else {
                        out.push(c);
                    }
                }
                (out, camel_keys(v))
            })
            .collect(),
        other => other,
    }
}

/// The canonical CSV form: `type=<t>` then the attributes sorted by key, each
/// `key=value` pair quoted when it must be, so that it parses back to the same
/// value. A registry entry with only a plain `ref` prints as the ref alone,
/// as buildx does.
impl fmt::Display for CacheOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&canonical(self.cache_type.as_str(), &self.attrs))
    }
}

fn canonical(cache_type: &str, attrs: &BTreeMap<String, String>) -> String {
    if cache_type == "registry"
        && attrs.len() == 1
        && let Some(r) = attrs.get("ref")
        && !r.is_empty()
        && !r.contains(['=', ',', '"', '\n', '\r'])
    {
        return r.clone();
    }
    let mut pairs = vec![format!("type={cache_type}")];
    pairs.extend(attrs.iter().map(|(k, v)| format!("{k}={v}")));
    let last = pairs.len() - 1;
    let quoted: Vec<_> = pairs
        .iter()
        .enumerate()
        .map(|(i, p)| quote_field(p, i == last))
        .collect();
    quoted.join(",")
}

/// `{"type", "attrs"}`, keys sorted: the gRPC `CacheOptionsEntry` buildx sends.
fn sent_json(cache_type: &str, attrs: &BTreeMap<String, String>) -> String {
    #[derive(Serialize)]
    struct Sent<'a> {
        #[serde(rename = "type")]
        cache_type: &'a str,
        attrs: &'a BTreeMap<String, String>,
    }
    serde_json::to_string(&Sent { cache_type, attrs }).unwrap_or_default()
}

/// Parse one `--cache-to`/`--cache-from` value into its entries (none for an
/// empty buildx value, several for `ref1,ref2`), typed and checked.
pub fn parse_cache_options(input: &str, options: &ParseOptions) -> Result<Vec<CacheOptions>> {
    entry::parse_entries(input, options.dialect, options.direction)?
        .into_iter()
        .map(|raw| {
            let cache_type = CacheType::parse(&raw.cache_type).ok_or_else(|| {
                Error::new(
                    ErrorKind::UnknownCacheType,
                    format!(
                        "unknown cache type {:?}: use registry, local, inline, gha, s3 or azblob",
                        raw.cache_type
                    ),
                )
                .in_field("type")
                .at_offset(raw.type_offset)
            })?;
            let (settings, warnings) = {
                let mut reader = attrs::Attrs::new(&raw, options.direction);
                let settings = backend::read(cache_type, &mut reader, options.direction)?;
                (settings, reader.finish(cache_type.as_str()))
            };
            let attrs = raw.into_values();
            let derived = env::derive(cache_type, &attrs, &options.env, options.dialect)?;
            Ok(CacheOptions {
                cache_type,
                attrs,
                settings,
                from_env: derived.added,
                inactive_reason: derived.inactive_reason,
                warnings,
            })
        })
        .collect()
}

/// [`parse_cache_options`] on bytes: invalid UTF-8 is `INVALID_CSV` at the
/// offset of the first bad byte.
pub fn parse_cache_options_bytes(
    input: &[u8],
    options: &ParseOptions,
) -> Result<Vec<CacheOptions>> {
    parse_cache_options(utf8(input)?, options)
}

/// [`parse_cache_entries`] on bytes: invalid UTF-8 is `INVALID_CSV` at the
/// offset of the first bad byte.
pub fn parse_cache_entries_bytes(
    input: &[u8],
    options: &ParseOptions,
) -> Result<Vec<CacheOptionsEntry>> {
    parse_cache_entries(utf8(input)?, options)
}

fn utf8(input: &[u8]) -> Result<&str> {
    std::str::from_utf8(input).map_err(|e| {
        Error::new(
            ErrorKind::InvalidCsv,
            "the option string is not valid UTF-8",
        )
        .at_offset(e.valid_up_to())
    })
}
