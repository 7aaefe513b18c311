//! Conversions between this crate's OCI documents and the [`oci_spec`]
//! crate's types (feature `oci-spec`): [`Descriptor`] ⇄
//! `oci_spec::image::Descriptor`, [`ImageManifest`] ⇄
//! `oci_spec::image::ImageManifest`, [`ImageIndex`] ⇄
//! `oci_spec::image::ImageIndex`, and [`Digest`] ⇄ `oci_spec::image::Digest`,
//! for programs that already speak oci-spec.
//!
//! Spec: `oci-basics.md` §2–§4 (the same fields on both sides). Why this
//! crate keeps its own types and writer: BuildKit's caches are compared,
//! hashed and re-exported byte for byte, and Go's `encoding/json` decides
//! those bytes — struct field order, map keys sorted, `<`, `>` and `&`
//! escaped as `\u003c`, `\u003e`, `\u0026` (cache-format.md §2.4).
//! oci-spec serialises with serde: annotations are a `HashMap` (any order),
//! HTML characters are not escaped, and members it does not know are
//! dropped, so a document written through it would get a new digest. Use
//! oci-spec's types to work with a document; write it with
//! [`ImageManifest::to_bytes`] / [`ImageIndex::to_bytes`].
//!
//! What does not cross: members neither side knows (this crate's `extra`)
//! are dropped on the way to oci-spec, except a platform's `features`, which
//! oci-spec has and this crate keeps in [`Platform::extra`]. A manifest
//! without a config cannot become an oci-spec manifest (there it is
//! required): [`ErrorKind::MissingField`]. From oci-spec, a digest this
//! crate cannot verify is [`ErrorKind::UnsupportedAlgorithm`] or
//! [`ErrorKind::InvalidDigest`], a size above 2^63−1
//! [`ErrorKind::SizeOutOfRange`], and `data` that is not base64
//! [`ErrorKind::InvalidField`].

use std::collections::{BTreeMap, HashMap};

use ::oci_spec::image as oci;
use base64::Engine as _;

use crate::descriptor::{BASE64, Descriptor, Platform};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::json::Extra;
use crate::manifest::{ImageIndex, ImageManifest};

/// The largest size a descriptor may have: Go's `int64`.
const MAX_SIZE: u64 = i64::MAX as u64;

impl TryFrom<&Digest> for oci::Digest {
    type Error = Error;

    fn try_from(d: &Digest) -> Result<oci::Digest> {
        oci::Digest::try_from(d.to_string()).map_err(|e| {
            Error::new(
                ErrorKind::InvalidDigest,
                format!("oci-spec refused {d}: {e}"),
            )
        })
    }
}

impl TryFrom<&oci::Digest> for Digest {
    type Error = Error;

    fn try_from(d: &oci::Digest) -> Result<Digest> {
        Digest::parse(d.as_ref())
    }
}

fn media_type_to(media_type: &str) -> Option<oci::MediaType> {
    (!media_type.is_empty()).then(|| oci::MediaType::from(media_type))
}

fn media_type_from(media_type: Option<&oci::MediaType>) -> String {
    media_type.map(ToString::to_string).unwrap_or_default()
}

fn annotations_to(annotations: &BTreeMap<String, String>) -> Option<HashMap<String, String>> {
    (!annotations.is_empty()).then(|| annotations.clone().into_iter().collect())
}

fn annotations_from(annotations: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    annotations
        .map(|a| a.clone().into_iter().collect())
        .unwrap_or_default()
}

fn non_empty<T>(v: &[T]) -> Option<Vec<T>>
where
    T: Clone,
{
    (!v.is_empty()).then(|| v.to_vec())
}

impl From<&Platform> for oci::Platform {
    fn from(p: &Platform) -> oci::Platform {
        let mut out = oci::Platform::default();
        out.set_architecture(oci::Arch::from(p.architecture.as_str()));
        out.set_os(oci::Os::from(p.os.as_str()));
        out.set_os_version((!p.os_version.is_empty()).then(|| p.os_version.clone()));
        out.set_os_features(non_empty(&p.os_features));
        out.set_variant((!p.variant.is_empty()).then(|| p.variant.clone()));
        out.set_features(
            p.extra
                .get("features")
                .and_then(|raw| serde_json::from_str(raw).ok()),
        );
        out
    }
}

impl From<&oci::Platform> for Platform {
    fn from(p: &oci::Platform) -> Platform {
        let mut extra = Extra::default();
        if let Some(features) = p.features() {
            let raw = serde_json::to_vec(features).unwrap_or_else(|_| b"[]".to_vec());
            extra.push("features", &raw);
        }
        Platform {
            architecture: p.architecture().to_string(),
            os: p.os().to_string(),
            os_version: p.os_version().clone().unwrap_or_default(),
            os_features: p.os_features().clone().unwrap_or_default(),
            variant: p.variant().clone().unwrap_or_default(),
            extra,
        }
    }
}

impl TryFrom<&Descriptor> for oci::Descriptor {
    type Error = Error;

    fn try_from(d: &Descriptor) -> Result<oci::Descriptor> {
        let mut out = oci::Descriptor::new(
            oci::MediaType::from(d.media_type.as_str()),
            d.size,
            oci::Digest::try_from(&d.digest)?,
        );
        out.set_urls(non_empty(&d.urls));
        out.set_annotations(annotations_to(&d.annotations));
        out.set_platform(d.platform.as_ref().map(oci::Platform::from));
        out.set_artifact_type(media_type_to(&d.artifact_type));
        out.set_data(d.data.as_ref().map(|data| BASE64.encode(data)));
        Ok(out)
    }
}

impl TryFrom<&oci::Descriptor> for Descriptor {
    type Error = Error;

    fn try_from(d: &oci::Descriptor) -> Result<Descriptor> {
        let size = d.size();
        if size > MAX_SIZE {
            return Err(Error::new(
                ErrorKind::SizeOutOfRange,
                format!("size {size} is above 2^63-1"),
            )
            .in_field("size"));
        }
        let data = d
            .data()
            .as_ref()
            .map(|text| {
                BASE64.decode(text).map_err(|e| {
                    Error::new(ErrorKind::InvalidField, format!("data is not base64: {e}"))
                        .in_field("data")
                })
            })
            .transpose()?;
        Ok(Descriptor {
            media_type: d.media_type().to_string(),
            digest: Digest::try_from(d.digest()).map_err(|e| e.within("digest"))?,
            size,
            urls: d.urls().clone().unwrap_or_default(),
            annotations: annotations_from(d.annotations().as_ref()),
            data,
            platform: d.platform().as_ref().map(Platform::from),
            artifact_type: media_type_from(d.artifact_type().as_ref()),
            extra: Extra::default(),
        })
    }
}

fn descriptors_from(list: &[oci::Descriptor], field: &str) -> Result<Vec<Descriptor>> {
    list.iter()
        .enumerate()
        .map(|(i, d)| Descriptor::try_from(d).map_err(|e| e.within(&format!("{field}[{i}]"))))
        .collect()
}

fn descriptors_to(list: &[Descriptor], field: &str) -> Result<Vec<oci::Descriptor>> {
    list.iter()
        .enumerate()
        .map(|(i, d)| oci::Descriptor::try_from(d).map_err(|e| e.within(&format!("{field}[{i}]"))))
        .collect()
}

fn subject_to(subject: Option<&Descriptor>) -> Result<Option<oci::Descriptor>> {
    subject
        .map(oci::Descriptor::try_from)
        .transpose()
        .map_err(|e| e.within("subject"))
}

fn subject_from(subject: Option<&oci::Descriptor>) -> Result<Option<Descriptor>> {
    subject
        .map(Descriptor::try_from)
        .transpose()
        .map_err(|e| e.within("subject"))
}

fn schema_version_to(version: i64) -> Result<u32> {
    u32::try_from(version).map_err(|_| {
        Error::new(
            ErrorKind::InvalidSchemaVersion,
            format!("schemaVersion {version} is not a u32"),
        )
        .in_field("schemaVersion")
    })
}

impl TryFrom<&ImageManifest> for oci::ImageManifest {
    type Error = Error;

    fn try_from(m: &ImageManifest) -> Result<oci::ImageManifest> {
        let config = m.config.as_ref().ok_or_else(|| {
            Error::new(
                ErrorKind::MissingField,
                "the manifest has no config, which oci-spec requires",
            )
            .in_field("config")
        })?;
        let config = oci::Descriptor::try_from(config).map_err(|e| e.within("config"))?;
        let layers = descriptors_to(&m.layers, "layers")?;
        let mut out = oci::ImageManifestBuilder::default()
            .schema_version(schema_version_to(m.schema_version)?)
            .config(config)
            .layers(layers)
            .build()
            .map_err(|e| Error::new(ErrorKind::InvalidField, format!("oci-spec: {e}")))?;
        out.set_media_type(media_type_to(&m.media_type));
        out.set_artifact_type(media_type_to(&m.artifact_type));
        out.set_subject(subject_to(m.subject.as_ref())?);
        out.set_annotations(annotations_to(&m.annotations));
        Ok(out)
    }
}

impl TryFrom<&oci::ImageManifest> for ImageManifest {
    type Error = Error;

    fn try_from(m: &oci::ImageManifest) -> Result<ImageManifest> {
        Ok(ImageManifest {
            schema_version: i64::from(m.schema_version()),
            media_type: media_type_from(m.media_type().as_ref()),
            artifact_type: media_type_from(m.artifact_type().as_ref()),
            config: Some(Descriptor::try_from(m.config()).map_err(|e| e.within("config"))?),
            layers: descriptors_from(m.layers(), "layers")?,
            subject: subject_from(m.subject().as_ref())?,
            annotations: annotations_from(m.annotations().as_ref()),
            extra: Extra::default(),
        })
    }
}

impl TryFrom<&ImageIndex> for oci::ImageIndex {
    type Error = Error;

    fn try_from(x: &ImageIndex) -> Result<oci::ImageIndex> {
        let mut out = oci::ImageIndex::default();
        out.set_schema_version(schema_version_to(x.schema_version)?);
        out.set_media_type(media_type_to(&x.media_type));
        out.set_artifact_type(media_type_to(&x.artifact_type));
        out.set_manifests(descriptors_to(&x.manifests, "manifests")?);
        out.set_subject(subject_to(x.subject.as_ref())?);
        out.set_annotations(annotations_to(&x.annotations));
        Ok(out)
    }
}

impl TryFrom<&oci::ImageIndex> for ImageIndex {
    type Error = Error;

    fn try_from(x: &oci::ImageIndex) -> Result<ImageIndex> {
        Ok(ImageIndex {
            schema_version: i64::from(x.schema_version()),
            media_type: media_type_from(x.media_type().as_ref()),
            artifact_type: media_type_from(x.artifact_type().as_ref()),
            manifests: descriptors_from(x.manifests(), "manifests")?,
            subject: subject_from(x.subject().as_ref())?,
            annotations: annotations_from(x.annotations().as_ref()),
            extra: Extra::default(),
        })
    }
}
