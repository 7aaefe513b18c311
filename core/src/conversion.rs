//! `convert`: a cache in another wrapper form, with other media types, or
//! with its layers recompressed (like BuildKit's `compression=…,
//! force-compression=true`).
//!
//! [`Conversion::new`] lists the layers whose compression differs from the
//! one asked for; the caller streams each through a decoder and a
//! [`crate::LayerCompressor`], writes the new blob and hands its
//! [`LayerDigests`] to [`Conversion::record`], which insists the diffID did
//! not change. [`Conversion::finish`] rewrites the config (blob digests
//! replaced, then sorted again like `sortConfig`, since the order follows the
//! digests) and builds the manifest: the new blobs to write.
//!
//! A recompressed layer keeps its descriptor's annotations but the estargz
//! ones ([`ESTARGZ_ANNOTATIONS`]), which describe the old blob only.
//!
//! Spec: `cache-format.md` §3.1 (forms), §3.4 (layer descriptors and media
//! types per form and compression), §2.3 (sorting), §2.1 (layer
//! annotations of gha/s3/azblob configs).

use std::collections::{BTreeMap, HashMap};

use crate::cache_config::CacheConfig;
use crate::cache_manifest::{
    ANNOTATION_UNCOMPRESSED, CacheForm, CacheManifest, ESTARGZ_ANNOTATIONS,
};
use crate::compression::Compression;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::layer::LayerDigests;
use crate::media_type::MediaType;
use crate::merge::CacheWrite;

/// A conversion in progress: see the module documentation.
#[derive(Debug, Clone)]
pub struct Conversion {
    manifest: CacheManifest,
    config: CacheConfig,
    form: CacheForm,
    compression: Option<Compression>,
    pending: Vec<Descriptor>,
    replaced: BTreeMap<Digest, Descriptor>,
}

impl Conversion {
    /// A conversion of `manifest` and its `config` to `form` (the same form
    /// when `None`) with every layer in `compression` (unchanged when
    /// `None`).
    pub fn new(
        manifest: &CacheManifest,
        config: &CacheConfig,
        form: Option<CacheForm>,
        compression: Option<Compression>,
    ) -> Result<Conversion> {
        let mut pending: Vec<Descriptor> = Vec::new();
        for (n, d) in manifest.layers().enumerate() {
            let have = MediaType::layer_compression(&d.media_type).ok_or_else(|| {
                Error::new(
                    ErrorKind::UnknownMediaType,
                    format!("{:?} is not a layer media type", d.media_type),
                )
                .in_field(format!("layers[{n}].mediaType"))
            })?;
            if !d.annotations.contains_key(ANNOTATION_UNCOMPRESSED) {
                return Err(Error::new(
                    ErrorKind::MissingDiffId,
                    format!("layer {} has no diffID", d.digest),
                )
                .in_field(format!("layers[{n}].annotations")));
            }
            if compression.is_some_and(|c| c != have)
                && !pending.iter().any(|p| p.digest == d.digest)
            {
                pending.push(d.clone());
            }
        }
        Ok(Conversion {
            manifest: manifest.clone(),
            config: config.clone(),
            form: form.unwrap_or(manifest.form()),
            compression,
            pending,
            replaced: BTreeMap::new(),
        })
    }

    /// The layers to recompress, in manifest order, each once.
    pub fn layers_to_recompress(&self) -> &[Descriptor] {
        &self.pending
    }

    /// The recompressed blob of the layer `old`: its digests as the
    /// compressor reported them. [`ErrorKind::DiffIdMismatch`] when the
    /// content changed.
    pub fn record(&mut self, old: &Digest, new: &LayerDigests) -> Result<()> {
        self.record_blob(
            old,
            new.compression,
            new.digest.clone(),
            new.size,
            &new.diff_id,
        )
    }

    /// [`Conversion::record`] from the parts it checks: the new blob's
    /// compression, digest and size, and the diffID of its content.
    pub fn record_blob(
        &mut self,
        old: &Digest,
        compression: Compression,
        digest: Digest,
        size: u64,
        diff_id: &Digest,
    ) -> Result<()> {
        let Some(d) = self.pending.iter().find(|d| &d.digest == old) else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{old} is not a layer to recompress"),
            ));
        };
        let want = d
            .annotations
            .get(ANNOTATION_UNCOMPRESSED)
            .map(String::as_str)
            .unwrap_or_default();
        if diff_id.to_string() != want {
            return Err(Error::new(
                ErrorKind::DiffIdMismatch,
                format!(
                    "recompressing {old} changed its content: diffID {diff_id} instead of {want}"
                ),
            ));
        }
        if Some(compression) != self.compression {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "{old} was recompressed as {}, not as asked",
                    compression.as_str()
                ),
            ));
        }
        let mut replacement = d.clone();
        // The new blob is plain gzip, zstd or tar: an estargz TOC is gone.
        for a in ESTARGZ_ANNOTATIONS {
            replacement.annotations.remove(a);
        }
        replacement.digest = digest;
        replacement.size = size;
        MediaType::for_compression(compression, true).clone_into(&mut replacement.media_type);
        self.replaced.insert(old.clone(), replacement);
        Ok(())
    }

    /// The new config and manifest. Errors when a layer was not recorded.
    pub fn finish(self) -> Result<CacheWrite> {
        if let Some(d) = self
            .pending
            .iter()
            .find(|d| !self.replaced.contains_key(&d.digest))
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("layer {} was not recompressed", d.digest),
            ));
        }
        let mut config = self.config;
        let mut blobs: HashMap<Digest, Descriptor> = HashMap::new();
        for d in self.manifest.layers() {
            let new = self
                .replaced
                .get(&d.digest)
                .cloned()
                .unwrap_or_else(|| d.clone());
            blobs.insert(new.digest.clone(), new);
        }
        for l in &mut config.layers {
            let Some(new) = l.blob.as_ref().and_then(|b| self.replaced.get(b)) else {
                continue;
            };
            l.blob = Some(new.digest.clone());
            if let Some(a) = &mut l.annotations {
                let oci = !MediaType::is_docker(&a.media_type);
                MediaType::convert_layer(&new.media_type, oci).clone_into(&mut a.media_type);
                a.size = new.size;
            }
        }
        if self.replaced.is_empty() {
            let manifest = self.manifest.convert(self.form);
            let manifest_bytes = manifest.to_bytes();
            let descriptor = Descriptor::for_content(self.form.media_type(), &manifest_bytes);
            let config_bytes = config.to_bytes();
            return Ok(CacheWrite {
                config,
                config_bytes,
                manifest,
                manifest_bytes,
                descriptor,
            });
        }
        CacheWrite::build(config, self.form, &blobs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache_config::{CacheLayer, CacheRecord, CacheResult};
    use crate::{Algorithm, digest};

    #[test]
    fn a_recompressed_estargz_layer_drops_the_estargz_annotations() {
        let tar = digest(b"tar", Algorithm::Sha256);
        let old = Descriptor::for_content(MediaType::OCI_LAYER_GZIP, b"estargz blob")
            .with_annotation(ANNOTATION_UNCOMPRESSED, tar.to_string())
            .with_annotation(ESTARGZ_ANNOTATIONS[0], "sha256:toc")
            .with_annotation(ESTARGZ_ANNOTATIONS[1], "3")
            .with_annotation("other", "kept");
        let config = CacheConfig {
            layers: vec![CacheLayer::new(old.digest.clone(), -1)],
            records: vec![CacheRecord {
                digest: "sha256:r".to_owned(),
                results: vec![CacheResult::default()],
                ..CacheRecord::default()
            }],
            ..CacheConfig::default()
        };
        let m = CacheManifest::build(
            CacheForm::ImageManifest,
            Descriptor::for_content(MediaType::CACHE_CONFIG, &config.to_bytes()),
            vec![old.clone()],
        );
        let mut c = Conversion::new(&m, &config, None, Some(Compression::Zstd)).unwrap();
        let new = digest(b"zstd blob", Algorithm::Sha256);
        c.record_blob(&old.digest, Compression::Zstd, new.clone(), 9, &tar)
            .unwrap();
        let w = c.finish().unwrap();
        let layer = w.manifest.layers().next().unwrap();
        assert_eq!(layer.digest, new);
        assert_eq!(layer.media_type, MediaType::OCI_LAYER_ZSTD);
        let keys: Vec<&str> = layer.annotations.keys().map(String::as_str).collect();
        assert_eq!(keys, [ANNOTATION_UNCOMPRESSED, "other"]);
    }
}
