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

use crate::cache::{Cache, StoredBlob, within};
use crate::cache_config::ValidateOptions;
use crate::cache_manifest::{ANNOTATION_UNCOMPRESSED, CacheDocument};
use crate::compression::Compression;
use crate::compression::Limits;
use crate::digest::Digest;
use crate::digester::Digester;
use crate::error::{Error, ErrorKind, Result};
use crate::finding::{Finding, Severity};
use crate::layer::LayerDigester;
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
    /// For a layer that decompressed: the size of the uncompressed content.
    pub uncompressed_size: Option<u64>,
    /// For a layer: the compression its bytes are in, when recognised.
    pub compression: Option<Compression>,
}

/// Streams one blob: hashes the bytes and, for a layer, decompresses and
/// hashes the content in the same pass. Unlike [`crate::LayerDigester`] it
/// never fails part-way: a decoding error is kept for the report and the
/// blob's own digest is still computed.
pub struct BlobVerifier(Pass);

enum Pass {
    /// A blob that is only hashed.
    Blob(Box<Digester>),
    /// A layer, decompressed too.
    Layer(Box<LayerDigester>),
}

impl BlobVerifier {
    /// A verifier for `check`'s blob.
    pub fn new(check: &BlobCheck) -> Self {
        let algorithm = check.digest.algorithm();
        if check.layer {
            BlobVerifier(Pass::Layer(Box::new(LayerDigester::with_algorithm(
                algorithm,
                Limits::default(),
            ))))
        } else {
            BlobVerifier(Pass::Blob(Box::new(Digester::new(algorithm))))
        }
    }

    /// Push the next chunk of the blob.
    pub fn update(&mut self, chunk: &[u8]) {
        match &mut self.0 {
            Pass::Blob(d) => d.update(chunk),
            Pass::Layer(l) => l.update_tolerant(chunk),
        }
    }

    /// End of the blob: its digests.
    pub fn finalize(self) -> BlobDigests {
        match self.0 {
            Pass::Blob(d) => BlobDigests {
                digest: d.finalize(),
                size: d.size(),
                diff_id: None,
                uncompressed_size: None,
                compression: None,
            },
            Pass::Layer(l) => {
                let (digest, size, content, compression) = l.finalize_tolerant();
                BlobDigests {
                    digest,
                    size,
                    uncompressed_size: content.as_ref().ok().map(|(_, n)| *n),
                    diff_id: Some(content.map(|(d, _)| d)),
                    compression,
                }
            }
        }
    }
}

/// A verify in progress: see the module documentation.
#[derive(Debug, Clone)]
pub struct Verification {
    checks: Vec<BlobCheck>,
    /// Expected facts of each reachable blob: size, diffID, role.
    expected: BTreeMap<Digest, Expected>,
    findings: Vec<Finding>,
    blobs: BTreeMap<String, BlobResult>,
    recorded: BTreeSet<Digest>,
    stored_bytes: u64,
    unreachable: (u64, u64),
}

#[derive(Debug, Clone)]
struct Expected {
    size: u64,
    role: Role,
    /// What each layer descriptor naming the blob claims: a blob listed
    /// twice (the config names it with two parents) must be what both say.
    claims: Vec<Claim>,
}

/// One layer descriptor's claims about its blob.
#[derive(Debug, Clone)]
struct Claim {
    /// Where the descriptor is: `sha256:<manifest>#layers[n]`.
    path: String,
    diff_id: Option<Digest>,
    compression: Option<Compression>,
}

/// What a blob is to the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Manifest,
    Config,
    Document,
    Layer,
    Blob,
    Unreachable,
    /// Not a blob we could name or read.
    Unknown,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Manifest => "manifest",
            Role::Config => "config",
            Role::Document => "document",
            Role::Layer => "layer",
            Role::Blob => "blob",
            Role::Unreachable => "unreachable",
            Role::Unknown => "unknown",
        }
    }
}

/// One line of the report: a stored (or missing) blob and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BlobResult {
    blob: String,
    size: u64,
    role: Role,
    code: Option<ErrorKind>,
    diff_id: Option<Digest>,
    uncompressed_size: Option<u64>,
    /// False for a blob the cache needs that the storage lacks.
    stored: bool,
}

impl BlobResult {
    fn to_json(&self) -> Value {
        let mut b = json!({"blob": self.blob, "size": self.size, "role": self.role.as_str(), "ok": self.code.is_none()});
        if let Some(kind) = self.code {
            b["code"] = json!(kind.code());
        }
        if let Some(d) = &self.diff_id {
            b["diffId"] = json!(d.to_string());
        }
        if let Some(n) = self.uncompressed_size {
            b["uncompressedSize"] = json!(n);
        }
        b
    }
}

impl Cache {
    /// Plans a verify of this cache against the blobs the storage holds.
    pub fn verification(&self, stored: &[StoredBlob]) -> Verification {
        let mut findings = self.findings.clone();
        let mut expected = BTreeMap::new();
        let reached = self.reachable(|_| true);
        for (digest, d) in &reached {
            let role = role(self, digest, &d.media_type);
            expected.insert(
                digest.clone(),
                Expected {
                    size: d.size,
                    role,
                    claims: Vec::new(),
                },
            );
        }
        self.add_claims(&mut expected);
        for f in self.entry_findings() {
            // Loading already reported some of what validating finds.
            if !findings
                .iter()
                .any(|g| g.kind == f.kind && g.path == f.path)
            {
                findings.push(f);
            }
        }
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
                    v.blob(&s.path, s.size, Role::Unknown, Some(e.kind()));
                    continue;
                }
            };
            present.insert(digest.clone());
            let known = v.expected.get(&digest);
            if known.is_none() {
                v.unreachable.0 += 1;
                v.unreachable.1 += s.size;
            }
            if let Some(what) = &s.file_type {
                let role = known.map_or(Role::Unreachable, |k| k.role);
                v.not_a_file(&digest, &s.path, what, role);
                continue;
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
                let role = known.map_or(Role::Unreachable, |k| k.role);
                v.blob(&at, s.size, role, failed);
                continue;
            }
            v.checks.push(BlobCheck {
                layer: known.is_some_and(|k| {
                    k.role == Role::Layer || k.claims.iter().any(|c| c.diff_id.is_some())
                }),
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
                    format!("{} {digest} ({} bytes) is missing", e.role.as_str(), e.size),
                ));
                v.missing(digest.as_ref(), e.role);
            }
        }
        v
    }

    /// The claims each cache manifest's layer descriptors make of their
    /// blobs, into `expected`.
    fn add_claims(&self, expected: &mut BTreeMap<Digest, Expected>) {
        for e in &self.entries {
            let Some(m) = &e.manifest else { continue };
            let list = match m.document() {
                CacheDocument::Manifest(_) => "layers",
                CacheDocument::Index(_) => "manifests",
            };
            for (n, d) in m.layers().enumerate() {
                let Some(x) = expected.get_mut(&d.digest) else {
                    continue;
                };
                let path = format!("{}#{list}[{n}]", e.descriptor.digest);
                if x.claims.iter().any(|c| c.path == path) {
                    continue;
                }
                x.claims.push(Claim {
                    path,
                    diff_id: d
                        .annotations
                        .get(ANNOTATION_UNCOMPRESSED)
                        .and_then(|v| Digest::parse(v).ok()),
                    compression: MediaType::layer_compression(&d.media_type),
                });
            }
        }
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

/// What the layer descriptors naming a blob claim that its content is not:
/// another compression than their media type says (BuildKit picks the
/// decompressor by media type), or another diffID — each descriptor checked,
/// so a blob listed twice is checked against both listings.
fn claim_findings(got: &BlobDigests, claims: &[Claim]) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in claims {
        if let (Some(said), Some(is)) = (c.compression, got.compression)
            && said != is
        {
            out.push(Finding::error(
                ErrorKind::MediaTypeMismatch,
                format!("{}.mediaType", c.path),
                format!(
                    "the media type says {}, but the blob is {}",
                    said.as_str(),
                    is.as_str()
                ),
            ));
        }
        if let (Some(Ok(is)), Some(said)) = (&got.diff_id, &c.diff_id)
            && is != said
        {
            out.push(Finding::error(
                ErrorKind::DiffIdMismatch,
                format!("{}.annotations.{ANNOTATION_UNCOMPRESSED}", c.path),
                format!("diffID mismatch: annotation says {said}, content is {is}"),
            ));
        }
    }
    out
}

fn role(cache: &Cache, digest: &Digest, media_type: &str) -> Role {
    if cache.entries.iter().any(|e| &e.descriptor.digest == digest) {
        Role::Manifest
    } else if media_type == MediaType::CACHE_CONFIG {
        Role::Config
    } else if cache.children.contains_key(digest) {
        Role::Document
    } else if MediaType::layer_compression(media_type).is_some() {
        Role::Layer
    } else {
        Role::Blob
    }
}

impl Verification {
    /// The stored blobs still to hash, in path order.
    pub fn checks(&self) -> &[BlobCheck] {
        &self.checks
    }

    fn blob(&mut self, path: &str, size: u64, role: Role, code: Option<ErrorKind>) {
        let result = BlobResult {
            blob: path.to_owned(),
            size,
            role,
            code,
            diff_id: None,
            uncompressed_size: None,
            stored: true,
        };
        self.blobs.insert(path.to_owned(), result);
    }

    /// A stored path that is not a regular file (`what`): an error where
    /// the cache needs the blob, a warning elsewhere (gc leaves it).
    fn not_a_file(&mut self, digest: &Digest, path: &str, what: &str, role: Role) {
        let at = digest.to_string();
        let message = format!("{path} is a {what}, not a file");
        let finding = if role == Role::Unreachable {
            Finding::warning(
                ErrorKind::NotAFile,
                at.clone(),
                format!("{message} (gc leaves it)"),
            )
        } else {
            Finding::error(ErrorKind::NotAFile, at.clone(), message)
        };
        if !self
            .findings
            .iter()
            .any(|f| f.kind == finding.kind && f.path == finding.path)
        {
            self.findings.push(finding);
        }
        self.blob(&at, 0, role, Some(ErrorKind::NotAFile));
    }

    /// A blob the cache needs that the storage lacks.
    fn missing(&mut self, path: &str, role: Role) {
        self.blob(path, 0, role, Some(ErrorKind::MissingBlob));
        if let Some(b) = self.blobs.get_mut(path) {
            b.stored = false;
        }
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
        let role = expected.as_ref().map_or(Role::Unreachable, |e| e.role);
        // The size first, as digests are checked everywhere: a blob of
        // another length is SIZE_MISMATCH whatever it hashes to.
        let problem = if let Some(e) = expected.as_ref().filter(|e| e.size != got.size) {
            // More than stored: the host stopped one byte past it.
            let has = if got.size > check.size {
                "more".to_owned()
            } else {
                got.size.to_string()
            };
            Some(Finding::error(
                ErrorKind::SizeMismatch,
                path.clone(),
                format!(
                    "size mismatch: descriptor says {} bytes, blob has {has}",
                    e.size
                ),
            ))
        } else if &got.digest != digest {
            Some(Finding::error(
                ErrorKind::DigestMismatch,
                path.clone(),
                format!("digest mismatch: expected {digest}, got {}", got.digest),
            ))
        } else if let Some(Err(e)) = &got.diff_id {
            Some(Finding::error(
                e.kind(),
                path.clone(),
                format!("layer does not decompress: {}", e.message()),
            ))
        } else {
            None
        };
        let claims = if problem.is_none() {
            claim_findings(got, expected.as_ref().map_or(&[][..], |e| &e.claims))
        } else {
            Vec::new()
        };
        let kind = problem.as_ref().or(claims.first()).map(|f| f.kind);
        self.findings.extend(claims);
        self.blob(&path, check.size, role, kind);
        if let (Some(Ok(d)), Some(b)) = (&got.diff_id, self.blobs.get_mut(&path)) {
            b.diff_id = Some(d.clone());
            b.uncompressed_size = got.uncompressed_size;
        }
        self.findings.extend(problem);
        Ok(())
    }

    /// The blob of the check for `digest` could not be read
    /// ([`ErrorKind::StorageError`]).
    pub fn record_failure(&mut self, digest: &Digest, message: &str) -> Result<()> {
        self.record_failure_of(digest, ErrorKind::StorageError, message)
    }

    /// The blob of the check for `digest` could not be read, for the
    /// reason `kind` (such as [`ErrorKind::NotAFile`]).
    pub fn record_failure_of(
        &mut self,
        digest: &Digest,
        kind: ErrorKind,
        message: &str,
    ) -> Result<()> {
        let check = self.check(digest)?.clone();
        self.recorded.insert(digest.clone());
        self.findings.push(Finding::error(
            kind,
            digest.to_string(),
            format!("could not read {}: {message}", check.path),
        ));
        let role = self
            .expected
            .get(digest)
            .map_or(Role::Unreachable, |e| e.role);
        self.blob(digest.as_ref(), check.size, role, Some(kind));
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
    blobs: Vec<BlobResult>,
    stored_bytes: u64,
    reachable: u64,
    unreachable: (u64, u64),
}

impl VerifyReport {
    /// Whether nothing is wrong (warnings allowed).
    pub fn ok(&self) -> bool {
        !crate::finding::has_errors(&self.findings)
    }

    /// The report as JSON: `{ok, blobs, bytes, reachable, missing,
    /// unreachable, unreachableBytes, errors, warnings, findings, checked}`
    /// (`blobs` and `bytes` are what the storage holds; `missing` counts the
    /// blobs the cache needs that it lacks).
    pub fn to_json(&self) -> Value {
        json!({
            "ok": self.ok(),
            "blobs": self.stored(),
            "bytes": self.stored_bytes,
            "reachable": self.reachable,
            "missing": self.blobs.len() - self.stored(),
            "unreachable": self.unreachable.0,
            "unreachableBytes": self.unreachable.1,
            "errors": self.count(Severity::Error),
            "warnings": self.count(Severity::Warning),
            "findings": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
            "checked": self.blobs.iter().map(BlobResult::to_json).collect::<Vec<_>>(),
        })
    }

    /// How many of the blobs listed the storage holds.
    fn stored(&self) -> usize {
        self.blobs.iter().filter(|b| b.stored).count()
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The report as text, one line per blob and per finding, then a summary.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blobs {
            let (blob, role) = (&b.blob, b.role.as_str());
            let _ = match b.code {
                None => writeln!(out, "ok    {blob}  {} bytes  {role}", b.size),
                Some(code) => writeln!(out, "FAIL  {blob}  {code}  {role}"),
            };
        }
        for f in &self.findings {
            let (severity, code) = (f.severity.as_str(), f.code());
            let _ = writeln!(out, "{severity:<7} {code}  {}: {}", f.path, f.message);
        }
        let missing = self.blobs.len() - self.stored();
        let _ = writeln!(
            out,
            "{}: {} blobs ({} bytes){}, {} reachable, {} unreachable ({} bytes); {} errors, {} warnings",
            if self.ok() { "ok" } else { "FAILED" },
            self.stored(),
            self.stored_bytes,
            if missing > 0 {
                format!(", {missing} missing")
            } else {
                String::new()
            },
            self.reachable,
            self.unreachable.0,
            self.unreachable.1,
            self.count(Severity::Error),
            self.count(Severity::Warning),
        );
        out
    }
}
