//! OCI image manifests and image indexes (oci-basics.md §3, §4), read
//! tolerantly and written byte-for-byte like Go's image-spec v1.1.1 structs
//! (cache-format.md §2.4, §3): manifest fields `schemaVersion`, `mediaType`,
//! `artifactType`, `config`, `layers`, `subject`, `annotations`; index fields
//! `schemaVersion`, `mediaType`, `artifactType`, `manifests`, `subject`,
//! `annotations`. The Docker manifest and manifest list have the same shape
//! and are read and written by the same types.

use std::collections::BTreeMap;

use crate::descriptor::{Descriptor, read_string_map};
use crate::error::{ErrorKind, Result};
use crate::finding::Finding;
use crate::json::Extra;
use crate::json::reader::{Reader, document, is_key};
use crate::json::writer::Writer;
use crate::media_type::MediaType;

/// An image manifest: a config descriptor and layer descriptors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageManifest {
    /// `schemaVersion`, which must be 2.
    pub schema_version: i64,
    /// `mediaType`: the OCI or Docker manifest type, or empty.
    pub media_type: String,
    /// `artifactType`.
    pub artifact_type: String,
    /// The config descriptor; `None` when the document has none.
    pub config: Option<Descriptor>,
    /// The layer descriptors, in document order.
    pub layers: Vec<Descriptor>,
    /// `subject`, for the referrers API.
    pub subject: Option<Descriptor>,
    /// Manifest annotations.
    pub annotations: BTreeMap<String, String>,
    /// Members this library does not know.
    pub extra: Extra,
}

/// An image index (or Docker manifest list): a list of descriptors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageIndex {
    /// `schemaVersion`, which must be 2.
    pub schema_version: i64,
    /// `mediaType`: the OCI index or Docker manifest list type, or empty.
    pub media_type: String,
    /// `artifactType`.
    pub artifact_type: String,
    /// The entries, in document order.
    pub manifests: Vec<Descriptor>,
    /// `subject`, for the referrers API.
    pub subject: Option<Descriptor>,
    /// Index annotations.
    pub annotations: BTreeMap<String, String>,
    /// Members this library does not know.
    pub extra: Extra,
}

/// Top-level members shared by manifests and indexes, while reading.
#[derive(Default)]
struct Common {
    schema_version: i64,
    media_type: String,
    artifact_type: String,
    subject: Option<Descriptor>,
    annotations: BTreeMap<String, String>,
    extra: Extra,
}

impl Common {
    /// Reads the member `key` if it is a shared one; false otherwise.
    fn read(&mut self, r: &mut Reader<'_>, key: &str) -> Result<bool> {
        if is_key(key, "schemaVersion") {
            self.schema_version = r.int().map_err(|e| e.within("schemaVersion"))?;
        } else if is_key(key, "mediaType") {
            self.media_type = r.string().map_err(|e| e.within("mediaType"))?.into_owned();
        } else if is_key(key, "artifactType") {
            self.artifact_type = r
                .string()
                .map_err(|e| e.within("artifactType"))?
                .into_owned();
        } else if is_key(key, "subject") {
            self.subject = Some(Descriptor::read(r).map_err(|e| e.within("subject"))?);
        } else if is_key(key, "annotations") {
            self.annotations = read_string_map(r).map_err(|e| e.within("annotations"))?;
        } else {
            return Ok(false);
        }
        Ok(true)
    }
}

fn write_descriptors(w: &mut Writer, items: &[Descriptor]) {
    w.byte(b'[');
    for (i, d) in items.iter().enumerate() {
        if i > 0 {
            w.byte(b',');
        }
        d.write(w);
    }
    w.byte(b']');
}

fn write_head(w: &mut Writer, schema_version: i64, media_type: &str, artifact_type: &str) {
    w.raw(b"{\"schemaVersion\":");
    w.int(schema_version);
    if !media_type.is_empty() {
        w.raw(b",\"mediaType\":");
        w.string(media_type);
    }
    if !artifact_type.is_empty() {
        w.raw(b",\"artifactType\":");
        w.string(artifact_type);
    }
}

fn write_tail(
    w: &mut Writer,
    subject: Option<&Descriptor>,
    annotations: &BTreeMap<String, String>,
    extra: &Extra,
) {
    let mut first = false;
    if let Some(s) = subject {
        w.key(&mut first, "subject");
        s.write(w);
    }
    if !annotations.is_empty() {
        w.key(&mut first, "annotations");
        w.string_map(annotations.iter());
    }
    extra.write(w, &mut first);
    w.byte(b'}');
}

/// Findings shared by manifests and indexes: schema version and media type.
fn validate_head(
    schema_version: i64,
    media_type: &str,
    allowed: [&str; 2],
    findings: &mut Vec<Finding>,
) {
    if schema_version != 2 {
        findings.push(Finding::error(
            ErrorKind::InvalidSchemaVersion,
            "schemaVersion",
            format!("schemaVersion is {schema_version}, must be 2"),
        ));
    }
    if media_type.is_empty() {
        findings.push(Finding::warning(
            ErrorKind::MissingField,
            "mediaType",
            format!("no mediaType (should be {})", allowed[0]),
        ));
    } else if !allowed.contains(&media_type) {
        findings.push(Finding::error(
            ErrorKind::InvalidMediaType,
            "mediaType",
            format!("mediaType {media_type:?} is not {}", allowed.join(" or ")),
        ));
    }
}

impl ImageManifest {
    /// A manifest of `media_type` with a config and layers.
    pub fn new(media_type: &str, config: Descriptor, layers: Vec<Descriptor>) -> Self {
        ImageManifest {
            schema_version: 2,
            media_type: media_type.to_owned(),
            artifact_type: String::new(),
            config: Some(config),
            layers,
            subject: None,
            annotations: BTreeMap::new(),
            extra: Extra::default(),
        }
    }

    /// Reads a manifest from JSON bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ImageManifest> {
        document(bytes, ImageManifest::read)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<ImageManifest> {
        let mut common = Common::default();
        let mut config = None;
        let mut layers = Vec::new();
        r.object(|r, key| {
            if r.null()? || common.read(r, &key)? {
                return Ok(());
            }
            if is_key(&key, "config") {
                config = Descriptor::read_or_zero(r).map_err(|e| e.within("config"))?;
            } else if is_key(&key, "layers") {
                layers = r.list(Descriptor::read).map_err(|e| e.within("layers"))?;
            } else {
                common.extra.push(&key, r.skip()?);
            }
            Ok(())
        })?;
        Ok(ImageManifest {
            schema_version: common.schema_version,
            media_type: common.media_type,
            artifact_type: common.artifact_type,
            config,
            layers,
            subject: common.subject,
            annotations: common.annotations,
            extra: common.extra,
        })
    }

    /// The manifest as compact JSON, byte-for-byte as Go writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(256 + 320 * self.layers.len());
        write_head(
            &mut w,
            self.schema_version,
            &self.media_type,
            &self.artifact_type,
        );
        w.raw(b",\"config\":");
        match &self.config {
            Some(c) => c.write(&mut w),
            None => w.raw(b"{\"mediaType\":\"\",\"digest\":\"\",\"size\":0}"),
        }
        w.raw(b",\"layers\":");
        write_descriptors(&mut w, &self.layers);
        write_tail(
            &mut w,
            self.subject.as_ref(),
            &self.annotations,
            &self.extra,
        );
        w.out
    }

    /// Checks the manifest against the OCI rules (oci-basics.md §7).
    pub fn validate(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        validate_head(
            self.schema_version,
            &self.media_type,
            [MediaType::OCI_MANIFEST, MediaType::DOCKER_MANIFEST],
            &mut findings,
        );
        match &self.config {
            None => findings.push(Finding::error(
                ErrorKind::MissingField,
                "config",
                "manifest has no config",
            )),
            Some(c) => {
                c.validate_into("config", &mut findings);
                if c.media_type == MediaType::OCI_EMPTY && self.artifact_type.is_empty() {
                    findings.push(Finding::error(
                        ErrorKind::MissingField,
                        "artifactType",
                        "a manifest with the empty config needs an artifactType",
                    ));
                }
            }
        }
        if self.layers.is_empty() {
            findings.push(Finding::warning(
                ErrorKind::MissingField,
                "layers",
                "manifest has no layers (the OCI schema asks for at least one)",
            ));
        }
        for (i, l) in self.layers.iter().enumerate() {
            l.validate_into(&format!("layers[{i}]"), &mut findings);
        }
        if let Some(s) = &self.subject {
            s.validate_into("subject", &mut findings);
        }
        findings
    }
}

impl ImageIndex {
    /// An index of `media_type` listing `manifests`.
    pub fn new(media_type: &str, manifests: Vec<Descriptor>) -> Self {
        ImageIndex {
            schema_version: 2,
            media_type: media_type.to_owned(),
            artifact_type: String::new(),
            manifests,
            subject: None,
            annotations: BTreeMap::new(),
            extra: Extra::default(),
        }
    }

    /// Reads an index from JSON bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<ImageIndex> {
        document(bytes, ImageIndex::read)
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<ImageIndex> {
        let mut common = Common::default();
        let mut manifests = Vec::new();
        r.object(|r, key| {
            if r.null()? || common.read(r, &key)? {
                return Ok(());
            }
            if is_key(&key, "manifests") {
                manifests = r
                    .list(Descriptor::read)
                    .map_err(|e| e.within("manifests"))?;
            } else {
                common.extra.push(&key, r.skip()?);
            }
            Ok(())
        })?;
        Ok(ImageIndex {
            schema_version: common.schema_version,
            media_type: common.media_type,
            artifact_type: common.artifact_type,
            manifests,
            subject: common.subject,
            annotations: common.annotations,
            extra: common.extra,
        })
    }

    /// The index as compact JSON, byte-for-byte as Go writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(256 + 320 * self.manifests.len());
        write_head(
            &mut w,
            self.schema_version,
            &self.media_type,
            &self.artifact_type,
        );
        w.raw(b",\"manifests\":");
        write_descriptors(&mut w, &self.manifests);
        write_tail(
            &mut w,
            self.subject.as_ref(),
            &self.annotations,
            &self.extra,
        );
        w.out
    }

    /// Checks the index against the OCI rules (oci-basics.md §7).
    pub fn validate(&self) -> Vec<Finding> {
        let mut findings = Vec::new();
        validate_head(
            self.schema_version,
            &self.media_type,
            [MediaType::OCI_INDEX, MediaType::DOCKER_MANIFEST_LIST],
            &mut findings,
        );
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, m) in self.manifests.iter().enumerate() {
            m.validate_into(&format!("manifests[{i}]"), &mut findings);
            let Some(tag) = m.annotations.get(crate::layout::ANNOTATION_REF_NAME) else {
                continue;
            };
            if let Some(at) = first.get(tag.as_str()) {
                findings.push(Finding::warning(
                    ErrorKind::DuplicateTag,
                    format!("manifests[{i}]"),
                    format!(
                        "the tag {tag:?} names manifests[{at}] too: BuildKit imports the first \
                         (manifests[{at}]), and so does every operation but gc, which keeps both"
                    ),
                ));
            } else {
                first.insert(tag, i);
            }
        }
        if let Some(s) = &self.subject {
            s.validate_into("subject", &mut findings);
        }
        findings
    }
}

#[cfg(test)]
mod zero_config {
    use super::*;

    /// A manifest without `config` is written with Go's zero descriptor,
    /// which reads back as no config (Go reads it as the zero value too);
    /// an empty digest beside other fields is still refused.
    #[test]
    fn the_zero_config_reads_back_as_none() {
        let m = ImageManifest::from_bytes(br#"{"schemaVersion":2,"layers":[]}"#).unwrap();
        assert!(m.config.is_none());
        let bytes = m.to_bytes();
        assert!(
            String::from_utf8_lossy(&bytes)
                .contains(r#""config":{"mediaType":"","digest":"","size":0}"#)
        );
        assert_eq!(ImageManifest::from_bytes(&bytes).unwrap(), m);
        let half =
            br#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"","size":0},"layers":[]}"#;
        assert_eq!(
            ImageManifest::from_bytes(half).unwrap_err().kind(),
            ErrorKind::InvalidDigest
        );
    }
}
