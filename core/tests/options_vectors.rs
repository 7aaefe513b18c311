//! The shared option vectors of `tests/cases/options/`, run against the core;
//! every parsed entry must also survive `parse(to_string(x)) == x`.
mod common;

use std::collections::BTreeMap;

use common::load;
use ocicache::{
    CacheOptions, Dialect, Direction, KeyCase, ParseOptions, parse_cache_entries,
    parse_cache_options,
};
use serde_json::Value;

fn options(case: &Value) -> ParseOptions {
    let o = &case["options"];
    ParseOptions {
        dialect: match o["dialect"].as_str() {
            Some("buildctl") => Dialect::Buildctl,
            _ => Dialect::Buildx,
        },
        direction: match o["direction"].as_str() {
            Some("export") => Some(Direction::Export),
            Some("import") => Some(Direction::Import),
            _ => None,
        },
        env: serde_json::from_value(o.get("env").cloned().unwrap_or(Value::Null))
            .unwrap_or_default(),
    }
}

/// Whether `actual` has every key and value of `expected` (recursively for objects).
fn subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| subset(v, av))),
        _ => expected == actual,
    }
}

fn check_entry(name: &str, got: &CacheOptions, want: &Value) {
    assert_eq!(got.cache_type.as_str(), want["type"], "{name}: type");
    let attrs: BTreeMap<String, String> = serde_json::from_value(want["attrs"].clone()).unwrap();
    assert_eq!(got.attrs, attrs, "{name}: attrs");
    if let Some(s) = want.get("settings") {
        let actual: Value = serde_json::from_str(&got.settings_json(KeyCase::Snake)).unwrap();
        assert!(subset(s, &actual), "{name}: settings {actual} lack {s}");
    }
    if let Some(b) = want.get("buildkit_attrs") {
        let b: BTreeMap<String, String> = serde_json::from_value(b.clone()).unwrap();
        assert_eq!(got.buildkit_attrs(), b, "{name}: buildkit_attrs");
    }
    if let Some(active) = want.get("active") {
        assert_eq!(Value::Bool(got.is_active()), *active, "{name}: active");
    }
    if let Some(w) = want.get("warnings") {
        let warnings: Vec<String> = got
            .warnings
            .iter()
            .map(|w| format!("{}:{}", w.code(), w.field().unwrap_or("")))
            .collect();
        assert_eq!(Value::from(warnings), *w, "{name}: warnings");
    }
    if let Some(s) = want.get("string") {
        assert_eq!(got.to_string(), s.as_str().unwrap(), "{name}: string");
    }
    if let Some(j) = want.get("json") {
        assert_eq!(got.to_json(), j.as_str().unwrap(), "{name}: json");
    }
}

#[test]
fn option_vectors() {
    let dir = common::tests_dir().join("cases/options");
    let mut count = 0;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let rel = format!(
            "cases/options/{}",
            file.file_name().unwrap().to_str().unwrap()
        );
        for case in load(&rel).as_array().unwrap() {
            count += 1;
            let name = format!("{rel}: {}", case["name"].as_str().unwrap());
            let opts = options(case);
            let result = parse_cache_options(case["input"].as_str().unwrap(), &opts);
            match (result, case.get("error")) {
                (Err(e), Some(want)) => {
                    assert_eq!(e.code(), want["code"], "{name}: {e}");
                    if let Some(o) = want.get("offset") {
                        assert_eq!(
                            e.offset().map(|o| o as u64),
                            o.as_u64(),
                            "{name}: offset ({e})"
                        );
                    }
                    if let Some(f) = want.get("field") {
                        assert_eq!(e.field(), f.as_str(), "{name}: field ({e})");
                    }
                    if let Some(m) = want.get("message") {
                        assert_eq!(e.message(), m.as_str().unwrap(), "{name}: message");
                    }
                }
                (Ok(entries), None) => {
                    let want = case["expect"].as_array().unwrap();
                    assert_eq!(entries.len(), want.len(), "{name}: entries");
                    for (got, want) in entries.iter().zip(want) {
                        check_entry(&name, got, want);
                        if opts.dialect == Dialect::Buildx {
                            let again = parse_cache_options(&got.to_string(), &opts).unwrap();
                            assert_eq!(again.len(), 1, "{name}: round trip of {got}");
                            assert_eq!(
                                (again[0].cache_type, &again[0].attrs),
                                (got.cache_type, &got.attrs),
                                "{name}: round trip"
                            );
                        }
                    }
                }
                (result, _) => panic!("{name}: unexpected {result:?}"),
            }
        }
    }
    assert!(count >= 150, "only {count} option vectors");
}

/// The unchecked parse on every option vector: the same entries where the
/// checked parse gives some; where it refuses a value buildx accepts, the
/// entries and that refusal as a warning; where buildx itself refuses (the
/// CSV, a field without `=`, no type, buildctl's gha checks), the same error.
#[test]
fn unchecked_entries_of_every_option_vector() {
    let dir = common::tests_dir().join("cases/options");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut same, mut warned) = (0, 0);
    for file in files {
        let rel = format!(
            "cases/options/{}",
            file.file_name().unwrap().to_str().unwrap()
        );
        for case in load(&rel).as_array().unwrap() {
            let name = format!("{rel}: {}", case["name"].as_str().unwrap());
            let (input, opts) = (case["input"].as_str().unwrap(), options(case));
            let unchecked = parse_cache_entries(input, &opts);
            match parse_cache_options(input, &opts) {
                Ok(checked) => {
                    let entries = unchecked.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(entries.len(), checked.len(), "{name}");
                    for (u, c) in entries.iter().zip(&checked) {
                        assert_eq!(
                            (u.cache_type.as_str(), &u.attrs),
                            (c.cache_type.as_str(), &c.attrs),
                            "{name}"
                        );
                        assert_eq!(
                            (u.to_json(), u.to_string()),
                            (c.to_json(), c.to_string()),
                            "{name}"
                        );
                        assert_eq!(u.warnings, c.warnings, "{name}");
                    }
                    same += 1;
                }
                Err(e)
                    if ["INVALID_CSV", "INVALID_FIELD", "MISSING_TYPE"].contains(&e.code())
                        || unchecked.is_err() =>
                {
                    assert_eq!(unchecked.unwrap_err(), e, "{name}: buildx refuses it too");
                }
                Err(e) => {
                    let entries = unchecked.unwrap();
                    let codes: Vec<&str> = entries
                        .iter()
                        .flat_map(|x| x.warnings.iter().map(ocicache::Error::code))
                        .collect();
                    assert!(
                        codes.contains(&e.code()),
                        "{name}: {} not among the warnings {codes:?}",
                        e.code()
                    );
                    for x in &entries {
                        let again = parse_cache_entries(
                            &x.to_string(),
                            &ParseOptions {
                                dialect: Dialect::Buildx,
                                ..opts.clone()
                            },
                        );
                        if opts.dialect == Dialect::Buildx {
                            let again = again.unwrap();
                            assert_eq!(
                                (again[0].cache_type.as_str(), &again[0].attrs),
                                (x.cache_type.as_str(), &x.attrs),
                                "{name}: round trip"
                            );
                        }
                    }
                    warned += 1;
                }
            }
        }
    }
    assert!(
        same >= 100 && warned >= 30,
        "{same} same, {warned} as warnings"
    );
}

/// The shared vectors of the unchecked parse (`tests/cases/entries/`).
#[test]
fn entries_vectors() {
    let cases = load("cases/entries/cases.json");
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let result = parse_cache_entries(case["input"].as_str().unwrap(), &options(case));
        if let Some(want) = case.get("error") {
            assert_eq!(result.unwrap_err().code(), want["code"], "{name}");
            continue;
        }
        let got = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = case["expect"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{name}: entries");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.cache_type, w["type"].as_str().unwrap(), "{name}: type");
            let attrs: BTreeMap<String, String> =
                serde_json::from_value(w["attrs"].clone()).unwrap();
            assert_eq!(g.attrs, attrs, "{name}: attrs");
            match w.get("settings") {
                Some(Value::Null) => assert!(g.settings.is_none(), "{name}: settings"),
                Some(s) => {
                    let actual: Value =
                        serde_json::from_str(&g.settings_json(KeyCase::Snake).unwrap()).unwrap();
                    assert!(subset(s, &actual), "{name}: settings {actual} lack {s}");
                }
                None => {}
            }
            if let Some(b) = w.get("buildkit_attrs") {
                let b: BTreeMap<String, String> = serde_json::from_value(b.clone()).unwrap();
                assert_eq!(g.buildkit_attrs(), b, "{name}: buildkit_attrs");
            }
            if let Some(active) = w.get("active") {
                assert_eq!(Value::Bool(g.is_active()), *active, "{name}: active");
            }
            let warnings: Vec<String> = g
                .warnings
                .iter()
                .map(|x| format!("{}:{}", x.code(), x.field().unwrap_or("")))
                .collect();
            assert_eq!(Value::from(warnings), w["warnings"], "{name}: warnings");
            if let Some(s) = w.get("string") {
                assert_eq!(g.to_string(), s.as_str().unwrap(), "{name}: string");
            }
            if let Some(j) = w.get("json") {
                assert_eq!(g.to_json(), j.as_str().unwrap(), "{name}: json");
            }
            let again = parse_cache_entries(&g.to_string(), &options(case)).unwrap();
            if options(case).dialect == Dialect::Buildx {
                assert_eq!(
                    (&again[0].cache_type, &again[0].attrs),
                    (&g.cache_type, &g.attrs),
                    "{name}: round trip"
                );
            }
        }
    }
}
