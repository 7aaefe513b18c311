//! Option strings parsed the way buildx (or buildctl) parses them and
//! nothing more: every value buildx accepts gives the entries it sends to
//! BuildKit, `{type, attrs}` verbatim, for tools that forward the strings.
//! What [`super::parse_cache_options`] would refuse — an unknown or
//! upper-case type (`TYPE=Local` keeps the type `Local`), a key with a space
//! (`type=local, src=x` has the key ` src`), a bad value, a reference that
//! does not parse (a lone space, buildctl's `a,b`) — is a warning with its
//! code instead. Only what buildx itself refuses stays an error: the CSV
//! (`INVALID_CSV`), a field without `=` (`INVALID_FIELD`), no type
//! (`MISSING_TYPE`), and buildctl's gha checks.
//!
//! Spec: `cache-options.md` §3 (buildx `ParseCacheEntry` validates no names
//! or values: "Nothing before stage 8 validates attribute names or values"),
//! §3.1 (buildctl), §4 (serialisations), §6 (environment).

use std::collections::BTreeMap;

use super::{
    CacheType, KeyCase, ParseOptions, Settings, attrs, backend, canonical, entry, env, sent_json,
    settings_json, with_env,
};
use crate::error::{Error, ErrorKind, Result};

/// One entry exactly as buildx (or buildctl) sends it to BuildKit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheOptionsEntry {
    /// The type, verbatim (`Local`, `foo` and `registry` alike).
    pub cache_type: String,
    /// The attributes as parsed (keys lower-cased, values verbatim), without `type`.
    pub attrs: BTreeMap<String, String>,
    /// The typed settings, when the type is one BuildKit has and every
    /// value checks out.
    pub settings: Option<Settings>,
    /// What buildx adds to `attrs` from the environment (gha and s3 only).
    pub from_env: BTreeMap<String, String>,
    /// Why buildx would drop this entry, or `None` when it is sent.
    pub inactive_reason: Option<String>,
    /// What the checked parse finds: its warnings, and the error it would
    /// have stopped at (`UNKNOWN_CACHE_TYPE`, `INVALID_OPTION_VALUE`, …).
    pub warnings: Vec<Error>,
}

impl CacheOptionsEntry {
    /// The attributes buildx sends to BuildKit: `attrs` plus what it takes
    /// from the environment.
    pub fn buildkit_attrs(&self) -> BTreeMap<String, String> {
        with_env(&self.attrs, &self.from_env)
    }

    /// Whether buildx sends this entry to BuildKit.
    pub fn is_active(&self) -> bool {
        self.inactive_reason.is_none()
    }

    /// What buildx sends to BuildKit: `{"type", "attrs"}`, keys sorted.
    pub fn to_json(&self) -> String {
        sent_json(&self.cache_type, &self.buildkit_attrs())
    }

    /// The typed settings as JSON with keys in `case`, when there are some.
    pub fn settings_json(&self, case: KeyCase) -> Option<String> {
        Some(settings_json(self.settings.as_ref()?, case))
    }
}

/// The canonical option string (buildx's `String()`), which parses back to
/// the same entry.
impl std::fmt::Display for CacheOptionsEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&canonical(&self.cache_type, &self.attrs))
    }
}

/// Parse one `--cache-to`/`--cache-from` value into the entries buildx (or
/// buildctl, by `options.dialect`) makes of it, checks turned to warnings.
pub fn parse_cache_entries(input: &str, options: &ParseOptions) -> Result<Vec<CacheOptionsEntry>> {
    entry::parse_entries(input, options.dialect, options.direction)?
        .into_iter()
        .map(|raw| {
            let mut warnings = Vec::new();
            let known = CacheType::parse(&raw.cache_type);
            let settings = match known {
                None => {
                    warnings.push(
                        Error::new(
                            ErrorKind::UnknownCacheType,
                            format!("BuildKit has no cache type {:?}", raw.cache_type),
                        )
                        .in_field("type")
                        .at_offset(raw.type_offset),
                    );
                    None
                }
                Some(t) => {
                    let mut reader = attrs::Attrs::new(&raw, options.direction);
                    match backend::read(t, &mut reader, options.direction) {
                        Ok(s) => {
                            warnings.extend(reader.finish(t.as_str()));
                            Some(s)
                        }
                        Err(e) => {
                            warnings.push(e);
                            None
                        }
                    }
                }
            };
            let cache_type = raw.cache_type.clone();
            let attrs = raw.into_values();
            let derived = match known {
                Some(t) => env::derive(t, &attrs, &options.env, options.dialect)?,
                None => env::Derived::default(),
            };
            Ok(CacheOptionsEntry {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Dialect;

    fn one(input: &str, options: &ParseOptions) -> CacheOptionsEntry {
        let mut all = parse_cache_entries(input, options).unwrap();
        assert_eq!(all.len(), 1, "{input}");
        all.remove(0)
    }

    fn codes(e: &CacheOptionsEntry) -> Vec<&str> {
        e.warnings.iter().map(Error::code).collect()
    }

    #[test]
    fn what_buildx_passes_on_verbatim() {
        let o = ParseOptions::default();
        let e = one("TYPE=Local,SRC=/a", &o);
        assert_eq!(
            (e.cache_type.as_str(), e.attrs["src"].as_str()),
            ("Local", "/a")
        );
        assert_eq!(codes(&e), ["UNKNOWN_CACHE_TYPE"]);
        assert_eq!(e.to_json(), r#"{"type":"Local","attrs":{"src":"/a"}}"#);
        let e = one("type=local, src=x", &o);
        assert_eq!(e.attrs[" src"], "x");
        assert!(e.settings.is_none() && !e.warnings.is_empty());
        assert_eq!(one("type=foo,bar=baz", &o).attrs["bar"], "baz");
        assert_eq!(one("type=local,=x,src=", &o).attrs[""], "x");
        let e = one("\" \"", &o);
        assert_eq!(
            (e.cache_type.as_str(), e.attrs["ref"].as_str()),
            ("registry", " ")
        );
        assert_eq!(codes(&e), ["INVALID_REFERENCE"]);
        let buildctl = ParseOptions {
            dialect: Dialect::Buildctl,
            ..ParseOptions::default()
        };
        assert_eq!(one("a,b", &buildctl).attrs["ref"], "a,b");
        // A valid string gives what the checked parse gives, and no warning.
        let e = one("type=registry,ref=ghcr.io/o/app:cache,mode=max", &o);
        assert!(e.settings.is_some() && e.warnings.is_empty());
    }

    #[test]
    fn what_buildx_refuses_stays_an_error() {
        let o = ParseOptions::default();
        for (input, code) in [
            ("a\"b", "INVALID_CSV"),
            ("ref1,type=local", "INVALID_FIELD"),
            ("test=test", "MISSING_TYPE"),
        ] {
            assert_eq!(
                parse_cache_entries(input, &o).unwrap_err().code(),
                code,
                "{input}"
            );
        }
    }

    #[test]
    fn the_string_parses_back_to_the_same_entry() {
        let o = ParseOptions::default();
        for input in [
            "TYPE=Local,SRC=/a",
            "type=local, src=x",
            "type=foo,bar=baz",
            "type=local,=x,src=",
            "\" \"",
            "type=local,\"src=a,b\"",
        ] {
            let e = one(input, &o);
            assert_eq!(one(&e.to_string(), &o), e, "{input} -> {e}");
        }
    }
}
