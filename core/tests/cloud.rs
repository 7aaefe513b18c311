//! The cloud form (gha, s3, azblob) against a real capture: one BuildKit
//! v0.32.2 build exported both `type=s3` (`moto_server`) and `type=local`
//! (`tests/fixtures/cloud/s3-small-max`, by `tests/buildkit/capture_s3.py`).
//! Each form converts into the other byte for byte.

mod common;

use std::path::PathBuf;

use ocicache::{CacheConfig, CacheManifest, ErrorKind, ImageIndex, cloud_config, cloud_documents};

fn fixture() -> PathBuf {
    common::tests_dir().join("fixtures/cloud/s3-small-max")
}

fn blob(digest: &str) -> Vec<u8> {
    let (alg, hex) = digest.split_once(':').unwrap();
    std::fs::read(fixture().join("cache/blobs").join(alg).join(hex)).unwrap()
}

/// The local export's manifest and config bytes, and the s3 export's config.
fn forms() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let index = ImageIndex::from_bytes(&std::fs::read(fixture().join("cache/index.json")).unwrap())
        .unwrap();
    let manifest = blob(index.manifests[0].digest.as_ref());
    let config = blob(
        CacheManifest::from_bytes(&manifest)
            .unwrap()
            .config()
            .digest
            .as_ref(),
    );
    let cloud = std::fs::read(fixture().join("bucket/manifests/small")).unwrap();
    (manifest, config, cloud)
}

#[test]
fn a_local_export_becomes_the_s3_export_of_the_same_build() {
    let (manifest, config, cloud) = forms();
    let made = cloud_config(
        &CacheManifest::from_bytes(&manifest).unwrap(),
        &CacheConfig::from_bytes(&config).unwrap(),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(made.to_bytes()).unwrap(),
        String::from_utf8(cloud).unwrap()
    );
}

#[test]
fn an_s3_export_becomes_the_local_export_of_the_same_build() {
    let (manifest, config, cloud) = forms();
    let docs = cloud_documents(&CacheConfig::from_bytes(&cloud).unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(docs.config).unwrap(),
        String::from_utf8(config).unwrap()
    );
    assert_eq!(
        String::from_utf8(docs.manifest).unwrap(),
        String::from_utf8(manifest).unwrap()
    );
}

#[test]
fn every_blob_the_cloud_config_names_is_in_the_bucket() {
    let (_, _, cloud) = forms();
    let config = CacheConfig::from_bytes(&cloud).unwrap();
    for layer in &config.layers {
        let blob = layer.blob.as_ref().unwrap();
        let bytes = std::fs::read(fixture().join("bucket/blobs").join(blob.to_string())).unwrap();
        ocicache::verify(&bytes, blob, Some(layer.annotations.as_ref().unwrap().size)).unwrap();
    }
}

#[test]
fn what_buildkit_refuses_is_refused_with_a_code() {
    let (manifest, config, cloud) = forms();
    let mut bare = CacheConfig::from_bytes(&cloud).unwrap();
    bare.layers[1].annotations = None;
    let e = cloud_documents(&bare).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingDiffId);
    assert!(e.to_string().contains("missing annotations"), "{e}");
    assert_eq!(
        e.location().and_then(|l| l.field.as_deref()),
        Some("layers[1]")
    );
    let mut no_diff = CacheConfig::from_bytes(&cloud).unwrap();
    no_diff.layers[0].annotations.as_mut().unwrap().diff_id = None;
    assert_eq!(
        cloud_documents(&no_diff).unwrap_err().kind(),
        ErrorKind::MissingDiffId
    );

    // A manifest layer without its diffID, and a config layer the manifest lacks.
    let text = String::from_utf8(manifest).unwrap();
    let stripped = text.replacen("\"containerd.io/uncompressed\"", "\"x\"", 1);
    let e = cloud_config(
        &CacheManifest::from_bytes(stripped.as_bytes()).unwrap(),
        &CacheConfig::from_bytes(&config).unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingDiffId);
    let mut extra = CacheConfig::from_bytes(&config).unwrap();
    let mut layer = extra.layers[0].clone();
    layer.blob = Some(ocicache::digest(b"not there", ocicache::Algorithm::Sha256));
    extra.layers.push(layer);
    let e = cloud_config(&CacheManifest::from_bytes(text.as_bytes()).unwrap(), &extra).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MissingBlob);
}

#[test]
fn created_at_goes_to_utc_and_a_missing_one_is_go_zero_time() {
    let (manifest, config, _) = forms();
    let text = String::from_utf8(manifest).unwrap();
    // Every createdat of the capture ends in Z; give the first an offset.
    let at = text.find("\"buildkit/createdat\":\"").unwrap() + 22;
    let end = at + text[at..].find('"').unwrap();
    let shifted = format!(
        "{}{}{}",
        &text[..at],
        "2026-12-02T18:00:00.5+01:00",
        &text[end..]
    );
    let made = cloud_config(
        &CacheManifest::from_bytes(shifted.as_bytes()).unwrap(),
        &CacheConfig::from_bytes(&config).unwrap(),
    )
    .unwrap();
    let written: Vec<String> = made
        .layers
        .iter()
        .map(|l| l.annotations.as_ref().unwrap().created_at.to_string())
        .collect();
    assert!(
        written.contains(&"2026-12-02T17:00:00.5Z".to_owned()),
        "{written:?}"
    );
    let none = text.replace("\"buildkit/createdat\"", "\"y\"");
    let made = cloud_config(
        &CacheManifest::from_bytes(none.as_bytes()).unwrap(),
        &CacheConfig::from_bytes(&config).unwrap(),
    )
    .unwrap();
    assert!(
        String::from_utf8(made.to_bytes())
            .unwrap()
            .contains("\"createdAt\":\"0001-01-01T00:00:00Z\"")
    );
    // And back: a zero createdAt gives no buildkit/createdat annotation.
    let docs = cloud_documents(&made).unwrap();
    assert!(
        !String::from_utf8(docs.manifest)
            .unwrap()
            .contains("buildkit/createdat")
    );
}
