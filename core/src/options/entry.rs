//! From one raw `--cache-to`/`--cache-from` value to entries `{type, attrs}`.
//!
//! Spec: `cache-options.md` §3 (buildx `ParseCacheEntry`, v0.36) and §3.1
//! (buildctl). buildx: an empty value gives nothing; a value without any `=`
//! is the registry shorthand, one entry per CSV field, each field re-parsed
//! on its own; otherwise every field is `key=value` split at the first `=`,
//! keys lower-cased, values verbatim, the last duplicate winning. buildctl:
//! a value without the substring `type=` is one registry ref, commas and
//! all; exports get `mode=min` when they have no `mode`.

use std::collections::BTreeMap;

use super::value::{go_lowercase, go_quote};
use super::{Dialect, Direction};
use crate::csv::split_csv;
use crate::error::{Error, ErrorKind, Result};

/// One entry as parsed, before typing: the type and the attributes, each
/// value with the offset where it started in the input (for errors about it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawEntry {
    pub cache_type: String,
    pub type_offset: usize,
    pub attrs: BTreeMap<String, (String, usize)>,
}

impl RawEntry {
    fn registry(reference: &str, offset: usize) -> RawEntry {
        RawEntry {
            cache_type: "registry".to_owned(),
            type_offset: offset,
            attrs: BTreeMap::from([("ref".to_owned(), (reference.to_owned(), offset))]),
        }
    }

    /// The attributes without their offsets.
    pub fn into_values(self) -> BTreeMap<String, String> {
        self.attrs.into_iter().map(|(k, (v, _))| (k, v)).collect()
    }
}

/// The entries of one raw value.
pub(crate) fn parse_entries(
    input: &str,
    dialect: Dialect,
    direction: Option<Direction>,
) -> Result<Vec<RawEntry>> {
    match dialect {
        Dialect::Buildx => buildx(input),
        Dialect::Buildctl => buildctl(input, direction).map(|e| vec![e]),
    }
}

fn buildx(input: &str) -> Result<Vec<RawEntry>> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    if !input.contains('=') {
        // Shorthand: every field is re-parsed as a value of its own.
        return split_csv(input)?
            .iter()
            .map(|field| {
                key_values(&field.text, field.offset, |_| {
                    missing_type_buildx(&field.text)
                })
            })
            .collect();
    }
    key_values(input, 0, |_| missing_type_buildx(input)).map(|e| vec![e])
}

fn missing_type_buildx(raw: &str) -> Error {
    Error::new(
        ErrorKind::MissingType,
        format!("type required for {}", go_quote(raw)),
    )
    .in_field("type")
    .at_offset(0)
}

fn buildctl(input: &str, direction: Option<Direction>) -> Result<RawEntry> {
    let mut entry = if input.contains("type=") {
        let flag = match direction {
            Some(Direction::Export) => "--export-cache ",
            Some(Direction::Import) => "--import-cache ",
            None => "",
        };
        let missing = |_: &str| {
            Error::new(
                ErrorKind::MissingType,
                format!("{flag}requires type=<type>"),
            )
            .in_field("type")
            .at_offset(0)
        };
        key_values(input, 0, missing)?
    } else {
        RawEntry::registry(input, 0)
    };
    if direction == Some(Direction::Export) && !entry.attrs.contains_key("mode") {
        entry.attrs.insert("mode".to_owned(), ("min".to_owned(), 0));
    }
    Ok(entry)
}

/// The `key=value` form of one value starting at `base` in the input.
/// `missing_type` makes the error for a value without a type.
fn key_values(text: &str, base: usize, missing_type: impl Fn(&str) -> Error) -> Result<RawEntry> {
    let fields = split_csv(text).map_err(|e| shift(e, base))?;
    if let [only] = fields.as_slice()
        && !only.text.contains('=')
    {
        return Ok(RawEntry::registry(&only.text, base + only.offset));
    }
    let mut entry = RawEntry {
        cache_type: String::new(),
        type_offset: base,
        attrs: BTreeMap::new(),
    };
    for field in &fields {
        let at = base + field.offset;
        let Some(eq) = field.text.bytes().position(|b| b == b'=') else {
            return Err(Error::new(
                ErrorKind::InvalidField,
                format!("invalid value {}", field.text),
            )
            .at_offset(at));
        };
        let (key, value) = (&field.text[..eq], &field.text[eq + 1..]);
        // The value's offset: exact for unquoted fields, the field's for quoted ones.
        let value_at = if field.quoted { at } else { at + key.len() + 1 };
        let key = go_lowercase(key);
        if key == "type" {
            value.clone_into(&mut entry.cache_type);
            entry.type_offset = value_at;
        } else {
            entry.attrs.insert(key, (value.to_owned(), value_at));
        }
    }
    if entry.cache_type.is_empty() {
        return Err(missing_type(text));
    }
    Ok(entry)
}

fn shift(err: Error, base: usize) -> Error {
    match err.offset() {
        Some(o) if base > 0 => err.at_offset(o + base),
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &str) -> RawEntry {
        let mut all = buildx(input).unwrap();
        assert_eq!(all.len(), 1, "{input}");
        all.remove(0)
    }

    fn fail(input: &str) -> Error {
        buildx(input).unwrap_err()
    }

    #[test]
    fn key_value_form() {
        let e = one("type=local,SRC=a=b,src=c, dest=x");
        assert_eq!(e.cache_type, "local");
        assert_eq!(e.attrs["src"], ("c".to_owned(), 23));
        assert_eq!(e.attrs[" dest"].0, "x");
        assert_eq!(one("type=local,=x").attrs[""].0, "x");
        assert_eq!(one("type=a,type=registry").cache_type, "registry");
    }

    #[test]
    fn shorthand() {
        assert!(buildx("").unwrap().is_empty());
        assert_eq!(one("user/app:cache").attrs["ref"].0, "user/app:cache");
        assert_eq!(one("user/app:cache\n").attrs["ref"].0, "user/app:cache");
        assert_eq!(one("\" \"").attrs["ref"].0, " ");
        let two = buildx("a,b").unwrap();
        assert_eq!(
            (
                two[0].attrs["ref"].0.as_str(),
                two[1].attrs["ref"].0.as_str()
            ),
            ("a", "b")
        );
        assert_eq!(two[1].attrs["ref"], ("b".to_owned(), 2));
        assert_eq!(fail("ref1,").kind(), ErrorKind::InvalidCsv);
        assert_eq!(fail("\"a,b\"").message(), "invalid value a");
        assert_eq!(fail("\n").kind(), ErrorKind::InvalidCsv);
    }

    #[test]
    fn errors() {
        assert_eq!(fail("ref1,type=local").message(), "invalid value ref1");
        assert_eq!(fail("type=local,,src=x").message(), "invalid value ");
        assert_eq!(fail("type=local,,src=x").offset(), Some(11));
        assert_eq!(
            fail("test=test").message(),
            "type required for \"test=test\""
        );
        assert_eq!(fail("type=").message(), "type required for \"type=\"");
        assert_eq!(
            fail("\"a=b\"").message(),
            "type required for \"\\\"a=b\\\"\""
        );
    }

    #[test]
    fn buildctl_dialect() {
        let e = parse_entries("a,b", Dialect::Buildctl, Some(Direction::Export)).unwrap();
        assert_eq!(e[0].attrs["ref"].0, "a,b");
        assert_eq!(e[0].attrs["mode"].0, "min");
        let e = parse_entries(
            "type=local,src=x",
            Dialect::Buildctl,
            Some(Direction::Import),
        )
        .unwrap();
        assert!(!e[0].attrs.contains_key("mode"));
        let err =
            parse_entries("xtype=local", Dialect::Buildctl, Some(Direction::Import)).unwrap_err();
        assert_eq!(err.message(), "--import-cache requires type=<type>");
    }
}
