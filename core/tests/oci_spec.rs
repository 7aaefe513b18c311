//! The `oci-spec` feature on the corpus: every index.json and manifest of the
//! bundled BuildKit exports, read by this crate and by oci-spec, converts to
//! the same oci-spec value and back to the same document, whose bytes are
//! still BuildKit's; and the conversions' errors.
#![cfg(feature = "oci-spec")]

mod common;

use std::collections::HashMap;
use std::path::Path;

use oci_spec::image as oci;
use ocicache::{Descriptor, Digest, ErrorKind, ImageIndex, ImageManifest, MediaType};

fn blob(cache: &Path, digest: &str) -> Vec<u8> {
    let (alg, hex) = digest.split_once(':').unwrap();
    std::fs::read(cache.join("blobs").join(alg).join(hex)).unwrap()
}

fn caches() -> Vec<std::path::PathBuf> {
    let root = common::tests_dir().join("fixtures/buildkit");
    let mut out: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path().join("cache"))
        .filter(|p| p.join("index.json").is_file())
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_documents_cross_to_oci_spec_and_back_byte_for_byte() {
    let (mut indexes, mut manifests) = (0, 0);
    for cache in caches() {
        let bytes = std::fs::read(cache.join("index.json")).unwrap();
        let ours = ImageIndex::from_bytes(&bytes).unwrap();
        let theirs = oci::ImageIndex::try_from(&ours).unwrap();
        assert_eq!(
            theirs,
            oci::ImageIndex::from_reader(&bytes[..]).unwrap(),
            "{}",
            cache.display()
        );
        let back = ImageIndex::try_from(&theirs).unwrap();
        assert_eq!(back, ours);
        assert_eq!(back.to_bytes(), bytes, "{}: index.json", cache.display());
        indexes += 1;
        for entry in &ours.manifests {
            if entry.media_type == MediaType::CACHE_CONFIG {
                continue;
            }
            let bytes = blob(&cache, entry.digest.as_ref());
            if [MediaType::OCI_INDEX, MediaType::DOCKER_MANIFEST_LIST]
                .contains(&entry.media_type.as_str())
            {
                // image-manifest=false: the cache's manifest is an index.
                let ours = ImageIndex::from_bytes(&bytes).unwrap();
                let theirs = oci::ImageIndex::try_from(&ours).unwrap();
                assert_eq!(theirs, oci::ImageIndex::from_reader(&bytes[..]).unwrap());
                assert_eq!(ImageIndex::try_from(&theirs).unwrap().to_bytes(), bytes);
                indexes += 1;
                continue;
            }
            let ours = ImageManifest::from_bytes(&bytes).unwrap();
            let theirs = oci::ImageManifest::try_from(&ours).unwrap();
            assert_eq!(theirs, oci::ImageManifest::from_reader(&bytes[..]).unwrap());
            let back = ImageManifest::try_from(&theirs).unwrap();
            assert_eq!(back, ours);
            assert_eq!(
                back.to_bytes(),
                bytes,
                "{}: {}",
                cache.display(),
                entry.digest
            );
            manifests += 1;
        }
    }
    // A registry export's manifest, as the registry served it.
    let path = "fixtures/buildkit/registry-image-manifest/manifest.json";
    let bytes = std::fs::read(common::tests_dir().join(path)).unwrap();
    let ours = ImageManifest::from_bytes(&bytes).unwrap();
    let theirs = oci::ImageManifest::try_from(&ours).unwrap();
    assert_eq!(theirs, oci::ImageManifest::from_reader(&bytes[..]).unwrap());
    assert_eq!(ImageManifest::try_from(&theirs).unwrap().to_bytes(), bytes);
    manifests += 1;
    // 7 layouts' index.json and 2 exports whose manifest is an index; 6 manifests.
    assert_eq!((indexes, manifests), (9, 6));
}

#[test]
fn every_descriptor_field_crosses() {
    let mut d = Descriptor::for_content("application/vnd.example+json", b"{\"a\":1}")
        .with_annotation("org.opencontainers.image.title", "x");
    d.urls = vec!["https://example.com/blob".into()];
    d.data = Some(b"{\"a\":1}".to_vec());
    d.artifact_type = "application/vnd.example.artifact".into();
    d.platform = Some(ocicache::Platform {
        architecture: "arm64".into(),
        os: "linux".into(),
        variant: "v8".into(),
        os_features: vec!["f".into()],
        ..Default::default()
    });
    let theirs = oci::Descriptor::try_from(&d).unwrap();
    assert_eq!(theirs.data().as_deref(), Some("eyJhIjoxfQ=="));
    let platform = theirs.platform().as_ref().unwrap();
    assert_eq!(platform.architecture(), &oci::Arch::ARM64);
    assert_eq!(
        platform.os_features().as_deref(),
        Some(&["f".to_owned()][..])
    );
    assert_eq!(Descriptor::try_from(&theirs).unwrap(), d);
    d.platform = None;
    let json = serde_json::to_vec(&oci::Descriptor::try_from(&d).unwrap()).unwrap();
    assert_eq!(Descriptor::from_bytes(&json).unwrap(), d);
}

#[test]
fn a_platforms_features_cross_both_ways() {
    let json = br#"{"mediaType":"m","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"platform":{"architecture":"amd64","os":"linux","features":["sse4"]}}"#;
    let ours = Descriptor::from_bytes(json).unwrap();
    let theirs = oci::Descriptor::try_from(&ours).unwrap();
    let features = theirs.platform().as_ref().unwrap().features().clone();
    assert_eq!(features, Some(vec!["sse4".to_owned()]));
    assert_eq!(Descriptor::try_from(&theirs).unwrap().to_bytes(), json);
}

#[test]
fn why_ocicache_writes_its_own_bytes() {
    // Go escapes <, > and & and sorts annotation keys; oci-spec's serde does
    // neither (its annotations are a HashMap), so its bytes are not BuildKit's.
    let d = Descriptor::for_content("m", b"{}").with_annotation("note", "<a&b>");
    let ours = String::from_utf8(d.to_bytes()).unwrap();
    assert!(ours.contains(r#""note":"\u003ca\u0026b\u003e""#), "{ours}");
    let theirs = serde_json::to_string(&oci::Descriptor::try_from(&d).unwrap()).unwrap();
    assert!(theirs.contains(r#""note":"<a&b>""#), "{theirs}");
    assert_ne!(ours, theirs);
    // oci-spec 0.10 also names a platform's members `os_version` and
    // `os_features` in JSON, where the spec (and Go) say `os.version` and
    // `os.features`: it converts them right, but would write them wrong.
    let mut d = Descriptor::for_content("m", b"{}");
    d.platform = Some(ocicache::Platform {
        os_version: "10.0".into(),
        ..Default::default()
    });
    assert!(
        String::from_utf8(d.to_bytes())
            .unwrap()
            .contains(r#""os.version":"10.0""#)
    );
    let theirs = oci::Descriptor::try_from(&d).unwrap();
    assert_eq!(
        theirs.platform().as_ref().unwrap().os_version().as_deref(),
        Some("10.0")
    );
    assert!(
        serde_json::to_string(&theirs)
            .unwrap()
            .contains(r#""os_version":"10.0""#)
    );
}

#[test]
fn what_cannot_cross_is_an_error_with_a_code() {
    let no_config = ImageManifest::from_bytes(br#"{"schemaVersion":2,"layers":[]}"#).unwrap();
    let e = oci::ImageManifest::try_from(&no_config).unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string().contains("config")),
        (ErrorKind::MissingField, true)
    );

    let sha384 = format!("sha384:{}", "a".repeat(96));
    let theirs = oci::Descriptor::new(
        oci::MediaType::ImageLayerGzip,
        1,
        oci::Digest::try_from(sha384.as_str()).unwrap(),
    );
    assert_eq!(
        Descriptor::try_from(&theirs).unwrap_err().kind(),
        ErrorKind::UnsupportedAlgorithm
    );

    let empty =
        Digest::parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            .unwrap();
    let oci_empty = oci::Digest::try_from(&empty).unwrap();
    assert_eq!(Digest::try_from(&oci_empty).unwrap(), empty);
    let huge = oci::Descriptor::new(oci::MediaType::ImageLayerGzip, u64::MAX, oci_empty.clone());
    assert_eq!(
        Descriptor::try_from(&huge).unwrap_err().kind(),
        ErrorKind::SizeOutOfRange
    );
    let mut bad_data = oci::Descriptor::new(oci::MediaType::ImageLayerGzip, 0, oci_empty);
    bad_data.set_data(Some("not base64!".into()));
    assert_eq!(
        Descriptor::try_from(&bad_data).unwrap_err().kind(),
        ErrorKind::InvalidField
    );

    let mut index = oci::ImageIndex::default();
    index.set_manifests(vec![huge]);
    index.set_annotations(Some(HashMap::new()));
    let e = ImageIndex::try_from(&index).unwrap_err();
    assert_eq!(
        e.location().and_then(|l| l.field.as_deref()),
        Some("manifests[0].size")
    );
}
