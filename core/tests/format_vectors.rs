//! The shared format vectors of `tests/cases/{cache_config,manifest,layout}`
//! (also run by the Node, WASM and Python suites).

mod common;

use std::collections::HashSet;

use ocicache::{
    Algorithm, CacheConfig, CacheForm, CacheManifest, Descriptor, Digest, Error, Finding,
    ImageIndex, OciLayout, ValidateOptions, digest,
};
use serde_json::Value;

fn check_error(name: &str, err: &Error, want: &Value) {
    assert_eq!(err.code(), want["code"].as_str().unwrap(), "{name}: {err}");
    if let Some(field) = want.get("field") {
        assert_eq!(err.field(), field.as_str(), "{name}: {err}");
    }
}

fn check_findings(name: &str, got: &[Finding], want: &Value) {
    let got: Vec<(String, String)> = got
        .iter()
        .map(|f| (f.code().to_owned(), f.path.clone()))
        .collect();
    let want: Vec<(String, String)> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(got, want, "{name}");
}

#[test]
fn cache_config_vectors() {
    let cases = common::load("cases/cache_config/cases.json");
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let input = common::input_bytes(&case["input"]);
        let options = &case["options"];
        let max = options["maxSize"]
            .as_u64()
            .unwrap_or(ocicache::DEFAULT_MAX_DOCUMENT_SIZE);
        let parsed = CacheConfig::from_bytes_with_limit(&input, max);
        if let Some(want) = case.get("error") {
            check_error(name, &parsed.unwrap_err(), want);
            continue;
        }
        let mut config = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
        if options["normalize"].as_bool() == Some(true) {
            config.normalize().unwrap();
        }
        let expect = &case["expect"];
        let bytes = config.to_bytes();
        let want = expect
            .get("bytes")
            .and_then(Value::as_str)
            .map_or(input.clone(), |s| s.as_bytes().to_vec());
        assert!(
            bytes == want,
            "{name}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
        );
        assert_eq!(
            CacheConfig::from_bytes(&bytes).unwrap(),
            config,
            "{name}: re-read"
        );
        if let Some(d) = expect.get("digest") {
            assert_eq!(
                digest(&bytes, Algorithm::Sha256).as_str(),
                d.as_str().unwrap(),
                "{name}"
            );
        }
        let blobs: Option<HashSet<Digest>> = options["blobs"].as_array().map(|b| {
            b.iter()
                .map(|d| Digest::parse(d.as_str().unwrap()).unwrap())
                .collect()
        });
        let findings = config.validate_with(&ValidateOptions {
            blobs: blobs.as_ref(),
            require_annotations: options["requireAnnotations"].as_bool() == Some(true),
        });
        check_findings(name, &findings, &expect["findings"]);
        if let Some(n) = expect.get("records") {
            assert_eq!(config.records.len() as u64, n.as_u64().unwrap(), "{name}");
            assert_eq!(
                config.layers.len() as u64,
                expect["layers"].as_u64().unwrap(),
                "{name}"
            );
        }
    }
}

#[test]
fn manifest_vectors() {
    let cases = common::load("cases/manifest/cases.json");
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let input = common::input_bytes(&case["input"]);
        let parsed = CacheManifest::from_bytes(&input);
        if let Some(want) = case.get("error") {
            check_error(name, &parsed.unwrap_err(), want);
            continue;
        }
        let m = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expect = &case["expect"];
        assert_eq!(m.to_bytes(), input, "{name}");
        assert_eq!(
            m.form().as_str(),
            expect["form"].as_str().unwrap(),
            "{name}"
        );
        check_findings(name, &m.validate(), &expect["findings"]);
        if let Some(c) = expect.get("config") {
            assert_eq!(m.config().digest.as_str(), c.as_str().unwrap(), "{name}");
        }
        if let Some(layers) = expect.get("layers") {
            let got: Vec<&str> = m.layers().map(|d| d.digest.as_str()).collect();
            let want: Vec<&str> = layers
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(got, want, "{name}");
        }
        for (form, bytes) in expect
            .get("convert")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let converted = m.convert(CacheForm::parse(form).unwrap());
            assert_eq!(
                String::from_utf8(converted.to_bytes()).unwrap(),
                bytes.as_str().unwrap(),
                "{name}: to {form}"
            );
        }
    }
}

#[test]
fn layout_vectors() {
    let cases = common::load("cases/layout/cases.json");
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let result: Result<Value, Error> = match case["op"].as_str().unwrap() {
            "putTag" => {
                let desc =
                    Descriptor::from_bytes(case["descriptor"].to_string().as_bytes()).unwrap();
                let current = case["current"].as_str().map(str::as_bytes);
                ImageIndex::updated_layout_index(current, case["tag"].as_str().unwrap(), &desc)
                    .map(|b| Value::String(String::from_utf8(b).unwrap()))
            }
            "findTag" => ImageIndex::from_bytes(case["current"].as_str().unwrap().as_bytes())
                .and_then(|i| {
                    i.find_tag(case["tag"].as_str().unwrap())
                        .map(|d| Value::String(d.digest.to_string()))
                }),
            "blobPath" => Ok(Value::String(OciLayout::blob_path(
                &Digest::parse(case["digest"].as_str().unwrap()).unwrap(),
            ))),
            "digestFromPath" => OciLayout::digest_from_path(case["path"].as_str().unwrap())
                .map(|d| Value::String(d.to_string())),
            "checkFile" => OciLayout::check_file(case["content"].as_str().unwrap().as_bytes())
                .map(|()| Value::Bool(true)),
            op => panic!("{name}: unknown op {op}"),
        };
        match case.get("error") {
            Some(want) => check_error(name, &result.unwrap_err(), want),
            None => assert_eq!(
                result.unwrap_or_else(|e| panic!("{name}: {e}")),
                case["expect"],
                "{name}"
            ),
        }
    }
}

#[test]
fn inline_vectors() {
    let cases = common::load("cases/inline/cases.json");
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let manifest =
            ocicache::ImageManifest::from_bytes(case["manifest"].as_str().unwrap().as_bytes())
                .unwrap();
        let found =
            ocicache::inline_cache(&manifest, case["imageConfig"].as_str().unwrap().as_bytes());
        if let Some(want) = case.get("error") {
            check_error(name, &found.unwrap_err(), want);
            continue;
        }
        let found = found.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expect = &case["expect"];
        if expect.is_null() {
            assert!(found.is_none(), "{name}");
            continue;
        }
        let c = found.unwrap();
        assert_eq!(
            String::from_utf8(c.config.records_to_bytes()).unwrap(),
            expect["records"].as_str().unwrap(),
            "{name}"
        );
        let parents: Vec<i64> = c.config.layers.iter().map(|l| l.parent).collect();
        let want: Vec<i64> = expect["parents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(parents, want, "{name}");
        for (d, want) in c
            .layers
            .iter()
            .zip(expect["annotations"].as_array().unwrap())
        {
            assert_eq!(
                serde_json::to_value(&d.annotations).unwrap(),
                *want,
                "{name}"
            );
        }
        check_findings(name, &c.config.validate(), &expect["findings"]);
    }
}
