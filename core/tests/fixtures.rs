//! Every blob of every bundled BuildKit export hashes to its file name.
mod common;

use std::fs;

use ocicache::{Digest, ErrorKind, verify};

fn blob_files() -> Vec<(String, std::path::PathBuf)> {
    let root = common::tests_dir().join("fixtures/buildkit");
    let mut out = Vec::new();
    for case in fs::read_dir(&root).unwrap() {
        let case = case.unwrap().path();
        for blobs in [case.join("cache/blobs/sha256"), case.join("blobs/sha256")] {
            let Ok(entries) = fs::read_dir(&blobs) else {
                continue;
            };
            for e in entries {
                let path = e.unwrap().path();
                let name = format!("sha256:{}", path.file_name().unwrap().to_str().unwrap());
                out.push((name, path));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_bundled_blob_verifies() {
    let blobs = blob_files();
    assert!(blobs.len() >= 79, "found only {} blobs", blobs.len());
    for (name, path) in blobs {
        let bytes = fs::read(&path).unwrap();
        let d = Digest::parse(&name).unwrap();
        verify(&bytes, &d, Some(bytes.len() as u64)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn a_corrupted_blob_is_a_digest_mismatch() {
    let (name, path) = blob_files().into_iter().next().unwrap();
    let mut bytes = fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    let d = Digest::parse(&name).unwrap();
    let err = verify(&bytes, &d, Some(bytes.len() as u64)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DigestMismatch);
}
