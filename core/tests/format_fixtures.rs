//! Every real BuildKit export in `tests/fixtures/buildkit`: index.json, each
//! reachable manifest and each cache config parse, re-serialise to the same
//! bytes (hence the same digest) and validate with zero findings; `twice`
//! reaches exactly the 9 blobs its case.json marks reachable.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ocicache::{CacheConfig, CacheManifest, Digest, ImageIndex, OciLayout, Reachability};

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn layouts() -> Vec<(String, PathBuf)> {
    let root = common::tests_dir().join("fixtures/buildkit");
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("cache/index.json").exists())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                p.join("cache"),
            )
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 7, "{out:?}");
    out
}

/// Checks one cache manifest and its config; returns the blobs it names.
fn check_cache(
    name: &str,
    blob: impl Fn(&Digest) -> Vec<u8>,
    manifest_bytes: &[u8],
) -> Vec<Digest> {
    let m = CacheManifest::from_bytes(manifest_bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(m.to_bytes(), manifest_bytes, "{name}: manifest bytes");
    assert!(m.validate().is_empty(), "{name}: {:?}", m.validate());
    let config_bytes = blob(&m.config().digest);
    ocicache::verify(&config_bytes, &m.config().digest, Some(m.config().size)).unwrap();
    let config = CacheConfig::from_bytes(&config_bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(config.to_bytes(), config_bytes, "{name}: config bytes");
    assert_eq!(m.validate_with_config(&config), [], "{name}");
    assert_eq!(
        config.normalized().unwrap(),
        config,
        "{name}: BuildKit's output is already normalised"
    );
    let rebuilt = CacheManifest::build(m.form(), m.config().clone(), m.layers().cloned().collect());
    assert_eq!(
        rebuilt.to_bytes(),
        manifest_bytes,
        "{name}: built like BuildKit"
    );
    for i in 0..config.records.len() {
        config.result_chains(i).unwrap();
    }
    let mut named: Vec<Digest> = m.layers().map(|d| d.digest.clone()).collect();
    named.push(m.config().digest.clone());
    named
}

#[test]
fn every_local_export_round_trips_and_validates() {
    for (name, dir) in layouts() {
        OciLayout::check_file(&read(&dir.join("oci-layout"))).unwrap();
        let index_bytes = read(&dir.join("index.json"));
        let index = ImageIndex::from_bytes(&index_bytes).unwrap();
        assert_eq!(index.to_bytes(), index_bytes, "{name}: index.json bytes");
        assert!(
            index.validate().is_empty(),
            "{name}: {:?}",
            index.validate()
        );
        let entry = index.find_tag("latest").unwrap();
        let blob = |d: &Digest| read(&dir.join(OciLayout::blob_path(d)));
        let manifest_bytes = blob(&entry.digest);
        let named = check_cache(&name, blob, &manifest_bytes);
        for d in named {
            assert!(
                dir.join(OciLayout::blob_path(&d)).exists(),
                "{name}: {d} is missing"
            );
        }
        // The updated index.json BuildKit's client would write for the same
        // export is the file itself.
        let again = ImageIndex::updated_layout_index(Some(&index_bytes), "latest", entry).unwrap();
        assert_eq!(again, index_bytes, "{name}: put_tag is idempotent");
    }
}

#[test]
fn the_registry_export_round_trips_and_validates() {
    let dir = common::tests_dir().join("fixtures/buildkit/registry-image-manifest");
    let manifest = read(&dir.join("manifest.json"));
    let config = read(&dir.join("config.json"));
    let blob = |d: &Digest| {
        let p = dir.join(OciLayout::blob_path(d));
        if p.exists() { read(&p) } else { config.clone() }
    };
    check_cache("registry-image-manifest", blob, &manifest);
}

#[test]
fn twice_reaches_exactly_nine_of_sixteen_blobs() {
    let dir = common::tests_dir().join("fixtures/buildkit/twice");
    let case = common::load("fixtures/buildkit/twice/case.json");
    let expected: BTreeSet<String> = case["blobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["reachable_from_index_json"].as_bool().unwrap())
        .map(|b| b["digest"].as_str().unwrap().to_owned())
        .collect();
    let all = std::fs::read_dir(dir.join("cache/blobs/sha256"))
        .unwrap()
        .count();
    assert_eq!((expected.len(), all), (9, 16));
    let index = ImageIndex::from_bytes(&read(&dir.join("cache/index.json"))).unwrap();
    let mut walk = Reachability::new(&index, None);
    while let Some(d) = walk.next_needed() {
        walk.feed(
            &d.digest,
            &read(&dir.join("cache").join(OciLayout::blob_path(&d.digest))),
        )
        .unwrap();
    }
    let reached: BTreeSet<String> = walk.reachable().iter().map(ToString::to_string).collect();
    assert_eq!(reached, expected);
    assert!(walk.missing_documents().is_empty());
    // Only the kept tag counts.
    assert!(
        Reachability::new(&index, Some(&["other"]))
            .reachable()
            .is_empty()
    );
}
