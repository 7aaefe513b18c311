//! The cloud form of a cache, as BuildKit's `gha`, `s3` and `azblob`
//! backends keep it (cache-format.md §4.3–§4.5): no wrapper document — the
//! cache config is the whole cache, and each of its layers describes its
//! blob in `annotations` (`mediaType`, `diffID`, `size`, `createdAt`).
//!
//! Read from BuildKit v0.32.2, `cache/remotecache/s3/s3.go` (azblob's
//! `exporter.go`/`importer.go` do the same):
//! - export (`Finalize`): the config of the chains, each layer annotated
//!   from its blob's descriptor — `diffID` from `containerd.io/uncompressed`
//!   (required: "invalid descriptor without uncompressed annotation"),
//!   `size` and `mediaType` from the descriptor, `createdAt` from
//!   `buildkit/createdat` converted to UTC (Go's zero time when absent);
//!   then `json.Marshal` of the config;
//! - import (`makeDescriptorProviderPair`): a layer without annotations or
//!   without a diffID is an error; its descriptor is `{mediaType, digest:
//!   blob, size, annotations: {containerd.io/uncompressed: diffID,
//!   buildkit/createdat: createdAt unless zero}}`.
//!
//! [`cloud_config`] makes the first from a wrapped cache (a manifest and its
//! config, as `type=local` and `type=registry` hold them), and
//! [`cloud_documents`] the second: an image manifest whose layers are those
//! descriptors, in the config's layer order, and the config without its
//! annotations — byte for byte what BuildKit's own `type=local` export of
//! the same build writes (tested on a capture of both from one build). A
//! storage driver for these backends presents each stored config through
//! [`cloud_documents`] as a layout entry, so that every operation works on
//! it, and writes an entry back through [`cloud_config`].

use std::collections::BTreeMap;

use crate::cache_config::{CacheConfig, LayerAnnotations};
use crate::cache_manifest::{
    ANNOTATION_CREATED_AT, ANNOTATION_UNCOMPRESSED, CacheForm, CacheManifest,
};
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::media_type::MediaType;
use crate::time::Timestamp;

/// A cloud cache as a layout holds it: the manifest (image-manifest form)
/// and the config it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudDocuments {
    /// The manifest's bytes.
    pub manifest: Vec<u8>,
    /// The config's bytes (the cloud config without its annotations).
    pub config: Vec<u8>,
}

/// The cloud config of a wrapped cache: `config` with every layer annotated
/// from `manifest`'s descriptor of its blob, as BuildKit's s3/azblob/gha
/// exporters write it. A layer whose blob the manifest does not list is
/// [`ErrorKind::MissingBlob`]; a descriptor without `containerd.io/uncompressed`
/// [`ErrorKind::MissingDiffId`].
pub fn cloud_config(manifest: &CacheManifest, config: &CacheConfig) -> Result<CacheConfig> {
    let descriptors: BTreeMap<&Digest, &Descriptor> =
        manifest.layers().map(|d| (&d.digest, d)).collect();
    let mut out = config.clone();
    for (i, layer) in out.layers.iter_mut().enumerate() {
        let at = |e: Error| e.within(&format!("layers[{i}]"));
        let blob = layer.blob.as_ref().ok_or_else(|| {
            at(Error::new(ErrorKind::MissingField, "layer without a blob").in_field("blob"))
        })?;
        let d = descriptors.get(blob).ok_or_else(|| {
            at(Error::new(
                ErrorKind::MissingBlob,
                format!("missing blob {blob}: the manifest does not list it"),
            ))
        })?;
        let diff_id = d.annotations.get(ANNOTATION_UNCOMPRESSED).ok_or_else(|| {
            at(Error::new(
                ErrorKind::MissingDiffId,
                format!("invalid descriptor without uncompressed annotation: {blob}"),
            ))
        })?;
        let created_at = match d.annotations.get(ANNOTATION_CREATED_AT) {
            Some(t) => Timestamp::parse(t).map_err(at)?.to_utc(),
            None => Timestamp::default(),
        };
        layer.annotations = Some(LayerAnnotations {
            media_type: d.media_type.clone(),
            diff_id: Some(Digest::parse(diff_id).map_err(at)?),
            size: d.size,
            created_at,
            extra: crate::json::Extra::default(),
        });
    }
    Ok(out)
}

/// The manifest and config a layout would hold for the cloud config
/// `config`, as BuildKit's importer reads it: each layer's descriptor from
/// its annotations, one manifest layer per config layer (as BuildKit's
/// exporter writes them). A layer without annotations or without a diffID is
/// [`ErrorKind::MissingDiffId`], as BuildKit refuses it.
pub fn cloud_documents(config: &CacheConfig) -> Result<CloudDocuments> {
    let mut plain = config.clone();
    let mut layers: Vec<Descriptor> = Vec::new();
    for (i, layer) in plain.layers.iter_mut().enumerate() {
        let at = |e: Error| e.within(&format!("layers[{i}]"));
        let blob = layer.blob.clone().ok_or_else(|| {
            at(Error::new(ErrorKind::MissingField, "layer without a blob").in_field("blob"))
        })?;
        let a = layer.annotations.take().ok_or_else(|| {
            at(Error::new(
                ErrorKind::MissingDiffId,
                "cache layer with missing annotations",
            ))
        })?;
        let diff_id = a.diff_id.ok_or_else(|| {
            at(Error::new(
                ErrorKind::MissingDiffId,
                "cache layer with missing diffid",
            ))
        })?;
        let mut d = Descriptor::new(a.media_type, blob, a.size)
            .with_annotation(ANNOTATION_UNCOMPRESSED, diff_id.as_str());
        if !a.created_at.is_zero() {
            d = d.with_annotation(ANNOTATION_CREATED_AT, a.created_at.to_string());
        }
        layers.push(d);
    }
    let config_bytes = plain.to_bytes();
    let manifest = CacheManifest::build(
        CacheForm::ImageManifest,
        Descriptor::for_content(MediaType::CACHE_CONFIG, &config_bytes),
        layers,
    );
    Ok(CloudDocuments {
        manifest: manifest.to_bytes(),
        config: config_bytes,
    })
}
