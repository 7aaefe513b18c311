//! `verify`: is every blob of a cache present and intact, and does the
//! cache make sense to BuildKit's importer?
//!
//! [`Cache::verification`] plans the work: the findings known from loading
//! and from validating each entry's manifest and config, and one
//! [`BlobCheck`] per stored blob still to hash. The caller streams each
//! blob through a [`BlobVerifier`] (several at once, to use every core) and
//! hands it to [`Verification::record`]; [`Verification::report`] then says
//! what is wrong, each finding with a stable code and the blob or JSON path.
//!
//! Spec: `oci-basics.md` §1.4 (digest and size of the exact bytes), §6
//! (layout); `cache-format.md` §3.4 (every layer's `containerd.io/uncompressed`
//! is its diffID), §2.2 (the importer's config checks), §6.

use std::collections::{BTreeMap, BTreeSet};

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::cache::{Cache, StoredBlob, located, within};
use crate::cache_config::ValidateOptions;
use crate::cache_manifest::{ANNOTATION_UNCOMPRESSED, CacheDocument};
use crate::compression::{Compression, DETECT_LEN, Decoder, Limits, detect_compression};
use crate::digest::{Algorithm, Digest};
use crate::digester::Digester;
use crate::error::{Error, ErrorKind, Result};
use crate::finding::{Finding, Severity};
use crate::media_type::MediaType;

/// One stored blob to hash: what it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobCheck {
    /// The digest its path names.
    pub digest: Digest,
    /// Its path in the layout.
    pub path: String,
    /// Its stored size.
    pub size: u64,
    /// Whether it is a layer to decompress (its diffID is checked).
    pub layer: bool,
}

/// The digests of one blob read through a [`BlobVerifier`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobDigests {
    /// The digest of the bytes (in the algorithm the check asked for).
    pub digest: Digest,
    /// The number of bytes.
    pub size: u64,
    /// For a layer: the digest of the uncompressed content, or why it
    /// could not be decompressed.
    pub diff_id: Option<std::result::Result<Digest, Error>>,
}

/// Streams one blob: hashes the bytes and, for a layer, decompresses and
/// hashes the content in the same pass. Unlike [`crate::LayerDigester`] it
/// never fails part-way: a decoding error is kept for the report and the
/// blob's own digest is still computed.
pub struct BlobVerifier {
    raw: Digester,
    layer: Option<LayerState>,
    error: Option<Error>,
}

struct LayerState {
    prefix: Vec<u8>,
    decoder: Option<Decoder>,
    diff: Digester,
}

impl BlobVerifier {
    /// A verifier for `check`'s blob.
    pub fn new(check: &BlobCheck) -> Self {
        BlobVerifier {
            raw: Digester::new(check.digest.algorithm()),
            layer: check.layer.then(|| LayerState {
                prefix: Vec::new(),
                decoder: None,
                diff: Digester::new(Algorithm::Sha256),
            }),
            error: None,
        }
    }

    /// Push the next chunk of the blob.
    pub fn update(&mut self, chunk: &[u8]) {
        self.raw.update(chunk);
        if let Some(state) = &mut self.layer
            && let Err(e) = state.update(chunk, false)
        {
            self.error = Some(e);
            self.layer = None;
        }
    }

    /// End of the blob: its digests.
    pub fn finalize(mut self) -> BlobDigests {
        let diff_id = match (self.layer.take(), self.error.take()) {
            (_, Some(e)) => Some(Err(e)),
            (Some(mut state), None) => {
                Some(state.update(&[], true).map(|()| state.diff.finalize()))
            }
            (None, None) => None,
        };
        BlobDigests {
            digest: self.raw.finalize(),
            size: self.raw.size(),
            diff_id,
        }
    }
}

impl LayerState {
    fn update(&mut self, chunk: &[u8], end: bool) -> Result<()> {
        let diff = &mut self.diff;
        let mut sink = |out: &[u8]| {
            diff.update(out);
            Ok(())
        };
        if let Some(d) = &mut self.decoder {
            d.update(chunk, &mut sink)?;
        } else {
            self.prefix.extend_from_slice(chunk);
            let known = matches!(
                detect_compression(&self.prefix),
                Some(Compression::Gzip | Compression::Zstd)
            );
            if !(end || known || self.prefix.len() >= DETECT_LEN) {
                return Ok(());
            }
            let compression =
                detect_compression(&self.prefix).ok_or_else(crate::compression::unknown)?;
            let mut d = Decoder::new(compression, Limits::default());
            d.update(&std::mem::take(&mut self.prefix), &mut sink)?;
            self.decoder = Some(d);
        }
        if end && let Some(d) = &mut self.decoder {
            d.finish()?;
        }
        Ok(())
    }
}

/// A verify in progress: see the module documentation.
#[derive(Debug, Clone)]
pub struct Verification {
    checks: Vec<BlobCheck>,
    /// Expected facts of each reachable blob: size, diffID, role.
    expected: BTreeMap<Digest, Expected>,
    findings: Vec<Finding>,
    blobs: BTreeMap<String, Value>,
    recorded: BTreeSet<Digest>,
    stored_bytes: u64,
    unreachable: (u64, u64),
}

#[derive(Debug, Clone)]
struct Expected {
    size: u64,
    diff_id: Option<Digest>,
    role: &'static str,
}

impl Cache {
    /// Plans a verify of this cache against the blobs the storage holds.
    pub fn verification(&self, stored: &[StoredBlob]) -> Verification {
        let mut findings = self.findings.clone();
        let mut expected = BTreeMap::new();
        let reached = self.reachable(|_| true);
        for (digest, d) in &reached {
            let role = role(self, digest, &d.media_type);
            let diff_id = d
                .annotations
                .get(ANNOTATION_UNCOMPRESSED)
                .and_then(|v| Digest::parse(v).ok());
            expected.insert(
                digest.clone(),
                Expected {
                    size: d.size,
                    diff_id,
                    role,
                },
            );
        }
        findings.extend(self.entry_findings());
        let mut v = Verification {
            checks: Vec::new(),
            expected,
            findings,
            blobs: BTreeMap::new(),
            recorded: BTreeSet::new(),
            stored_bytes: 0,
            unreachable: (0, 0),
        };
        let mut present = BTreeSet::new();
        for s in stored {
            v.stored_bytes += s.size;
            let digest = match s.digest() {
                Ok(d) => d,
                Err(e) => {
                    v.findings
                        .push(Finding::error(e.kind(), s.path.clone(), e.message()));
                    v.blob(&s.path, s.size, "unknown", Some(e.kind()));
                    continue;
                }
            };
            present.insert(digest.clone());
            let known = v.expected.get(&digest);
            if known.is_none() {
                v.unreachable.0 += 1;
                v.unreachable.1 += s.size;
            }
            if self.read.contains(&digest) {
                let at = digest.to_string();
                let failed = v
                    .findings
                    .iter()
                    .find(|f| {
                        f.severity == Severity::Error && f.path.split('#').next() == Some(&at)
                    })
                    .map(|f| f.kind);
                let role = known.map_or("unreachable", |k| k.role);
                v.blob(&at, s.size, role, failed);
                continue;
            }
            v.checks.push(BlobCheck {
                layer: known.is_some_and(|k| k.diff_id.is_some() || k.role == "layer"),
                digest,
                path: s.path.clone(),
                size: s.size,
            });
        }
        for (digest, e) in &v.expected.clone() {
            if !present.contains(digest) && !self.unknown.contains(digest) {
                v.findings.push(Finding::error(
                    ErrorKind::MissingBlob,
                    digest.to_string(),
                    format!("{} {digest} ({} bytes) is missing", e.role, e.size),
                ));
                v.blob(digest.as_ref(), 0, e.role, Some(ErrorKind::MissingBlob));
            }
        }
        v
    }

    /// What validating each entry's manifest and config finds, and layers
    /// of media types BuildKit cannot import.
    fn entry_findings(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        for e in &self.entries {
            let Some(m) = &e.manifest else { continue };
            let at = e.descriptor.digest.to_string();
            findings.extend(m.validate().into_iter().map(|f| within(&at, f)));
            let list = match m.document() {
                CacheDocument::Manifest(_) => "layers",
                CacheDocument::Index(_) => "manifests",
            };
            let entries: &[crate::Descriptor] = match m.document() {
                CacheDocument::Manifest(doc) => &doc.layers,
                CacheDocument::Index(doc) => &doc.manifests,
            };
            for (n, d) in entries.iter().enumerate() {
                if d.media_type != MediaType::CACHE_CONFIG
                    && MediaType::layer_compression(&d.media_type).is_none()
                {
                    findings.push(Finding::error(
                        ErrorKind::UnknownMediaType,
                        format!("{at}#{list}[{n}].mediaType"),
                        format!(
                            "{:?} is not a layer media type BuildKit can import",
                            d.media_type
                        ),
                    ));
                }
            }
            if let Some(c) = &e.config {
                let blobs = m.blob_set();
                let options = ValidateOptions {
                    blobs: Some(&blobs),
                    require_annotations: false,
                };
                let path = m.config().digest.to_string();
                findings.extend(
                    c.validate_with(&options)
                        .into_iter()
                        .map(|f| within(&path, f)),
                );
            }
        }
        findings
    }
}

fn role(cache: &Cache, digest: &Digest, media_type: &str) -> &'static str {
    if cache.entries.iter().any(|e| &e.descriptor.digest == digest) {
        "manifest"
    } else if media_type == MediaType::CACHE_CONFIG {
        "config"
    } else if cache.children.contains_key(digest) {
        "document"
    } else if MediaType::layer_compression(media_type).is_some() {
        "layer"
    } else {
        "blob"
    }
}

impl Verification {
    /// The stored blobs still to hash, in path order.
    pub fn checks(&self) -> &[BlobCheck] {
        &self.checks
    }

    fn blob(&mut self, path: &str, size: u64, role: &str, problem: Option<ErrorKind>) {
        let mut b = json!({"blob": path, "size": size, "role": role, "ok": problem.is_none()});
        if let Some(kind) = problem {
            b["code"] = json!(kind.code());
        }
        self.blobs.insert(path.to_owned(), b);
    }

    fn check(&self, digest: &Digest) -> Result<&BlobCheck> {
        self.checks
            .iter()
            .find(|c| &c.digest == digest)
            .filter(|_| !self.recorded.contains(digest))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{digest} is not a check still open"),
                )
            })
    }

    /// The result of hashing the blob of the check for `digest`.
    pub fn record(&mut self, digest: &Digest, got: &BlobDigests) -> Result<()> {
        let check = self.check(digest)?.clone();
        self.recorded.insert(digest.clone());
        let path = digest.to_string();
        let expected = self.expected.get(digest).cloned();
        let role = expected.as_ref().map_or("unreachable", |e| e.role);
        let problem = if &got.digest != digest {
            Some(Finding::error(
                ErrorKind::DigestMismatch,
                path.clone(),
                format!("digest mismatch: expected {digest}, got {}", got.digest),
            ))
        } else if let Some(e) = expected.as_ref().filter(|e| e.size != got.size) {
            Some(Finding::error(
                ErrorKind::SizeMismatch,
                path.clone(),
                format!(
                    "size mismatch: descriptor says {} bytes, blob has {}",
                    e.size, got.size
                ),
            ))
        } else {
            match (
                &got.diff_id,
                expected.as_ref().and_then(|e| e.diff_id.as_ref()),
            ) {
                (Some(Err(e)), _) => Some(Finding::error(
                    e.kind(),
                    path.clone(),
                    format!("layer does not decompress: {}", e.message()),
                )),
                (Some(Ok(got)), Some(want)) if got != want => Some(Finding::error(
                    ErrorKind::DiffIdMismatch,
                    located(&path, Some(ANNOTATION_UNCOMPRESSED)),
                    format!("diffID mismatch: annotation says {want}, content is {got}"),
                )),
                _ => None,
            }
        };
        let kind = problem.as_ref().map(|f| f.kind);
        self.blob(&path, check.size, role, kind);
        if let (Some(Ok(d)), Some(b)) = (&got.diff_id, self.blobs.get_mut(&path)) {
            b["diffId"] = json!(d.to_string());
        }
        self.findings.extend(problem);
        Ok(())
    }

    /// The blob of the check for `digest` could not be read.
    pub fn record_failure(&mut self, digest: &Digest, message: &str) -> Result<()> {
        let check = self.check(digest)?.clone();
        self.recorded.insert(digest.clone());
        self.findings.push(Finding::error(
            ErrorKind::StorageError,
            digest.to_string(),
            format!("could not read {}: {message}", check.path),
        ));
        self.blob(
            digest.as_ref(),
            check.size,
            "unknown",
            Some(ErrorKind::StorageError),
        );
        Ok(())
    }

    /// The report; checks never recorded are findings of their own.
    pub fn report(mut self) -> VerifyReport {
        for c in self.checks.clone() {
            if !self.recorded.contains(&c.digest) {
                let _ = self.record_failure(&c.digest, "never checked");
            }
        }
        let reachable = self.expected.len() as u64;
        VerifyReport {
            findings: self.findings,
            blobs: self.blobs.into_values().collect(),
            stored_bytes: self.stored_bytes,
            reachable,
            unreachable: self.unreachable,
        }
    }
}

/// What a verify found.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyReport {
    /// Every problem, with its code and path.
    pub findings: Vec<Finding>,
    blobs: Vec<Value>,
    stored_bytes: u64,
    reachable: u64,
    unreachable: (u64, u64),
}

impl VerifyReport {
    /// Whether nothing is wrong (warnings allowed).
    pub fn ok(&self) -> bool {
        !crate::finding::has_errors(&self.findings)
    }

    /// The report as JSON: `{ok, blobs, bytes, reachable, unreachable,
    /// unreachableBytes, errors, warnings, findings, checked}`.
    pub fn to_json(&self) -> Value {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        json!({
            "ok": self.ok(),
            "blobs": self.blobs.len(),
            "bytes": self.stored_bytes,
            "reachable": self.reachable,
            "unreachable": self.unreachable.0,
            "unreachableBytes": self.unreachable.1,
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "findings": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
            "checked": self.blobs,
        })
    }

    /// The report as text, one line per blob and per finding, then a summary.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blobs {
            let blob = b["blob"].as_str().unwrap_or_default();
            let role = b["role"].as_str().unwrap_or_default();
            match b["code"].as_str() {
                None => {
                    let _ = writeln!(out, "ok    {blob}  {} bytes  {role}", b["size"]);
                }
                Some(code) => {
                    let _ = writeln!(out, "FAIL  {blob}  {code}  {role}");
                }
            }
        }
        for f in &self.findings {
            let _ = writeln!(
                out,
                "{:<7} {}  {}: {}",
                f.severity.as_str(),
                f.code(),
                f.path,
                f.message
            );
        }
        let j = self.to_json();
        let _ = writeln!(
            out,
            "{}: {} blobs ({} bytes), {} reachable, {} unreachable ({} bytes); {} errors, {} warnings",
            if self.ok() { "ok" } else { "FAILED" },
            j["blobs"],
            j["bytes"],
            j["reachable"],
            j["unreachable"],
            j["unreachableBytes"],
            j["errors"],
            j["warnings"],
        );
        out
    }
}
