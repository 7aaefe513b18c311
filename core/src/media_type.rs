//! Media types of cache content: the OCI and Docker names BuildKit reads and
//! writes, the RFC 6838 check (oci-basics.md §2) and BuildKit's conversion of
//! layer types between the OCI and Docker families (cache-format.md §3.4).

use crate::compression::Compression;

/// The media types of cache content, as constants, and their rules.
///
/// ```
/// use ocicache::{Compression, MediaType};
///
/// assert_eq!(
///     MediaType::convert_layer(MediaType::DOCKER_LAYER_GZIP, true),
///     MediaType::OCI_LAYER_GZIP
/// );
/// assert_eq!(MediaType::layer_compression(MediaType::OCI_LAYER_ZSTD), Some(Compression::Zstd));
/// assert!(!MediaType::is_valid("application/json; charset=utf-8"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaType;

impl MediaType {
    /// BuildKit's cache config.
    pub const CACHE_CONFIG: &'static str = "application/vnd.buildkit.cacheconfig.v0";
    /// OCI image manifest.
    pub const OCI_MANIFEST: &'static str = "application/vnd.oci.image.manifest.v1+json";
    /// OCI image index.
    pub const OCI_INDEX: &'static str = "application/vnd.oci.image.index.v1+json";
    /// Docker image manifest (schema 2).
    pub const DOCKER_MANIFEST: &'static str =
        "application/vnd.docker.distribution.manifest.v2+json";
    /// Docker manifest list.
    pub const DOCKER_MANIFEST_LIST: &'static str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
    /// OCI image config.
    pub const OCI_IMAGE_CONFIG: &'static str = "application/vnd.oci.image.config.v1+json";
    /// Docker image config.
    pub const DOCKER_IMAGE_CONFIG: &'static str = "application/vnd.docker.container.image.v1+json";
    /// The `oci-layout` file of an image layout.
    pub const OCI_LAYOUT_HEADER: &'static str = "application/vnd.oci.layout.header.v1+json";
    /// The OCI empty descriptor's content, `{}`.
    pub const OCI_EMPTY: &'static str = "application/vnd.oci.empty.v1+json";
    /// OCI uncompressed layer.
    pub const OCI_LAYER: &'static str = "application/vnd.oci.image.layer.v1.tar";
    /// OCI gzip layer.
    pub const OCI_LAYER_GZIP: &'static str = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// OCI zstd layer.
    pub const OCI_LAYER_ZSTD: &'static str = "application/vnd.oci.image.layer.v1.tar+zstd";
    /// OCI non-distributable uncompressed layer (deprecated).
    pub const OCI_LAYER_NONDISTRIBUTABLE: &'static str =
        "application/vnd.oci.image.layer.nondistributable.v1.tar";
    /// OCI non-distributable gzip layer (deprecated).
    pub const OCI_LAYER_NONDISTRIBUTABLE_GZIP: &'static str =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    /// OCI non-distributable zstd layer (deprecated).
    pub const OCI_LAYER_NONDISTRIBUTABLE_ZSTD: &'static str =
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    /// Docker uncompressed layer.
    pub const DOCKER_LAYER: &'static str = "application/vnd.docker.image.rootfs.diff.tar";
    /// Docker gzip layer.
    pub const DOCKER_LAYER_GZIP: &'static str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    /// Docker zstd layer (not standard; BuildKit writes it with `oci-mediatypes=false`).
    pub const DOCKER_LAYER_ZSTD: &'static str = "application/vnd.docker.image.rootfs.diff.tar.zstd";
    /// Docker foreign uncompressed layer.
    pub const DOCKER_FOREIGN_LAYER: &'static str =
        "application/vnd.docker.image.rootfs.foreign.diff.tar";
    /// Docker foreign gzip layer.
    pub const DOCKER_FOREIGN_LAYER_GZIP: &'static str =
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    /// Every constant, as `(NAME, value)`, for bindings and documentation.
    pub const ALL: &'static [(&'static str, &'static str)] = &[
        ("CACHE_CONFIG", Self::CACHE_CONFIG),
        ("OCI_MANIFEST", Self::OCI_MANIFEST),
        ("OCI_INDEX", Self::OCI_INDEX),
        ("DOCKER_MANIFEST", Self::DOCKER_MANIFEST),
        ("DOCKER_MANIFEST_LIST", Self::DOCKER_MANIFEST_LIST),
        ("OCI_IMAGE_CONFIG", Self::OCI_IMAGE_CONFIG),
        ("DOCKER_IMAGE_CONFIG", Self::DOCKER_IMAGE_CONFIG),
        ("OCI_LAYOUT_HEADER", Self::OCI_LAYOUT_HEADER),
        ("OCI_EMPTY", Self::OCI_EMPTY),
        ("OCI_LAYER", Self::OCI_LAYER),
        ("OCI_LAYER_GZIP", Self::OCI_LAYER_GZIP),
        ("OCI_LAYER_ZSTD", Self::OCI_LAYER_ZSTD),
        (
            "OCI_LAYER_NONDISTRIBUTABLE",
            Self::OCI_LAYER_NONDISTRIBUTABLE,
        ),
        (
            "OCI_LAYER_NONDISTRIBUTABLE_GZIP",
            Self::OCI_LAYER_NONDISTRIBUTABLE_GZIP,
        ),
        (
            "OCI_LAYER_NONDISTRIBUTABLE_ZSTD",
            Self::OCI_LAYER_NONDISTRIBUTABLE_ZSTD,
        ),
        ("DOCKER_LAYER", Self::DOCKER_LAYER),
        ("DOCKER_LAYER_GZIP", Self::DOCKER_LAYER_GZIP),
        ("DOCKER_LAYER_ZSTD", Self::DOCKER_LAYER_ZSTD),
        ("DOCKER_FOREIGN_LAYER", Self::DOCKER_FOREIGN_LAYER),
        ("DOCKER_FOREIGN_LAYER_GZIP", Self::DOCKER_FOREIGN_LAYER_GZIP),
    ];

    /// Whether `s` is a media type by the OCI schema's RFC 6838 pattern:
    /// `type/subtype`, each 1–127 characters of `[A-Za-z0-9!#$&^_.+-]`
    /// starting with a letter or digit, no parameters.
    pub fn is_valid(s: &str) -> bool {
        let part = |p: &str| {
            let b = p.as_bytes();
            !b.is_empty()
                && b.len() <= 127
                && b[0].is_ascii_alphanumeric()
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&c))
        };
        s.split_once('/')
            .is_some_and(|(t, sub)| part(t) && part(sub))
    }

    /// The layer media type BuildKit writes for `media_type` in OCI mode
    /// (`oci` true) or Docker mode; types without a counterpart are kept.
    pub fn convert_layer(media_type: &str, oci: bool) -> &str {
        let family = [
            (Self::OCI_LAYER, Self::DOCKER_LAYER),
            (Self::OCI_LAYER_GZIP, Self::DOCKER_LAYER_GZIP),
            (Self::OCI_LAYER_ZSTD, Self::DOCKER_LAYER_ZSTD),
            (Self::OCI_LAYER_NONDISTRIBUTABLE, Self::DOCKER_FOREIGN_LAYER),
            (
                Self::OCI_LAYER_NONDISTRIBUTABLE_GZIP,
                Self::DOCKER_FOREIGN_LAYER_GZIP,
            ),
        ];
        for (o, d) in family {
            if media_type == o || media_type == d {
                return if oci { o } else { d };
            }
        }
        media_type
    }

    /// The layer media type for new blobs of `compression` (what
    /// `compression=` selects), in OCI or Docker mode.
    pub fn for_compression(compression: Compression, oci: bool) -> &'static str {
        let oci_type = match compression {
            Compression::Uncompressed => Self::OCI_LAYER,
            Compression::Gzip => Self::OCI_LAYER_GZIP,
            Compression::Zstd => Self::OCI_LAYER_ZSTD,
        };
        Self::convert_layer(oci_type, oci)
    }

    /// The compression a layer media type declares, or `None` for a type
    /// that is not a known layer type.
    pub fn layer_compression(media_type: &str) -> Option<Compression> {
        match Self::convert_layer(media_type, true) {
            Self::OCI_LAYER | Self::OCI_LAYER_NONDISTRIBUTABLE => Some(Compression::Uncompressed),
            Self::OCI_LAYER_GZIP | Self::OCI_LAYER_NONDISTRIBUTABLE_GZIP => Some(Compression::Gzip),
            Self::OCI_LAYER_ZSTD | Self::OCI_LAYER_NONDISTRIBUTABLE_ZSTD => Some(Compression::Zstd),
            _ => None,
        }
    }

    /// Whether `media_type` is one of the Docker family.
    pub fn is_docker(media_type: &str) -> bool {
        media_type.starts_with("application/vnd.docker.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6838_pattern() {
        for ok in [MediaType::CACHE_CONFIG, "a/b", "x.y+z/a!#$&^_.+-"] {
            assert!(MediaType::is_valid(ok), "{ok}");
        }
        let long = format!("a/{}", "b".repeat(128));
        for bad in [
            "",
            "a",
            "/b",
            "a/",
            "a/b/c",
            ".a/b",
            "a b/c",
            "a/b;x=y",
            long.as_str(),
        ] {
            assert!(!MediaType::is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn converts_both_ways() {
        for (_, t) in MediaType::ALL {
            let there = MediaType::convert_layer(t, false);
            if there != *t {
                assert_eq!(MediaType::convert_layer(there, true), *t);
            }
        }
        assert_eq!(
            MediaType::convert_layer(MediaType::OCI_LAYER_NONDISTRIBUTABLE_ZSTD, false),
            MediaType::OCI_LAYER_NONDISTRIBUTABLE_ZSTD
        );
        assert_eq!(MediaType::convert_layer("text/plain", true), "text/plain");
        assert_eq!(
            MediaType::for_compression(Compression::Zstd, false),
            MediaType::DOCKER_LAYER_ZSTD
        );
        assert_eq!(MediaType::layer_compression("text/plain"), None);
    }
}
