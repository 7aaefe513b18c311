//! `MediaType` and `media_types` (core `media_type.rs`).

use std::collections::BTreeMap;

use pyo3::prelude::*;

/// The media types of cache content, as class attributes
/// (``MediaType.CACHE_CONFIG``); the values are the core's.
#[pyclass(frozen, module = "ocicache")]
pub struct MediaType;

#[pymethods]
impl MediaType {
    #[classattr]
    const CACHE_CONFIG: &'static str = ocicache::MediaType::CACHE_CONFIG;
    #[classattr]
    const OCI_MANIFEST: &'static str = ocicache::MediaType::OCI_MANIFEST;
    #[classattr]
    const OCI_INDEX: &'static str = ocicache::MediaType::OCI_INDEX;
    #[classattr]
    const DOCKER_MANIFEST: &'static str = ocicache::MediaType::DOCKER_MANIFEST;
    #[classattr]
    const DOCKER_MANIFEST_LIST: &'static str = ocicache::MediaType::DOCKER_MANIFEST_LIST;
    #[classattr]
    const OCI_IMAGE_CONFIG: &'static str = ocicache::MediaType::OCI_IMAGE_CONFIG;
    #[classattr]
    const DOCKER_IMAGE_CONFIG: &'static str = ocicache::MediaType::DOCKER_IMAGE_CONFIG;
    #[classattr]
    const OCI_LAYOUT_HEADER: &'static str = ocicache::MediaType::OCI_LAYOUT_HEADER;
    #[classattr]
    const OCI_EMPTY: &'static str = ocicache::MediaType::OCI_EMPTY;
    #[classattr]
    const OCI_LAYER: &'static str = ocicache::MediaType::OCI_LAYER;
    #[classattr]
    const OCI_LAYER_GZIP: &'static str = ocicache::MediaType::OCI_LAYER_GZIP;
    #[classattr]
    const OCI_LAYER_ZSTD: &'static str = ocicache::MediaType::OCI_LAYER_ZSTD;
    #[classattr]
    const OCI_LAYER_NONDISTRIBUTABLE: &'static str =
        ocicache::MediaType::OCI_LAYER_NONDISTRIBUTABLE;
    #[classattr]
    const OCI_LAYER_NONDISTRIBUTABLE_GZIP: &'static str =
        ocicache::MediaType::OCI_LAYER_NONDISTRIBUTABLE_GZIP;
    #[classattr]
    const OCI_LAYER_NONDISTRIBUTABLE_ZSTD: &'static str =
        ocicache::MediaType::OCI_LAYER_NONDISTRIBUTABLE_ZSTD;
    #[classattr]
    const DOCKER_LAYER: &'static str = ocicache::MediaType::DOCKER_LAYER;
    #[classattr]
    const DOCKER_LAYER_GZIP: &'static str = ocicache::MediaType::DOCKER_LAYER_GZIP;
    #[classattr]
    const DOCKER_LAYER_ZSTD: &'static str = ocicache::MediaType::DOCKER_LAYER_ZSTD;
    #[classattr]
    const DOCKER_FOREIGN_LAYER: &'static str = ocicache::MediaType::DOCKER_FOREIGN_LAYER;
    #[classattr]
    const DOCKER_FOREIGN_LAYER_GZIP: &'static str = ocicache::MediaType::DOCKER_FOREIGN_LAYER_GZIP;
}

/// The media type constants, by name (``OCI_MANIFEST``, ``CACHE_CONFIG``, …).
#[pyfunction]
pub fn media_types() -> BTreeMap<&'static str, &'static str> {
    ocicache::MediaType::ALL.iter().copied().collect()
}
