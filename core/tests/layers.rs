//! Every layer blob of the bundled BuildKit exports decodes, and its diffID
//! equals the `containerd.io/uncompressed` annotation of its descriptor.
mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use ocicache::{Compression, LayerCompressor, Limits, layer_digests};
use serde_json::Value;

/// (blob path, media type, expected diffID) of every layer descriptor of
/// every manifest of every bundled export.
fn layers() -> Vec<(std::path::PathBuf, String, String)> {
    let root = common::tests_dir().join("fixtures/buildkit");
    let mut out = BTreeMap::new();
    for case in fs::read_dir(&root).unwrap() {
        let case = case.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        let blobs = if case.join("cache").is_dir() {
            case.join("cache/blobs/sha256")
        } else {
            case.join("blobs/sha256")
        };
        for entry in fs::read_dir(&blobs).unwrap() {
            let Ok(doc) =
                serde_json::from_slice::<Value>(&fs::read(entry.unwrap().path()).unwrap())
            else {
                continue;
            };
            let descriptors = doc
                .get("layers")
                .or_else(|| doc.get("manifests"))
                .and_then(Value::as_array);
            for d in descriptors.into_iter().flatten() {
                let Some(diff) = d["annotations"]["containerd.io/uncompressed"].as_str() else {
                    continue;
                };
                let digest = d["digest"].as_str().unwrap();
                let path = blobs.join(digest.trim_start_matches("sha256:"));
                out.insert(
                    path,
                    (d["mediaType"].as_str().unwrap().to_owned(), diff.to_owned()),
                );
            }
        }
    }
    out.into_iter().map(|(p, (m, d))| (p, m, d)).collect()
}

fn name(path: &Path) -> String {
    format!("sha256:{}", path.file_name().unwrap().to_str().unwrap())
}

#[test]
fn every_bundled_layer_has_its_diff_id() {
    let all = layers();
    assert!(all.len() >= 20, "found {} layers", all.len());
    let mut seen_zstd = false;
    for (path, media_type, diff_id) in &all {
        let blob = fs::read(path).unwrap();
        let d = layer_digests(&blob, Limits::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(d.diff_id.as_str(), diff_id, "{}", path.display());
        assert_eq!(d.digest.as_str(), name(path));
        let expected = if media_type.ends_with("zstd") {
            Compression::Zstd
        } else {
            Compression::Gzip
        };
        assert_eq!(d.compression, expected, "{media_type}");
        seen_zstd |= expected == Compression::Zstd;
        // The same, pushed in small chunks.
        let mut s = ocicache::LayerDigester::new(Limits::default());
        for chunk in blob.chunks(777) {
            s.update(chunk).unwrap();
        }
        assert_eq!(s.finalize().unwrap(), d);
    }
    assert!(seen_zstd, "the zstd case is bundled");
}

#[test]
fn recompressing_keeps_the_diff_id() {
    let (path, _, diff_id) = layers()
        .into_iter()
        .find(|(_, m, _)| m.ends_with("gzip"))
        .unwrap();
    let tar = ocicache::decompress(&fs::read(&path).unwrap(), None, Limits::default()).unwrap();
    for compression in [
        Compression::Zstd,
        Compression::Gzip,
        Compression::Uncompressed,
    ] {
        let mut blob = Vec::new();
        let mut c = LayerCompressor::new(compression, None).unwrap();
        let mut sink = |out: &[u8]| {
            blob.extend_from_slice(out);
            Ok(())
        };
        for chunk in tar.chunks(1000) {
            c.update(chunk, &mut sink).unwrap();
        }
        let done = c.finalize(&mut sink).unwrap();
        assert_eq!(done.digests.diff_id.as_str(), diff_id);
        assert_eq!(done.digests.size, blob.len() as u64);
        let again = layer_digests(&blob, Limits::default()).unwrap();
        assert_eq!(again, done.digests, "{compression:?}");
    }
}
