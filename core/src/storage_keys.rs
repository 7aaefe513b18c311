//! Where the gha, s3 and azblob backends keep a cache (cache-format.md §4.3–
//! §4.5), as pure functions so that tooling can drive those stores itself:
//! those backends have no manifest; the cache config (with per-layer
//! `annotations`) is the index, and blobs are stored under their digest.

use crate::digest::{Algorithm, Digest};
use crate::digester::digest;

/// The gha cache key of a blob: `buildkit-blob-1-<digest>`.
pub fn gha_blob_key(blob: &Digest) -> String {
    format!("buildkit-blob-1-{blob}")
}

/// The gha cache key of the index (the cache config) for `scope` (the
/// `scope` attribute, `buildkit` by default) written from the GitHub cache
/// scope `github_scope` (e.g. `refs/heads/main`):
/// `index-<scope>-1-<first 8 hex of sha256(github_scope)>`, with `-sig`
/// when the daemon signs or requires signatures.
///
/// ```
/// assert_eq!(ocicache::gha_index_key("buildkit", "refs/heads/main", false), "index-buildkit-1-f921bd05");
/// ```
pub fn gha_index_key(scope: &str, github_scope: &str, signed: bool) -> String {
    let d = digest(github_scope.as_bytes(), Algorithm::Sha256);
    let sig = if signed { "-sig" } else { "" };
    format!("index-{scope}-1-{}{sig}", &d.encoded()[..8])
}

/// The gha key of the signature bundle of an index whose bytes hash to
/// `index_digest`: `buildkit-blob-1-sha256:<hex>-sig`.
pub fn gha_signature_key(index_digest: &Digest) -> String {
    format!("buildkit-blob-1-{index_digest}-sig")
}

/// The s3 key of a blob: `<prefix><blobs_prefix><digest>`, plainly
/// concatenated like BuildKit (defaults: `""` and `blobs/`).
pub fn s3_blob_key(prefix: &str, blobs_prefix: &str, blob: &Digest) -> String {
    format!("{prefix}{blobs_prefix}{blob}")
}

/// The s3 key of the cache config named `name`:
/// `<prefix><manifests_prefix><name>` (defaults: `""`, `manifests/`,
/// `buildkit`).
pub fn s3_manifest_key(prefix: &str, manifests_prefix: &str, name: &str) -> String {
    format!("{prefix}{manifests_prefix}{name}")
}

/// The azblob path of a blob: Go's `path.Join(prefix, blobs_prefix,
/// digest)` (default `blobs_prefix`: `blobs`).
pub fn azblob_blob_path(prefix: &str, blobs_prefix: &str, blob: &Digest) -> String {
    go_path_join(&[prefix, blobs_prefix, blob.as_str()])
}

/// The azblob path of the cache config named `name`: Go's
/// `path.Join(prefix, manifests_prefix, name)` (default
/// `manifests_prefix`: `manifests`).
pub fn azblob_manifest_path(prefix: &str, manifests_prefix: &str, name: &str) -> String {
    go_path_join(&[prefix, manifests_prefix, name])
}

/// Go's `path.Join`: the non-empty parts joined by `/`, then `path.Clean`.
fn go_path_join(parts: &[&str]) -> String {
    let joined = parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    if joined.is_empty() {
        return String::new();
    }
    let rooted = joined.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|p| *p != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            p => out.push(p),
        }
    }
    let body = out.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".to_owned(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_paths() {
        let d = Digest::parse(
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        )
        .unwrap();
        assert_eq!(gha_blob_key(&d), format!("buildkit-blob-1-{d}"));
        assert_eq!(gha_signature_key(&d), format!("buildkit-blob-1-{d}-sig"));
        assert!(gha_index_key("s", "refs/heads/main", true).ends_with("f921bd05-sig"));
        assert_eq!(s3_blob_key("ci/", "blobs/", &d), format!("ci/blobs/{d}"));
        assert_eq!(s3_blob_key("ci", "blobs", &d), format!("ciblobs{d}"));
        assert_eq!(
            s3_manifest_key("", "manifests/", "buildkit"),
            "manifests/buildkit"
        );
        assert_eq!(
            azblob_blob_path("ci//x/", "blobs", &d),
            format!("ci/x/blobs/{d}")
        );
        assert_eq!(
            azblob_manifest_path("", "manifests", "main"),
            "manifests/main"
        );
        assert_eq!(go_path_join(&["a/../..", "b"]), "../b");
        assert_eq!(go_path_join(&["/..", "b"]), "/b");
        assert_eq!(go_path_join(&["", ""]), "");
        assert_eq!(go_path_join(&["./"]), ".");
    }
}
