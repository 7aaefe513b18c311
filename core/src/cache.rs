//! A cache as the operations see it: an OCI layout's `index.json`, every
//! document it reaches (manifests, indexes, cache configs), read and
//! checked, plus what the storage holds ([`StoredBlob`]).
//!
//! The core never reads storage: [`CacheLoader`] asks for one blob at a
//! time and the caller (a storage driver) hands over its bytes. Documents
//! are hashed as they arrive, so a cache is only followed through content
//! that matches its digests.
//!
//! Spec: `cache-format.md` §4.2 (the layout, tags, BuildKit's import by tag),
//! §6 (detecting the wrapper); `oci-basics.md` §6 (layout), §1.4 (digests).

use std::collections::{BTreeMap, BTreeSet};

use crate::cache_config::{CacheConfig, DEFAULT_MAX_DOCUMENT_SIZE};
use crate::cache_manifest::CacheManifest;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{ErrorKind, Result};
use crate::finding::Finding;
use crate::layout::{
    ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, OciLayout, children, is_document, is_followed,
    media_type_finding, size_findings,
};
use crate::manifest::ImageIndex;

/// One blob file the storage holds, as a driver lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    /// Its path in the layout, `blobs/<algorithm>/<encoded>`.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time in milliseconds since the Unix epoch, if the
    /// storage knows it.
    pub modified_ms: Option<i64>,
    /// What the path is when it is not a regular file — `directory`,
    /// `fifo`, `socket`, `character device`, `block device`, `broken
    /// symlink` — or `None` for a blob file (a symlink to a regular file
    /// is one, as containerd's content store follows symlinks). Such a
    /// path is never read (a `NOT_A_FILE` finding) and never deleted.
    pub file_type: Option<String>,
}

impl StoredBlob {
    /// The digest its path names, or the error saying why it names none.
    pub fn digest(&self) -> Result<Digest> {
        OciLayout::digest_from_path(&self.path)
    }
}

/// One `index.json` entry and, when it is a cache, its manifest and config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    /// Its position in `index.json`'s `manifests`.
    pub position: usize,
    /// Its `org.opencontainers.image.ref.name`, if any.
    pub tag: Option<String>,
    /// The entry's descriptor.
    pub descriptor: Descriptor,
    /// The cache manifest, when the entry's document is one and was read.
    pub manifest: Option<CacheManifest>,
    /// The cache config, when it was read.
    pub config: Option<CacheConfig>,
}

impl CacheEntry {
    /// The entry's name in messages: its tag or its position.
    pub fn name(&self) -> String {
        match &self.tag {
            Some(t) => t.clone(),
            None => format!("manifests[{}]", self.position),
        }
    }
}

/// A loaded cache: `index.json`, its entries and every document they reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cache {
    /// `index.json`, when it could be read.
    pub index: Option<ImageIndex>,
    /// The entries of `index.json`, in order.
    pub entries: Vec<CacheEntry>,
    /// What went wrong while loading (missing or unreadable documents).
    pub findings: Vec<Finding>,
    /// Every document read, with the descriptors of the blobs it points at.
    pub(crate) children: BTreeMap<Digest, Vec<Descriptor>>,
    /// Documents that are missing, damaged or unreadable: what they reach
    /// is unknown.
    pub(crate) unknown: BTreeSet<Digest>,
    /// Every blob the loader was given (hashed while loading).
    pub(crate) read: BTreeSet<Digest>,
}

impl Cache {
    /// Whether every document reachable from `index.json` was read: when
    /// not, the set of reachable blobs is not known.
    pub fn is_complete(&self) -> bool {
        self.index.is_some() && self.unknown.is_empty()
    }

    /// The documents whose content is unknown (missing, damaged, unreadable).
    pub fn unknown_documents(&self) -> impl Iterator<Item = &Digest> {
        self.unknown.iter()
    }

    /// Every blob reachable from the entries `keep` selects, with the first
    /// descriptor that reaches it, in digest order. Walks documents already
    /// read; an unknown document is listed but not followed.
    pub fn reachable(&self, keep: impl Fn(&CacheEntry) -> bool) -> BTreeMap<Digest, Descriptor> {
        let mut reached = BTreeMap::new();
        let mut stack: Vec<&Descriptor> = self
            .entries
            .iter()
            .filter(|e| keep(e))
            .map(|e| &e.descriptor)
            .collect();
        stack.reverse();
        while let Some(d) = stack.pop() {
            if reached.contains_key(&d.digest) {
                continue;
            }
            reached.insert(d.digest.clone(), d.clone());
            if let Some(children) = self.children.get(&d.digest) {
                stack.extend(children.iter().rev());
            }
        }
        reached
    }

    /// The unknown documents among those the entries `keep` selects reach.
    pub fn unknown_reachable(&self, keep: impl Fn(&CacheEntry) -> bool) -> Vec<Digest> {
        let reached = self.reachable(keep);
        self.unknown
            .iter()
            .filter(|d| reached.contains_key(*d))
            .cloned()
            .collect()
    }
}

/// Loads a [`Cache`]: give it `index.json`, then feed it each blob
/// [`CacheLoader::next_needed`] asks for until it asks for none.
///
/// ```
/// use ocicache::{CacheForm, CacheLoader, CacheManifest, Descriptor, ImageIndex, MediaType};
///
/// let config = br#"{"layers":[],"records":[]}"#;
/// let m = CacheManifest::build(CacheForm::ImageManifest,
///     Descriptor::for_content(MediaType::CACHE_CONFIG, config), vec![]);
/// let bytes = m.to_bytes();
/// let mut index = ImageIndex::new(MediaType::OCI_INDEX, vec![]);
/// index.put_tag("latest", &Descriptor::for_content(MediaType::OCI_MANIFEST, &bytes))?;
/// let mut loader = CacheLoader::new(Some(&index.to_bytes()));
/// while let Some(d) = loader.next_needed().cloned() {
///     let blob: &[u8] = if d.media_type == MediaType::CACHE_CONFIG { config } else { &bytes };
///     loader.feed(&d.digest, blob)?;
/// }
/// let cache = loader.finish();
/// assert!(cache.is_complete());
/// assert_eq!(cache.entries[0].tag.as_deref(), Some("latest"));
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CacheLoader {
    cache: Cache,
    pending: Vec<Need>,
    asked: BTreeSet<Digest>,
}

#[derive(Debug, Clone)]
struct Need {
    descriptor: Descriptor,
    /// The entries whose manifest or config this blob is.
    entry: Option<usize>,
    config: bool,
}

impl CacheLoader {
    /// How many bytes of `index.json` (or of the document a location's
    /// `digest=` names) a driver reads at most: the document limit plus
    /// one, so that a longer file is told ([`ErrorKind::SizeLimitExceeded`]).
    pub const INDEX_READ_LIMIT: u64 = DEFAULT_MAX_DOCUMENT_SIZE + 1;

    /// A loader for the layout whose `index.json` holds `index` (`None`
    /// when the file is missing: the cache is then empty and incomplete).
    pub fn new(index: Option<&[u8]>) -> Self {
        let mut loader = CacheLoader {
            cache: Cache::default(),
            pending: Vec::new(),
            asked: BTreeSet::new(),
        };
        let parsed = match index {
            None => Err(crate::Error::new(
                ErrorKind::MissingBlob,
                "index.json is missing",
            )),
            Some(bytes) => crate::cache_config::check_limit(bytes, DEFAULT_MAX_DOCUMENT_SIZE)
                .and_then(|()| ImageIndex::from_bytes(bytes)),
        };
        match parsed {
            Ok(index) => {
                loader.cache.findings.extend(
                    index
                        .validate()
                        .into_iter()
                        .map(|f| within("index.json", f)),
                );
                for (position, d) in index.manifests.iter().enumerate() {
                    loader.cache.entries.push(CacheEntry {
                        position,
                        tag: d.annotations.get(ANNOTATION_REF_NAME).cloned(),
                        descriptor: d.clone(),
                        manifest: None,
                        config: None,
                    });
                    loader.ask(d, Some(position), false);
                }
                loader.cache.index = Some(index);
            }
            Err(e) => loader.cache.findings.push(Finding::error(
                e.kind(),
                located("index.json", field(&e)),
                e.message(),
            )),
        }
        loader.pending.reverse();
        loader
    }

    /// Asks for `d`'s bytes: an index.json entry's document whatever its
    /// media type says (BuildKit reads the tagged document by what it is),
    /// a config, and any blob [`is_followed`] says may point at others.
    fn ask(&mut self, d: &Descriptor, entry: Option<usize>, config: bool) {
        if !(config || entry.is_some() || is_followed(d)) {
            return;
        }
        // A blob is read once, except for an index.json entry's blobs: each
        // entry needs its own manifest and config.
        let first = self.asked.insert(d.digest.clone());
        if !first && entry.is_none() {
            return;
        }
        self.pending.push(Need {
            descriptor: d.clone(),
            entry,
            config,
        });
    }

    /// The next blob (a manifest, index or cache config) to read, if any.
    pub fn next_needed(&self) -> Option<&Descriptor> {
        self.pending.last().map(|n| &n.descriptor)
    }

    /// How many bytes of the next needed blob to read at most: its
    /// descriptor's size plus one (to tell a longer blob), never more than
    /// [`DEFAULT_MAX_DOCUMENT_SIZE`] plus one; `0` (read nothing, feed no
    /// bytes) when the descriptor itself says more than that limit.
    pub fn read_limit(&self) -> u64 {
        match self.next_needed() {
            Some(d) if d.size <= DEFAULT_MAX_DOCUMENT_SIZE => d.size + 1,
            _ => 0,
        }
    }

    /// The bytes of the blob [`CacheLoader::next_needed`] returned. A blob
    /// whose bytes do not match its digest or size, or do not parse, is
    /// recorded as a finding and not followed; the error is for a digest
    /// that was not asked for.
    pub fn feed(&mut self, digest: &Digest, bytes: &[u8]) -> Result<()> {
        let need = self.take(digest)?;
        let d = &need.descriptor;
        let path = d.digest.to_string();
        self.cache.read.insert(d.digest.clone());
        if d.size > DEFAULT_MAX_DOCUMENT_SIZE {
            self.cache.findings.push(Finding::error(
                ErrorKind::SizeLimitExceeded,
                path,
                format!(
                    "document is {} bytes by its descriptor, over the limit of {DEFAULT_MAX_DOCUMENT_SIZE}: not read",
                    d.size
                ),
            ));
            self.cache.unknown.insert(d.digest.clone());
            return Ok(());
        }
        if let Err(e) = crate::digester::verify(bytes, &d.digest, Some(d.size)) {
            self.cache
                .findings
                .push(Finding::error(e.kind(), path, e.message()));
            self.cache.unknown.insert(d.digest.clone());
            return Ok(());
        }
        if need.config {
            match CacheConfig::from_bytes(bytes) {
                Ok(c) => {
                    if let Some(at) = need.entry {
                        self.cache.entries[at].config = Some(c);
                    }
                }
                Err(e) => self.unreadable(d, &e),
            }
            return Ok(());
        }
        let children: Vec<Descriptor> = match children(bytes) {
            Ok((kind, c)) => {
                if let Some(f) = media_type_finding(&path, &d.media_type, kind) {
                    self.cache.findings.push(f);
                }
                if c.iter().any(|x| x.size > crate::size::MAX_SAFE_INTEGER) {
                    self.cache
                        .findings
                        .extend(size_findings(bytes, kind, &path));
                }
                c
            }
            // A blob of an unknown type, read only to see whether it is a
            // document: it is not, so it points at nothing.
            Err(_) if need.entry.is_none() && !is_document(&d.media_type) => return Ok(()),
            Err(e) => {
                self.unreadable(d, &e);
                return Ok(());
            }
        };
        for c in &children {
            self.ask(c, None, false);
        }
        self.cache.children.insert(d.digest.clone(), children);
        if let Some(at) = need.entry {
            self.entry_manifest(at, bytes);
        }
        Ok(())
    }

    fn entry_manifest(&mut self, at: usize, bytes: &[u8]) {
        let path = self.cache.entries[at].descriptor.digest.to_string();
        match CacheManifest::from_bytes(bytes) {
            Ok(m) => {
                let config = m.config().clone();
                self.cache.entries[at].manifest = Some(m);
                self.ask(&config, Some(at), true);
            }
            Err(e) if e.kind() == ErrorKind::MissingCacheConfig => {
                let name = self.cache.entries[at].name();
                self.cache.findings.push(Finding::warning(
                    e.kind(),
                    path,
                    format!("entry {name} is not a cache: {}", e.message()),
                ));
            }
            Err(e) => self.cache.findings.push(Finding::error(
                e.kind(),
                located(&path, field(&e)),
                e.message(),
            )),
        }
    }

    fn unreadable(&mut self, d: &Descriptor, e: &crate::Error) {
        self.cache.findings.push(Finding::error(
            e.kind(),
            located(d.digest.as_ref(), field(e)),
            e.message(),
        ));
        self.cache.unknown.insert(d.digest.clone());
    }

    fn take(&mut self, digest: &Digest) -> Result<Need> {
        let at = self
            .pending
            .iter()
            .rposition(|n| &n.descriptor.digest == digest)
            .ok_or_else(|| {
                crate::Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{digest} was not asked for"),
                )
            })?;
        Ok(self.pending.remove(at))
    }

    /// The layout's `oci-layout` file (`None` when it has none): a warning
    /// (`INVALID_LAYOUT`) when it is missing or names another
    /// `imageLayoutVersion` than 1.0.0 — the OCI layout spec asks for it,
    /// though BuildKit's importer does not read it.
    pub fn oci_layout(&mut self, bytes: Option<&[u8]>) {
        let problem = match bytes {
            None => "oci-layout is missing (an OCI image layout has one)".to_owned(),
            Some(b) => match OciLayout::check_file(b) {
                Ok(()) => return,
                Err(e) => e.message().to_owned(),
            },
        };
        self.cache.findings.push(Finding::warning(
            ErrorKind::InvalidLayout,
            "oci-layout",
            problem,
        ));
    }

    /// Reports that the storage could not read the blob
    /// [`CacheLoader::next_needed`] returned (`kind`: why, such as
    /// [`ErrorKind::NotAFile`] or [`ErrorKind::StorageError`]): a finding,
    /// and what the blob reaches is unknown.
    pub fn failed(&mut self, digest: &Digest, kind: ErrorKind, message: &str) -> Result<()> {
        let need = self.take(digest)?;
        self.cache.read.insert(digest.clone());
        self.cache.findings.push(Finding::error(
            kind,
            digest.to_string(),
            format!(
                "{} {digest} could not be read: {message}",
                if need.config {
                    "cache config"
                } else {
                    "document"
                }
            ),
        ));
        self.cache.unknown.insert(digest.clone());
        Ok(())
    }

    /// Reports that the blob [`CacheLoader::next_needed`] returned is not
    /// in the storage.
    pub fn missing(&mut self, digest: &Digest) -> Result<()> {
        let need = self.take(digest)?;
        let what = if need.config {
            "cache config"
        } else {
            "document"
        };
        self.cache.findings.push(Finding::error(
            ErrorKind::MissingBlob,
            digest.to_string(),
            format!(
                "{what} {digest} ({} bytes) is missing",
                need.descriptor.size
            ),
        ));
        self.cache.unknown.insert(digest.clone());
        Ok(())
    }

    /// The loaded cache. Blobs still pending count as unknown.
    pub fn finish(mut self) -> Cache {
        for n in std::mem::take(&mut self.pending) {
            self.cache.unknown.insert(n.descriptor.digest);
        }
        self.cache
    }
}

/// `path` with a JSON path inside it: `sha256:…#records[3].link`.
pub(crate) fn located(path: &str, field: Option<&str>) -> String {
    match field {
        Some(f) if !f.is_empty() => format!("{path}#{f}"),
        _ => path.to_owned(),
    }
}

/// A finding about a document, placed inside `path`.
pub(crate) fn within(path: &str, mut f: Finding) -> Finding {
    f.path = located(path, Some(&f.path));
    f
}

/// The JSON path an error is located at, if any.
pub(crate) fn field(e: &crate::Error) -> Option<&str> {
    e.location().and_then(|l| l.field.as_deref())
}

/// A listing's `modified`: whole milliseconds, or a fraction of them (as
/// Node's `Stats.mtimeMs` gives), rounded down.
fn modified_ms(value: &serde_json::Value) -> Option<i64> {
    // 2^63 ms is far past any clock; a float at or beyond it does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_807.0;
    value.as_i64().or_else(|| {
        let ms = value.as_f64()?.floor();
        // In range, so the cast is exact for the whole number `ms` is.
        #[allow(clippy::cast_possible_truncation)]
        (ms.is_finite() && ms.abs() < LIMIT).then_some(ms as i64)
    })
}

impl StoredBlob {
    /// A storage listing from JSON: `[{"path", "size", "modified"?,
    /// "type"?}]`, the form the bindings take (`modified` in milliseconds
    /// since the epoch, a fraction rounded down; `type` as
    /// [`StoredBlob::file_type`], `file` or absent for a regular file).
    pub fn list_from_json(bytes: &[u8]) -> Result<Vec<StoredBlob>> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| crate::Error::new(ErrorKind::InvalidArgument, format!("not JSON: {e}")))?;
        let bad = |at: usize, what: &str| {
            crate::Error::new(
                ErrorKind::InvalidArgument,
                format!("stored blob {at}: {what}"),
            )
            .in_field(format!("stored[{at}]"))
        };
        let list = value.as_array().ok_or_else(|| {
            crate::Error::new(ErrorKind::InvalidArgument, "stored blobs must be an array")
        })?;
        list.iter()
            .enumerate()
            .map(|(at, b)| {
                let path = b["path"]
                    .as_str()
                    .ok_or_else(|| bad(at, "path must be a string"))?;
                let size = b["size"]
                    .as_u64()
                    .ok_or_else(|| bad(at, "size must be a non-negative integer"))?;
                let modified_ms = match &b["modified"] {
                    serde_json::Value::Null => None,
                    m => Some(
                        modified_ms(m).ok_or_else(|| bad(at, "modified must be a number (ms)"))?,
                    ),
                };
                let file_type = match &b["type"] {
                    serde_json::Value::Null => None,
                    t => match t.as_str() {
                        Some("file") => None,
                        Some(other) if !other.is_empty() => Some(other.to_owned()),
                        _ => return Err(bad(at, "type must be a non-empty string")),
                    },
                };
                Ok(StoredBlob {
                    path: path.to_owned(),
                    size,
                    modified_ms,
                    file_type,
                })
            })
            .collect()
    }
}

impl Cache {
    /// The entry BuildKit imports for `tag`, as
    /// [`crate::ImageIndex::find_tag`] finds it: the first whose
    /// `io.containerd.image.name` is `tag`, else the first whose
    /// `org.opencontainers.image.ref.name` is. [`ErrorKind::TagNotFound`]
    /// when none is.
    pub fn entry(&self, tag: &str) -> Result<&CacheEntry> {
        let by = |key: &str| {
            self.entries
                .iter()
                .find(|e| e.descriptor.annotations.get(key).is_some_and(|v| v == tag))
        };
        by(ANNOTATION_IMAGE_NAME)
            .or_else(|| by(ANNOTATION_REF_NAME))
            .ok_or_else(|| {
                crate::Error::new(
                    ErrorKind::TagNotFound,
                    format!("no index.json entry has the tag {tag:?}"),
                )
            })
    }

    /// The cache manifest and config of the entry BuildKit imports for
    /// `tag` ([`Cache::entry`]). [`ErrorKind::TagNotFound`] when no entry
    /// has it, [`ErrorKind::MissingCacheConfig`] when it is not a readable
    /// cache.
    pub fn cache_entry(&self, tag: &str) -> Result<(&CacheManifest, &CacheConfig)> {
        let e = self.entry(tag)?;
        match (&e.manifest, &e.config) {
            (Some(m), Some(c)) => Ok((m, c)),
            _ => Err(crate::Error::new(
                ErrorKind::MissingCacheConfig,
                format!("the entry tagged {tag:?} is not a readable cache (run verify)"),
            )),
        }
    }
}
