//! The OCI image layout a `type=local` cache lives in (oci-basics.md §6,
//! cache-format.md §4.2): the `oci-layout` file, `index.json` with one entry
//! per tag (`org.opencontainers.image.ref.name`), selecting a manifest by tag
//! the way BuildKit's client does, updating `index.json` the way
//! `ociindex.StoreIndex.Put` does, blob paths built only from a validated
//! [`Digest`], and the walk that finds which blobs `index.json` reaches.

use std::collections::{BTreeMap, HashSet};

use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::json::reader::{document, is_key};
use crate::manifest::{ImageIndex, ImageManifest};
use crate::media_type::MediaType;

/// Annotation naming the tag of an `index.json` entry.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
/// containerd's annotation with a full image name, preferred by BuildKit's
/// client when it selects an entry.
pub const ANNOTATION_IMAGE_NAME: &str = "io.containerd.image.name";
/// The tag BuildKit uses when none is given.
pub const DEFAULT_TAG: &str = "latest";

/// The `oci-layout` file and the layout's paths and `index.json` rules.
///
/// ```
/// use ocicache::{Digest, OciLayout};
///
/// assert_eq!(OciLayout::FILE_CONTENT, br#"{"imageLayoutVersion":"1.0.0"}"#);
/// let d = Digest::parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")?;
/// assert_eq!(OciLayout::blob_path(&d), "blobs/sha256/44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
/// assert_eq!(OciLayout::digest_from_path(&OciLayout::blob_path(&d))?, d);
/// assert!(OciLayout::digest_from_path("blobs/sha256/../../etc/passwd").is_err());
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OciLayout;

impl OciLayout {
    /// The `oci-layout` file BuildKit writes.
    pub const FILE_CONTENT: &'static [u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

    /// Checks an `oci-layout` file: an object whose `imageLayoutVersion` is
    /// `"1.0.0"` (other members allowed), else [`ErrorKind::InvalidLayout`].
    pub fn check_file(bytes: &[u8]) -> Result<()> {
        let mut version = None;
        let parsed = document(bytes, |r| {
            r.object(|r, key| {
                if is_key(&key, "imageLayoutVersion") && r.peek() == Some(b'"') {
                    version = Some(r.string()?.into_owned());
                } else {
                    r.skip()?;
                }
                Ok(())
            })
        });
        let invalid =
            |why: String| Error::new(ErrorKind::InvalidLayout, why).in_field("oci-layout");
        match (parsed, version) {
            (Err(e), _) => Err(invalid(format!(
                "oci-layout is not a JSON object: {}",
                e.message()
            ))),
            (Ok(()), Some(v)) if v == "1.0.0" => Ok(()),
            (Ok(()), Some(v)) => Err(invalid(format!(
                "imageLayoutVersion is {v:?}, not \"1.0.0\""
            ))),
            (Ok(()), None) => Err(invalid("oci-layout has no imageLayoutVersion".into())),
        }
    }

    /// The path of a blob in a layout, `blobs/<algorithm>/<encoded>`. Safe
    /// by construction: a [`Digest`] holds only `[a-z0-9]` algorithms and
    /// hex encodings, so no `/`, `.` or `..` can reach the path.
    pub fn blob_path(digest: &Digest) -> String {
        format!("blobs/{}/{}", digest.algorithm(), digest.encoded())
    }

    /// The digest a blob path names; [`ErrorKind::InvalidDigest`] for any
    /// path that is not exactly `blobs/<algorithm>/<encoded>`.
    pub fn digest_from_path(path: &str) -> Result<Digest> {
        let rest = path.strip_prefix("blobs/").ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidDigest,
                format!("{path:?} is not under blobs/"),
            )
        })?;
        let (alg, enc) = rest.split_once('/').ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidDigest,
                format!("{path:?} is not blobs/<alg>/<encoded>"),
            )
        })?;
        let digest = Digest::parse(&format!("{alg}:{enc}"))?;
        if OciLayout::blob_path(&digest) == path {
            Ok(digest)
        } else {
            Err(Error::new(
                ErrorKind::InvalidDigest,
                format!("{path:?} is not a blob path"),
            ))
        }
    }

    /// Checks a tag for `index.json`: non-empty and following the
    /// `org.opencontainers.image.ref.name` grammar (components of
    /// `[A-Za-z0-9]` joined by `-._:@+` or `--`, separated by `/`).
    pub fn check_tag(tag: &str) -> Result<()> {
        let ok_component = |c: &str| {
            let b = c.as_bytes();
            if b.is_empty()
                || !b[0].is_ascii_alphanumeric()
                || !b[b.len() - 1].is_ascii_alphanumeric()
            {
                return false;
            }
            let mut i = 0;
            while i < b.len() {
                if b[i].is_ascii_alphanumeric() {
                    i += 1;
                } else if b[i] == b'-' && b.get(i + 1) == Some(&b'-') {
                    i += 2;
                    if !b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                        return false;
                    }
                } else if b"-._:@+".contains(&b[i]) {
                    i += 1;
                    if !b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                        return false;
                    }
                } else {
                    return false;
                }
            }
            true
        };
        if tag.split('/').all(ok_component) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::InvalidTag,
                format!("{tag:?} is not a valid {ANNOTATION_REF_NAME}"),
            )
            .in_field("tag"))
        }
    }
}

impl ImageIndex {
    /// The entry BuildKit's client imports for `tag`: the first whose
    /// `io.containerd.image.name` is the tag, else the first whose
    /// `org.opencontainers.image.ref.name` is ([`ErrorKind::TagNotFound`]
    /// when none is).
    pub fn find_tag(&self, tag: &str) -> Result<&Descriptor> {
        let by = |key: &str| {
            self.manifests
                .iter()
                .find(|d| d.annotations.get(key).is_some_and(|v| v == tag))
        };
        by(ANNOTATION_IMAGE_NAME)
            .or_else(|| by(ANNOTATION_REF_NAME))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::TagNotFound,
                    format!("no index.json entry is tagged {tag:?}"),
                )
                .in_field("tag")
            })
    }

    /// The tags of the entries (their `org.opencontainers.image.ref.name`),
    /// in order, without repeats.
    pub fn tags(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.manifests
            .iter()
            .filter_map(|d| d.annotations.get(ANNOTATION_REF_NAME).map(String::as_str))
            .filter(|t| seen.insert(*t))
            .collect()
    }

    /// Updates the index the way BuildKit's client does after an export to
    /// `tag`: defaults `schemaVersion` 2 and the OCI index media type, drops
    /// unknown top-level members, removes the entries tagged `tag` that have
    /// no `io.containerd.image.name`, and appends `descriptor` (media type,
    /// digest, size) tagged `tag`.
    pub fn put_tag(&mut self, tag: &str, descriptor: &Descriptor) -> Result<()> {
        OciLayout::check_tag(tag)?;
        if self.schema_version == 0 {
            self.schema_version = 2;
        }
        if self.media_type.is_empty() {
            MediaType::OCI_INDEX.clone_into(&mut self.media_type);
        }
        self.extra = crate::json::Extra::default();
        self.manifests.retain(|d| {
            d.annotations
                .get(ANNOTATION_REF_NAME)
                .is_none_or(|t| t != tag)
                || d.annotations
                    .get(ANNOTATION_IMAGE_NAME)
                    .is_some_and(|n| !n.is_empty())
        });
        let mut entry = Descriptor::new(
            descriptor.media_type.clone(),
            descriptor.digest.clone(),
            descriptor.size,
        );
        entry.annotations = BTreeMap::from([(ANNOTATION_REF_NAME.to_owned(), tag.to_owned())]);
        self.manifests.push(entry);
        Ok(())
    }

    /// The bytes of `index.json` after an export of `descriptor` to `tag`,
    /// given the current file (`None` or empty when there is none).
    pub fn updated_layout_index(
        current: Option<&[u8]>,
        tag: &str,
        descriptor: &Descriptor,
    ) -> Result<Vec<u8>> {
        let mut index = match current {
            Some(b) if !b.is_empty() => ImageIndex::from_bytes(b)?,
            _ => ImageIndex::new("", Vec::new()),
        };
        index.put_tag(tag, descriptor)?;
        Ok(index.to_bytes())
    }

    /// `index.json` as a location with `tag=` shows it to a reader: only the
    /// entry [`ImageIndex::find_tag`] picks, the one BuildKit imports.
    /// [`ErrorKind::TagNotFound`] when there is none (or no `index.json`).
    pub fn selected_layout_index(current: Option<&[u8]>, tag: &str) -> Result<Vec<u8>> {
        let Some(bytes) = current else {
            return Err(Error::new(
                ErrorKind::TagNotFound,
                format!("no index.json, so no entry is tagged {tag:?}"),
            )
            .in_field("tag"));
        };
        let mut index = ImageIndex::from_bytes(bytes)?;
        let entry = index.find_tag(tag)?.clone();
        index.manifests = vec![entry];
        Ok(index.to_bytes())
    }

    /// `index.json` for a location pinned with `digest=` (BuildKit's local
    /// importer reads that manifest whatever `index.json` says): one entry,
    /// tagged `tag`, for `document`, which must hash to `digest`. Its media
    /// type is the document's own `mediaType`, else what its shape says.
    pub fn pinned_layout_index(document: &[u8], digest: &Digest, tag: &str) -> Result<Vec<u8>> {
        crate::cache_config::check_limit(document, crate::DEFAULT_MAX_DOCUMENT_SIZE)?;
        crate::digester::verify(document, digest, None)?;
        let media_type = crate::cache_manifest::document_media_type(document)?;
        let size = u64::try_from(document.len()).unwrap_or(u64::MAX);
        ImageIndex::updated_layout_index(
            None,
            tag,
            &Descriptor::new(media_type, digest.clone(), size),
        )
    }
}

/// Finds the blobs reachable from a layout's `index.json`: the caller reads
/// each blob [`Reachability::next_needed`] asks for and hands its bytes to
/// [`Reachability::feed`] (or reports it missing). Manifests and indexes are
/// followed (config, layers, subject, entries), by their shape; so is a
/// small blob of an unknown media type that turns out to be one; layers and
/// configs are leaves.
///
/// ```
/// use ocicache::{Descriptor, ImageIndex, MediaType, Reachability};
///
/// let leaf = Descriptor::for_content(MediaType::OCI_LAYER_GZIP, b"hi");
/// let index = ImageIndex::new(MediaType::OCI_INDEX, vec![leaf.clone()]);
/// let mut walk = Reachability::new(&index, None);
/// assert!(walk.next_needed().is_none());
/// assert_eq!(walk.reachable(), [leaf.digest]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Reachability {
    reached: BTreeMap<Digest, Descriptor>,
    pending: Vec<Descriptor>,
    missing: Vec<Digest>,
}

impl Reachability {
    /// A walk from the entries of `index`; with `tags`, only from entries
    /// whose `org.opencontainers.image.ref.name` is one of them.
    pub fn new(index: &ImageIndex, tags: Option<&[&str]>) -> Self {
        let mut walk = Reachability::default();
        for d in &index.manifests {
            let tag = d.annotations.get(ANNOTATION_REF_NAME).map(String::as_str);
            if tags.is_none_or(|t| tag.is_some_and(|tag| t.contains(&tag))) {
                walk.add(d);
            }
        }
        walk
    }

    fn add(&mut self, d: &Descriptor) {
        if self.reached.contains_key(&d.digest) {
            return;
        }
        self.reached.insert(d.digest.clone(), d.clone());
        if is_followed(d) {
            self.pending.push(d.clone());
        }
    }

    /// The next manifest or index whose bytes the walk needs, if any.
    pub fn next_needed(&self) -> Option<Descriptor> {
        self.pending.last().cloned()
    }

    /// The bytes of the blob [`Reachability::next_needed`] returned.
    pub fn feed(&mut self, digest: &Digest, bytes: &[u8]) -> Result<()> {
        let Some(at) = self.pending.iter().rposition(|d| &d.digest == digest) else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{digest} was not asked for"),
            ));
        };
        let d = self.pending.remove(at);
        match children(bytes) {
            Ok((_, list)) => list.iter().for_each(|c| self.add(c)),
            // A blob of an unknown type read only to see whether it is a
            // document: it is not, so it points at nothing.
            Err(_) if !is_document(&d.media_type) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Reports that the blob [`Reachability::next_needed`] returned is missing.
    pub fn missing(&mut self, digest: &Digest) {
        if let Some(at) = self.pending.iter().rposition(|d| &d.digest == digest) {
            self.pending.remove(at);
            self.missing.push(digest.clone());
        }
    }

    /// The reachable blobs so far, sorted (missing ones included).
    pub fn reachable(&self) -> Vec<Digest> {
        self.reached.keys().cloned().collect()
    }

    /// Each reachable blob with the descriptor that first reached it.
    pub fn descriptors(&self) -> impl Iterator<Item = &Descriptor> {
        self.reached.values()
    }

    /// The documents found missing.
    pub fn missing_documents(&self) -> &[Digest] {
        &self.missing
    }
}

/// What a document is, by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocumentKind {
    /// It has `config` or `layers` (or neither, nor `manifests`).
    Manifest,
    /// It has `manifests`.
    Index,
}

/// The descriptors a manifest or index document points at — config,
/// layers and subject, or an index's entries — read by what the document
/// is (its shape), whatever the media type its descriptor claims: a
/// document that says it is an index but is a manifest still reaches its
/// config and layers (BuildKit's importer, too, reads the tagged document
/// by what it is).
pub(crate) fn children(bytes: &[u8]) -> Result<(DocumentKind, Vec<Descriptor>)> {
    let (manifest, index, _) = crate::cache_manifest::detect(bytes)?;
    if index && !manifest {
        return Ok((
            DocumentKind::Index,
            ImageIndex::from_bytes(bytes)?.manifests,
        ));
    }
    let m = ImageManifest::from_bytes(bytes)?;
    let list = m
        .config
        .into_iter()
        .chain(m.layers)
        .chain(m.subject)
        .collect();
    Ok((DocumentKind::Manifest, list))
}

/// The finding, if any, about a document whose descriptor says
/// `media_type` and which is a `kind`: a document type of the other kind
/// (`MEDIA_TYPE_MISMATCH`), or no document type at all
/// (`UNKNOWN_MEDIA_TYPE`). Warnings: the walk follows it anyway.
pub(crate) fn media_type_finding(
    path: &str,
    media_type: &str,
    kind: DocumentKind,
) -> Option<crate::Finding> {
    let is = match kind {
        DocumentKind::Manifest => "a manifest",
        DocumentKind::Index => "an index",
    };
    if is_document(media_type) {
        (is_index(media_type) != (kind == DocumentKind::Index)).then(|| {
            crate::Finding::warning(
                ErrorKind::MediaTypeMismatch,
                path,
                format!("its descriptor says {media_type:?}, but it is {is}; followed as {is}"),
            )
        })
    } else {
        Some(crate::Finding::warning(
            ErrorKind::UnknownMediaType,
            path,
            format!(
                "its descriptor says {media_type:?}, not a manifest or index type, but it is {is}; followed"
            ),
        ))
    }
}

/// `SIZE_OUT_OF_RANGE` for each descriptor of the document `bytes` (a
/// `kind`, at `path`) that claims more than 2^53−1 bytes: no blob is that
/// large, and the reports count it as unknown.
pub(crate) fn size_findings(bytes: &[u8], kind: DocumentKind, path: &str) -> Vec<crate::Finding> {
    let named: Vec<(String, &Descriptor)>;
    let (index, manifest);
    match kind {
        DocumentKind::Index => {
            let Ok(i) = ImageIndex::from_bytes(bytes) else {
                return Vec::new();
            };
            index = i;
            named = index
                .manifests
                .iter()
                .enumerate()
                .map(|(n, d)| (format!("manifests[{n}]"), d))
                .collect();
        }
        DocumentKind::Manifest => {
            let Ok(m) = ImageManifest::from_bytes(bytes) else {
                return Vec::new();
            };
            manifest = m;
            named = manifest
                .config
                .iter()
                .map(|d| ("config".to_owned(), d))
                .chain(
                    manifest
                        .layers
                        .iter()
                        .enumerate()
                        .map(|(n, d)| (format!("layers[{n}]"), d)),
                )
                .chain(manifest.subject.iter().map(|d| ("subject".to_owned(), d)))
                .collect();
        }
    }
    let mut findings = Vec::new();
    for (name, d) in named {
        if d.size > crate::size::MAX_SAFE_INTEGER {
            d.validate_into(&format!("{path}#{name}"), &mut findings);
            findings.retain(|f| f.kind == ErrorKind::SizeOutOfRange);
        }
    }
    findings
}

/// The largest blob of an unknown media type read to see whether it is a
/// manifest or an index after all: 4 MiB.
pub(crate) const SNIFF_LIMIT: u64 = 4 << 20;

/// Whether a walk reads the blob `d` to follow what it points at: always a
/// manifest or index; a blob whose media type is neither nor a known leaf
/// (a layer, a config) when it is small enough to be a document — whatever
/// any document reaches is kept, so a mislabelled manifest must not hide
/// its blobs.
pub(crate) fn is_followed(d: &Descriptor) -> bool {
    is_document(&d.media_type) || (!is_leaf(&d.media_type) && d.size <= SNIFF_LIMIT)
}

/// Media types whose blobs point at nothing: layers and configs.
fn is_leaf(media_type: &str) -> bool {
    MediaType::layer_compression(media_type).is_some()
        || [
            MediaType::CACHE_CONFIG,
            MediaType::OCI_IMAGE_CONFIG,
            MediaType::DOCKER_IMAGE_CONFIG,
            MediaType::OCI_EMPTY,
        ]
        .contains(&media_type)
}

fn is_index(media_type: &str) -> bool {
    media_type == MediaType::OCI_INDEX || media_type == MediaType::DOCKER_MANIFEST_LIST
}

/// Whether blobs of `media_type` point at other blobs (manifests, indexes).
pub(crate) fn is_document(media_type: &str) -> bool {
    is_index(media_type)
        || media_type == MediaType::OCI_MANIFEST
        || media_type == MediaType::DOCKER_MANIFEST
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_grammar() {
        for ok in ["latest", "v1.2", "a/b", "main--x", "a:b@c+d", "A_1"] {
            OciLayout::check_tag(ok).unwrap();
        }
        for bad in ["", "-a", "a-", "a//b", "a b", "../x", "a..b", "a/", "ü"] {
            assert_eq!(
                OciLayout::check_tag(bad).unwrap_err().kind(),
                ErrorKind::InvalidTag,
                "{bad}"
            );
        }
    }

    #[test]
    fn layout_file() {
        OciLayout::check_file(OciLayout::FILE_CONTENT).unwrap();
        OciLayout::check_file(br#"{"imageLayoutVersion":"1.0.0","x":1}"#).unwrap();
        for bad in [
            &b""[..],
            b"[]",
            br#"{"imageLayoutVersion":"1.1.0"}"#,
            b"{}",
            br#"{"imageLayoutVersion":1}"#,
        ] {
            assert_eq!(
                OciLayout::check_file(bad).unwrap_err().kind(),
                ErrorKind::InvalidLayout
            );
        }
    }

    #[test]
    fn put_tag_keeps_other_tags_and_named_images() {
        let a = Descriptor::for_content(MediaType::OCI_MANIFEST, b"a");
        let b = Descriptor::for_content(MediaType::OCI_MANIFEST, b"b");
        let named = a
            .clone()
            .with_annotation(ANNOTATION_REF_NAME, "latest")
            .with_annotation(ANNOTATION_IMAGE_NAME, "docker.io/x/y:latest");
        let mut index = ImageIndex::new(MediaType::OCI_INDEX, vec![named.clone()]);
        index.put_tag("latest", &a).unwrap();
        index.put_tag("other", &a).unwrap();
        index.put_tag("latest", &b).unwrap();
        assert_eq!(index.tags(), ["latest", "other"]);
        assert_eq!(index.manifests.len(), 3);
        assert_eq!(index.manifests[0], named);
        assert_eq!(
            index.find_tag("latest").unwrap(),
            &named,
            "io.containerd.image.name wins"
        );
        assert_eq!(index.manifests[2].digest, b.digest);
        assert_eq!(
            index.find_tag("nope").unwrap_err().kind(),
            ErrorKind::TagNotFound
        );
        assert_eq!(
            index.put_tag("../x", &a).unwrap_err().kind(),
            ErrorKind::InvalidTag
        );
    }

    #[test]
    fn a_selected_index_holds_the_entry_buildkit_imports() {
        let a = Descriptor::for_content(MediaType::OCI_MANIFEST, b"a");
        let b = Descriptor::for_content(MediaType::OCI_MANIFEST, b"b");
        let mut index = ImageIndex::new(MediaType::OCI_INDEX, vec![]);
        index.put_tag("main", &a).unwrap();
        index.put_tag("branch", &b).unwrap();
        let mut twice = index.clone();
        twice
            .manifests
            .push(b.clone().with_annotation(ANNOTATION_REF_NAME, "main"));
        let view = ImageIndex::selected_layout_index(Some(&twice.to_bytes()), "main").unwrap();
        let view = ImageIndex::from_bytes(&view).unwrap();
        assert_eq!(view.manifests.len(), 1);
        assert_eq!(
            view.manifests[0].digest, a.digest,
            "the first entry, as BuildKit"
        );
        let err = ImageIndex::selected_layout_index(Some(&index.to_bytes()), "nosuch").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TagNotFound);
        let err = ImageIndex::selected_layout_index(None, "main").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TagNotFound);
    }

    #[test]
    fn a_pinned_index_names_the_document_by_its_digest() {
        let doc = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        let d = crate::digest(doc, crate::Algorithm::Sha256);
        let view = ImageIndex::pinned_layout_index(doc, &d, "latest").unwrap();
        let view = ImageIndex::from_bytes(&view).unwrap();
        let entry = view.find_tag("latest").unwrap();
        assert_eq!((&entry.digest, entry.size), (&d, doc.len() as u64));
        assert_eq!(entry.media_type, MediaType::OCI_INDEX);
        // No mediaType: the shape says.
        let bare = br#"{"schemaVersion":2,"config":{},"layers":[]}"#;
        let view = ImageIndex::pinned_layout_index(
            bare,
            &crate::digest(bare, crate::Algorithm::Sha256),
            "t",
        )
        .unwrap();
        assert_eq!(
            ImageIndex::from_bytes(&view).unwrap().manifests[0].media_type,
            MediaType::OCI_MANIFEST
        );
        let err = ImageIndex::pinned_layout_index(b"{}", &d, "t").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DigestMismatch);
        let empty = b"{}";
        let err = ImageIndex::pinned_layout_index(
            empty,
            &crate::digest(empty, crate::Algorithm::Sha256),
            "t",
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingField);
    }
}
