//! The shared digest vectors of `tests/cases/digest/`, run against the core.
mod common;

use common::{input_bytes, load};
use ocicache::{Algorithm, Digest, Digester, ErrorKind, digest, verify};
use serde_json::Value;

fn check_error(name: &str, err: &ocicache::Error, expected: &Value) {
    assert_eq!(
        err.code(),
        expected["code"].as_str().unwrap(),
        "{name}: {err}"
    );
    if let Some(offset) = expected.get("offset") {
        assert_eq!(
            err.offset(),
            offset.as_u64().and_then(|o| usize::try_from(o).ok()),
            "{name}: {err}"
        );
    }
}

#[test]
fn parse_vectors() {
    let cases = load("cases/digest/parse.json");
    assert!(cases.as_array().unwrap().len() >= 30);
    for case in cases.as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        match (Digest::parse(input), case.get("error")) {
            (Ok(d), None) => {
                assert_eq!(
                    d.algorithm().as_str(),
                    case["expect"]["algorithm"],
                    "{name}"
                );
                assert_eq!(d.encoded(), case["expect"]["encoded"], "{name}");
                assert_eq!(d.to_string(), input, "{name}");
            }
            (Err(e), Some(expected)) => check_error(name, &e, expected),
            (result, _) => panic!("{name}: unexpected {result:?}"),
        }
    }
}

#[test]
fn compute_vectors() {
    for case in load("cases/digest/compute.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let algorithm = match (
            Algorithm::parse(case["algorithm"].as_str().unwrap()),
            case.get("error"),
        ) {
            (Ok(a), None) => a,
            (Err(e), Some(expected)) => {
                check_error(name, &e, expected);
                continue;
            }
            (result, _) => panic!("{name}: unexpected {result:?}"),
        };
        let bytes = input_bytes(&case["input"]);
        let expect = case["expect"].as_str().unwrap();
        assert_eq!(digest(&bytes, algorithm).as_str(), expect, "{name}");
        for chunk in case["chunks"].as_array().unwrap() {
            let mut d = Digester::new(algorithm);
            for part in bytes.chunks(usize::try_from(chunk.as_u64().unwrap()).unwrap()) {
                d.update(part);
            }
            assert_eq!(d.finalize().as_str(), expect, "{name} in chunks of {chunk}");
            assert_eq!(d.size(), bytes.len() as u64);
        }
    }
}

#[test]
fn verify_vectors() {
    for case in load("cases/digest/verify.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let bytes = input_bytes(&case["input"]);
        let result = Digest::parse(case["digest"].as_str().unwrap())
            .and_then(|d| verify(&bytes, &d, case["size"].as_u64()));
        match (result, case.get("error")) {
            (Ok(()), None) => {}
            (Err(e), Some(expected)) => check_error(name, &e, expected),
            (result, _) => panic!("{name}: unexpected {result:?}"),
        }
    }
}

#[test]
fn error_codes_match_the_golden_list() {
    let golden: Vec<String> = serde_json::from_value(load("error_codes.json")).unwrap();
    let ours: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(ours, golden);
}
