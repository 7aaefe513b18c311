//! The document that wraps a cache config for the registry and local
//! backends, in any of its forms, read into one model: the cache config
//! descriptor plus the layer descriptors.
//!
//! Spec: cache-format.md §3.1 (choosing the form from `oci-mediatypes` and
//! `image-manifest`), §3.2–§3.4 (the image-manifest, index and Docker
//! manifest-list forms and their layer descriptors), §6 (how the importer
//! detects the form and finds the config). Written byte-for-byte like
//! BuildKit: the same bytes as the real exports in `tests/fixtures`.

use std::collections::{HashMap, HashSet};

use crate::cache_config::{BUILDKIT_MAX_BLOB_SIZE, CacheConfig, ValidateOptions};
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::finding::Finding;
use crate::json::reader::{document, is_key};
use crate::manifest::{ImageIndex, ImageManifest};
use crate::media_type::MediaType;
use crate::time::Timestamp;
use crate::{Settings, cache_config::DEFAULT_MAX_DOCUMENT_SIZE, cache_config::check_limit};

/// Annotation of a layer's diffID (required by BuildKit's importer).
pub const ANNOTATION_UNCOMPRESSED: &str = "containerd.io/uncompressed";
/// Annotation of a layer's creation time.
pub const ANNOTATION_CREATED_AT: &str = "buildkit/createdat";
/// Annotation of a layer's description (synthesised for inline caches).
pub const ANNOTATION_DESCRIPTION: &str = "buildkit/description";
/// The annotations an estargz layer carries (BuildKit's
/// `compression.EStargzAnnotations`: the TOC's digest and the uncompressed
/// size), true only of that blob: a recompressed layer drops them.
pub const ESTARGZ_ANNOTATIONS: [&str; 2] = [
    "containerd.io/snapshot/stargz/toc.digest",
    "io.containers.estargz.uncompressed-size",
];

/// The form of a cache manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CacheForm {
    /// An OCI image manifest whose config is the cache config (BuildKit's
    /// default since v0.21).
    ImageManifest,
    /// An OCI image index listing the layers, then the cache config
    /// (`image-manifest=false`).
    ImageIndex,
    /// A Docker manifest list, same shape with Docker media types
    /// (`oci-mediatypes=false`).
    DockerManifestList,
    /// A Docker image manifest whose config is the cache config: read, never
    /// written by BuildKit.
    DockerManifest,
}

impl CacheForm {
    /// `image-manifest`, `image-index`, `docker-manifest-list` or
    /// `docker-manifest`.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheForm::ImageManifest => "image-manifest",
            CacheForm::ImageIndex => "image-index",
            CacheForm::DockerManifestList => "docker-manifest-list",
            CacheForm::DockerManifest => "docker-manifest",
        }
    }

    /// The form named by [`CacheForm::as_str`].
    pub fn parse(name: &str) -> Result<CacheForm> {
        [
            CacheForm::ImageManifest,
            CacheForm::ImageIndex,
            CacheForm::DockerManifestList,
            CacheForm::DockerManifest,
        ]
        .into_iter()
        .find(|f| f.as_str() == name)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("unknown cache form {name:?}: use image-manifest, image-index, docker-manifest-list or docker-manifest"),
            )
        })
    }

    /// The form BuildKit writes for `oci-mediatypes` and `image-manifest`
    /// (§3.1); Docker media types with an image manifest is
    /// [`ErrorKind::InvalidOptionValue`], as BuildKit refuses it.
    pub fn from_options(oci_mediatypes: bool, image_manifest: bool) -> Result<CacheForm> {
        match (oci_mediatypes, image_manifest) {
            (true, true) => Ok(CacheForm::ImageManifest),
            (true, false) => Ok(CacheForm::ImageIndex),
            (false, false) => Ok(CacheForm::DockerManifestList),
            (false, true) => Err(Error::new(
                ErrorKind::InvalidOptionValue,
                "invalid configuration for remote cache, OCI mediatypes are required for image-manifest cache format",
            )
            .in_field("image-manifest")),
        }
    }

    /// The form a parsed `registry` or `local` cache option writes;
    /// [`ErrorKind::OptionNotAllowed`] for backends without a wrapper.
    pub fn from_settings(settings: &Settings) -> Result<CacheForm> {
        match settings {
            Settings::Registry(r) => CacheForm::from_options(r.oci_mediatypes, r.image_manifest),
            Settings::Local(l) => CacheForm::from_options(l.oci_mediatypes, l.image_manifest),
            _ => Err(Error::new(
                ErrorKind::OptionNotAllowed,
                "only registry and local caches have a cache manifest",
            )),
        }
    }

    /// The media type of the document of this form.
    pub fn media_type(self) -> &'static str {
        match self {
            CacheForm::ImageManifest => MediaType::OCI_MANIFEST,
            CacheForm::ImageIndex => MediaType::OCI_INDEX,
            CacheForm::DockerManifestList => MediaType::DOCKER_MANIFEST_LIST,
            CacheForm::DockerManifest => MediaType::DOCKER_MANIFEST,
        }
    }

    /// Whether the layers use OCI media types (else Docker ones).
    pub fn is_oci(self) -> bool {
        matches!(self, CacheForm::ImageManifest | CacheForm::ImageIndex)
    }
}

/// The document itself: a manifest or an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheDocument {
    /// The image-manifest forms.
    Manifest(Box<ImageManifest>),
    /// The index and manifest-list forms.
    Index(Box<ImageIndex>),
}

/// A cache manifest in any form: the cache config descriptor and the layer
/// descriptors, with the exact document they came from.
///
/// ```
/// use ocicache::{CacheForm, CacheManifest, Descriptor, MediaType};
///
/// let config = Descriptor::for_content(MediaType::CACHE_CONFIG, b"{}");
/// let m = CacheManifest::build(CacheForm::ImageIndex, config.clone(), vec![]);
/// let read = CacheManifest::from_bytes(&m.to_bytes())?;
/// assert_eq!(read.form(), CacheForm::ImageIndex);
/// assert_eq!(read.config(), &config);
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheManifest {
    form: CacheForm,
    document: CacheDocument,
    /// Index of the config descriptor in an index's `manifests`.
    config_at: usize,
}

impl CacheManifest {
    /// Reads a cache manifest of any form, detecting it like BuildKit's
    /// importer (§6).
    pub fn from_bytes(bytes: &[u8]) -> Result<CacheManifest> {
        CacheManifest::from_bytes_with_limit(bytes, DEFAULT_MAX_DOCUMENT_SIZE)
    }

    /// [`CacheManifest::from_bytes`] with our own size limit.
    pub fn from_bytes_with_limit(bytes: &[u8], max_size: u64) -> Result<CacheManifest> {
        check_limit(bytes, max_size)?;
        let (is_manifest, _, media_type) = detect(bytes)?;
        let index_family = [MediaType::OCI_INDEX, MediaType::DOCKER_MANIFEST_LIST];
        let manifest_family = [MediaType::OCI_MANIFEST, MediaType::DOCKER_MANIFEST];
        let mismatch = |mt: &str| {
            Error::new(
                ErrorKind::MediaTypeMismatch,
                format!("mediaType in manifest does not match manifest contents: {mt:?}"),
            )
            .in_field("mediaType")
        };
        if is_manifest {
            if index_family.contains(&media_type.as_str()) {
                return Err(mismatch(&media_type));
            }
            let m = ImageManifest::from_bytes(bytes)?;
            let form = if m.media_type == MediaType::OCI_MANIFEST {
                CacheForm::ImageManifest
            } else {
                CacheForm::DockerManifest
            };
            if m.config
                .as_ref()
                .is_none_or(|c| c.media_type != MediaType::CACHE_CONFIG)
            {
                return Err(no_config());
            }
            Ok(CacheManifest {
                form,
                document: CacheDocument::Manifest(Box::new(m)),
                config_at: 0,
            })
        } else {
            if manifest_family.contains(&media_type.as_str()) {
                return Err(mismatch(&media_type));
            }
            let i = ImageIndex::from_bytes(bytes)?;
            let form = if i.media_type == MediaType::OCI_INDEX {
                CacheForm::ImageIndex
            } else {
                CacheForm::DockerManifestList
            };
            let config_at = i
                .manifests
                .iter()
                .rposition(|d| d.media_type == MediaType::CACHE_CONFIG)
                .ok_or_else(no_config)?;
            Ok(CacheManifest {
                form,
                document: CacheDocument::Index(Box::new(i)),
                config_at,
            })
        }
    }

    /// A new cache manifest of `form`, written the way BuildKit's exporter
    /// writes it: layer media types converted to the form's family, the
    /// config descriptor reduced to media type, digest and size.
    pub fn build(form: CacheForm, config: Descriptor, layers: Vec<Descriptor>) -> CacheManifest {
        let oci = form.is_oci();
        let layers: Vec<Descriptor> = layers
            .into_iter()
            .map(|mut d| {
                d.media_type = MediaType::convert_layer(&d.media_type, oci).to_owned();
                d
            })
            .collect();
        let config = Descriptor::new(MediaType::CACHE_CONFIG, config.digest, config.size);
        match form {
            CacheForm::ImageManifest | CacheForm::DockerManifest => CacheManifest {
                form,
                document: CacheDocument::Manifest(Box::new(ImageManifest::new(
                    form.media_type(),
                    config,
                    layers,
                ))),
                config_at: 0,
            },
            CacheForm::ImageIndex | CacheForm::DockerManifestList => {
                let config_at = layers.len();
                let mut manifests = layers;
                manifests.push(config);
                CacheManifest {
                    form,
                    document: CacheDocument::Index(Box::new(ImageIndex::new(
                        form.media_type(),
                        manifests,
                    ))),
                    config_at,
                }
            }
        }
    }

    /// The same content in another form (converting layer media types).
    #[must_use]
    pub fn convert(&self, form: CacheForm) -> CacheManifest {
        CacheManifest::build(
            form,
            self.config().clone(),
            self.layers().cloned().collect(),
        )
    }

    /// The document as compact JSON, byte-for-byte as BuildKit writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.document {
            CacheDocument::Manifest(m) => m.to_bytes(),
            CacheDocument::Index(i) => i.to_bytes(),
        }
    }

    /// The form.
    pub fn form(&self) -> CacheForm {
        self.form
    }

    /// The document's own `mediaType` (empty when it has none).
    pub fn media_type(&self) -> &str {
        match &self.document {
            CacheDocument::Manifest(m) => &m.media_type,
            CacheDocument::Index(i) => &i.media_type,
        }
    }

    /// The document.
    pub fn document(&self) -> &CacheDocument {
        &self.document
    }

    /// The cache config descriptor.
    pub fn config(&self) -> &Descriptor {
        match &self.document {
            CacheDocument::Manifest(m) => m.config.as_ref().unwrap_or_else(|| unreachable_config()),
            CacheDocument::Index(i) => &i.manifests[self.config_at],
        }
    }

    /// The layer descriptors (every other blob), in document order.
    pub fn layers(&self) -> impl Iterator<Item = &Descriptor> {
        let (list, skip): (&[Descriptor], Option<usize>) = match &self.document {
            CacheDocument::Manifest(m) => (&m.layers, None),
            CacheDocument::Index(i) => (&i.manifests, Some(self.config_at)),
        };
        list.iter()
            .enumerate()
            .filter(move |(n, d)| Some(*n) != skip && d.media_type != MediaType::CACHE_CONFIG)
            .map(|(_, d)| d)
    }

    /// The digests of the layer blobs.
    pub fn blob_set(&self) -> HashSet<Digest> {
        self.layers().map(|d| d.digest.clone()).collect()
    }

    /// The size of each layer blob, by digest.
    pub fn blob_sizes(&self) -> HashMap<Digest, u64> {
        self.layers().map(|d| (d.digest.clone(), d.size)).collect()
    }

    /// Checks the document (OCI rules, §7 of oci-basics.md) and what
    /// BuildKit needs of it: a config within BuildKit's 1 MiB import limit
    /// (a warning), and layers with a valid `containerd.io/uncompressed`
    /// and, if present, a valid `buildkit/createdat`.
    pub fn validate(&self) -> Vec<Finding> {
        let (mut findings, list) = match &self.document {
            CacheDocument::Manifest(m) => (m.validate(), "layers"),
            CacheDocument::Index(i) => (i.validate(), "manifests"),
        };
        let config_path = match self.document {
            CacheDocument::Manifest(_) => "config".to_owned(),
            CacheDocument::Index(_) => format!("manifests[{}]", self.config_at),
        };
        if self.config().size > BUILDKIT_MAX_BLOB_SIZE {
            findings.push(Finding::warning(
                ErrorKind::BlobTooLarge,
                format!("{config_path}.size"),
                format!(
                    "cache config is {} bytes; BuildKit refuses to import a config over {BUILDKIT_MAX_BLOB_SIZE}",
                    self.config().size
                ),
            ));
        }
        let entries: &[Descriptor] = match &self.document {
            CacheDocument::Manifest(m) => &m.layers,
            CacheDocument::Index(i) => &i.manifests,
        };
        for (n, d) in entries.iter().enumerate() {
            if d.media_type == MediaType::CACHE_CONFIG {
                continue;
            }
            let path = format!("{list}[{n}].annotations");
            match d.annotations.get(ANNOTATION_UNCOMPRESSED) {
                None => findings.push(Finding::error(
                    ErrorKind::MissingDiffId,
                    format!("{path}.{ANNOTATION_UNCOMPRESSED}"),
                    format!("missing uncompressed annotation for {}", d.digest),
                )),
                Some(v) => {
                    if let Err(e) = Digest::parse(v) {
                        findings.push(Finding::error(
                            ErrorKind::MissingDiffId,
                            format!("{path}.{ANNOTATION_UNCOMPRESSED}"),
                            format!("failed to parse diffID {v:?}: {}", e.message()),
                        ));
                    }
                }
            }
            if let Some(t) = d.annotations.get(ANNOTATION_CREATED_AT)
                && let Err(e) = Timestamp::parse(t)
            {
                findings.push(Finding::error(
                    ErrorKind::InvalidTime,
                    format!("{path}.{ANNOTATION_CREATED_AT}"),
                    e.message(),
                ));
            }
        }
        findings
    }

    /// [`CacheManifest::validate`] plus the config's own checks against the
    /// blobs this manifest lists ([`CacheConfig::validate_with`]).
    pub fn validate_with_config(&self, config: &CacheConfig) -> Vec<Finding> {
        let mut findings = self.validate();
        let blobs = self.blob_set();
        findings.extend(config.validate_with(&ValidateOptions {
            blobs: Some(&blobs),
            require_annotations: false,
        }));
        findings
    }
}

fn no_config() -> Error {
    Error::new(
        ErrorKind::MissingCacheConfig,
        format!(
            "no {} descriptor: not a cache manifest (an image may carry an inline cache instead)",
            MediaType::CACHE_CONFIG
        ),
    )
}

fn unreachable_config() -> &'static Descriptor {
    // `from_bytes` and `build` only make manifests that have a config.
    static EMPTY: std::sync::OnceLock<Descriptor> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Descriptor::for_content(MediaType::CACHE_CONFIG, b""))
}

/// A manifest's or index's media type: its `mediaType`, else an OCI
/// manifest when it has `config` or `layers`, an OCI index when it has
/// `manifests` ([`ErrorKind::MissingField`] when neither).
pub(crate) fn document_media_type(bytes: &[u8]) -> Result<String> {
    let (manifest, index, media_type) = detect(bytes)?;
    if !media_type.is_empty() {
        return Ok(media_type);
    }
    if manifest {
        return Ok(MediaType::OCI_MANIFEST.to_owned());
    }
    if index {
        return Ok(MediaType::OCI_INDEX.to_owned());
    }
    Err(Error::new(
        ErrorKind::MissingField,
        "the document is neither a manifest nor an index (no mediaType, config, layers or manifests)",
    ))
}

/// Whether the document is manifest-shaped (has `config` or `layers`),
/// whether it is index-shaped (has `manifests`), and its `mediaType`;
/// [`ErrorKind::AmbiguousManifest`] when it is both.
pub(crate) fn detect(bytes: &[u8]) -> Result<(bool, bool, String)> {
    let (mut manifest, mut index) = (false, false);
    let mut media_type = String::new();
    document(bytes, |r| {
        r.object(|r, key| {
            if r.null()? {
                return Ok(());
            }
            if is_key(&key, "config") || is_key(&key, "layers") {
                manifest = true;
            } else if is_key(&key, "manifests") {
                index = true;
            } else if is_key(&key, "mediaType") && r.peek() == Some(b'"') {
                media_type = r.string()?.into_owned();
                return Ok(());
            }
            r.skip()?;
            Ok(())
        })
    })?;
    if manifest && index {
        return Err(Error::new(
            ErrorKind::AmbiguousManifest,
            "invalid ambiguous manifest and manifest list",
        ));
    }
    Ok((manifest, index, media_type))
}
