//! Property: for generated cache options, `parse(to_string(x)) == x`, and
//! `to_string` is stable.
use std::collections::BTreeMap;

use ocicache::{CacheOptions, ParseOptions, parse_cache_options};
use proptest::prelude::*;

/// Any text a value may hold: commas, quotes, `=`, newlines, spaces, unicode.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 ,\"=/:;._\\-\n\r\té€\u{1F600}]{0,12}").unwrap()
}

fn non_empty() -> impl Strategy<Value = String> {
    text().prop_filter("non-empty", |s| !s.is_empty())
}

/// Keys of options no backend knows (kept as they are, with a warning).
fn unknown_keys() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map("x-[a-z0-9._-]{0,6}", text(), 0..3)
}

fn common(attrs: BTreeMap<String, String>) -> impl Strategy<Value = BTreeMap<String, String>> {
    (
        prop::option::of(prop_oneof![Just("min"), Just("max")]),
        prop::option::of(prop_oneof![Just("true"), Just("0"), Just("False")]),
    )
        .prop_map(move |(mode, ignore)| {
            let mut attrs = attrs.clone();
            if let Some(m) = mode {
                attrs.insert("mode".into(), m.into());
            }
            if let Some(i) = ignore {
                attrs.insert("ignore-error".into(), i.into());
            }
            attrs
        })
}

/// A valid option string's parts: the type and its attributes.
fn entry() -> impl Strategy<Value = (String, BTreeMap<String, String>)> {
    let local = (
        non_empty(),
        prop::option::of(non_empty()),
        prop::option::of(prop_oneof![
            Just("gzip"),
            Just("zstd"),
            Just("estargz"),
            Just("uncompressed")
        ]),
        unknown_keys(),
    )
        .prop_flat_map(|(dest, tag, compression, mut attrs)| {
            attrs.insert("dest".into(), dest);
            if let Some(t) = tag {
                attrs.insert("tag".into(), t);
            }
            if let Some(c) = compression {
                attrs.insert("compression".into(), c.into());
            }
            common(attrs)
        })
        .prop_map(|a| ("local".to_owned(), a));
    let registry = (
        "[a-z0-9]{1,8}(/[a-z0-9]{1,8}){0,2}(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,8})?",
        unknown_keys(),
    )
        .prop_flat_map(|(reference, mut attrs)| {
            attrs.insert("ref".into(), reference);
            common(attrs)
        })
        .prop_map(|a| ("registry".to_owned(), a));
    let gha = (
        text(),
        text(),
        prop::option::of(non_empty()),
        unknown_keys(),
    )
        .prop_map(|(token, url, scope, mut attrs)| {
            attrs.insert("token".into(), token);
            attrs.insert("url".into(), url);
            if let Some(s) = scope {
                attrs.insert("scope".into(), s);
            }
            ("gha".to_owned(), attrs)
        });
    let s3 =
        (text(), text(), text(), unknown_keys()).prop_map(|(bucket, prefix, name, mut attrs)| {
            attrs.insert("bucket".into(), bucket);
            attrs.insert("prefix".into(), prefix);
            attrs.insert("name".into(), name);
            ("s3".to_owned(), attrs)
        });
    prop_oneof![local, registry, gha, s3]
}

fn parse_one(s: &str) -> CacheOptions {
    let mut all =
        parse_cache_options(s, &ParseOptions::default()).unwrap_or_else(|e| panic!("{s:?}: {e}"));
    assert_eq!(all.len(), 1, "{s:?}");
    all.remove(0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn parse_of_to_string_is_identity((cache_type, attrs) in entry()) {
        // Build the input from the parts, quoting every pair.
        let mut fields = vec![format!("type={cache_type}")];
        fields.extend(attrs.iter().map(|(k, v)| format!("\"{}\"", format!("{k}={v}").replace('"', "\"\""))));
        let x = parse_one(&fields.join(","));
        prop_assert_eq!(&x.attrs, &attrs);
        let s = x.to_string();
        let y = parse_one(&s);
        prop_assert_eq!(&y.cache_type, &x.cache_type);
        prop_assert_eq!(&y.attrs, &x.attrs);
        prop_assert_eq!(&y.settings, &x.settings);
        prop_assert_eq!(y.buildkit_attrs(), x.buildkit_attrs());
        prop_assert_eq!(y.to_string(), s);
    }
}
