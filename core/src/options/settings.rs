//! The typed settings of each cache backend, with BuildKit's defaults, read
//! from an entry's attributes and checked up front.
//!
//! Spec: `cache-options.md` §9 (9.1 common export keys, 9.2 compression,
//! 9.3 registry, 9.4 local, 9.5 inline, 9.6 gha, 9.7 s3, 9.8 azblob) and §12
//! (where the docs disagree, the code's behaviour is followed: `image-manifest`
//! defaults to true unless `oci-mediatypes=false`, gzip levels are -2..9,
//! zstd levels are any integer bucketed into four speeds).
//!
//! Where BuildKit silently replaces a bad value (`mode=maximum` becomes min,
//! `ignore-error=yes` becomes false), this library reports an error instead:
//! that silence is how caches end up never written.

use serde::Serialize;

use super::attrs::{Attrs, For};
use crate::digest::Digest;
use crate::error::Result;
use crate::reference::Reference;

/// `mode`: which cache records an export keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Only the records of the final result (the default).
    Min,
    /// Every intermediate step.
    Max,
}

/// `compression`: how new layer blobs are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompressionType {
    /// Plain tar.
    Uncompressed,
    /// gzip (the default).
    Gzip,
    /// gzip with a table of contents (eStargz).
    Estargz,
    /// zstd.
    Zstd,
}

/// The export settings every backend shares (§9.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSettings {
    /// `mode`, `min` by default.
    pub mode: Mode,
    /// `ignore-error`: whether a failed export is swallowed.
    pub ignore_error: bool,
}

/// The compression settings of `registry` and `local` exports (§9.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompressionSettings {
    /// `compression`, gzip by default.
    pub compression: CompressionType,
    /// `compression-level`, when given.
    pub level: Option<i64>,
    /// For zstd, the encoder speed BuildKit picks for the level:
    /// `fastest` (<3), `default` (3-5), `better` (6-9) or `best` (>=10).
    pub zstd_speed: Option<&'static str>,
    /// `force-compression`: recompress existing blobs too.
    pub force: bool,
}

/// The typed settings of one entry, by backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Settings {
    /// `type=registry`.
    Registry(RegistrySettings),
    /// `type=local`.
    Local(LocalSettings),
    /// `type=inline`: no settings (always mode=min).
    Inline(InlineSettings),
    /// `type=gha`.
    Gha(GhaSettings),
    /// `type=s3`.
    S3(S3Settings),
    /// `type=azblob`.
    Azblob(AzblobSettings),
}

/// `type=registry` (§9.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistrySettings {
    /// `ref`, normalised (`user/app` is `docker.io/user/app:latest`).
    #[serde(rename = "ref", serialize_with = "as_string")]
    pub reference: Reference,
    /// `oci-mediatypes`, true by default.
    pub oci_mediatypes: bool,
    /// `image-manifest`: true by default, false when `oci-mediatypes=false`.
    pub image_manifest: bool,
    /// `registry.insecure`: plain HTTP and no TLS verification.
    pub insecure: bool,
    /// Compression of new blobs.
    pub compression: CompressionSettings,
    /// Export settings.
    pub export: ExportSettings,
}

/// `type=local` (§9.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalSettings {
    /// `dest`: the directory an export writes.
    pub dest: Option<String>,
    /// `src`: the directory an import reads.
    pub src: Option<String>,
    /// `tag`: the `org.opencontainers.image.ref.name` in `index.json`.
    pub tag: String,
    /// `digest`: an import's explicit manifest digest, bypassing `index.json`.
    pub digest: Option<Digest>,
    /// `reset`: delete blobs no longer reachable after the export.
    pub reset: bool,
    /// `oci-mediatypes`, true by default.
    pub oci_mediatypes: bool,
    /// `image-manifest`: true by default, false when `oci-mediatypes=false`.
    pub image_manifest: bool,
    /// Compression of new blobs.
    pub compression: CompressionSettings,
    /// Export settings.
    pub export: ExportSettings,
}

/// `type=inline` (§9.5): no attributes; always mode=min.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineSettings {}

/// `type=gha` (§9.6). Token and URLs are the entry's own; what buildx
/// takes from the environment is in [`super::CacheOptions::buildkit_attrs`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GhaSettings {
    /// `scope`, `buildkit` by default: part of the cache key.
    pub scope: String,
    /// `timeout` in milliseconds, 10 minutes by default.
    pub timeout_ms: i64,
    /// `version` of the cache service protocol, if given.
    pub version: Option<i64>,
    /// `url`.
    pub url: Option<String>,
    /// `url_v2`.
    pub url_v2: Option<String>,
    /// `token`.
    pub token: Option<String>,
    /// `repository` (`owner/name`), export only.
    pub repository: Option<String>,
    /// `ghtoken`, export only.
    pub ghtoken: Option<String>,
    /// Export settings.
    pub export: ExportSettings,
}

/// `type=s3` (§9.7). Every key is read for both directions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct S3Settings {
    /// `bucket` (else the daemon's `$AWS_BUCKET`).
    pub bucket: Option<String>,
    /// `region` (else the daemon's `$AWS_REGION`).
    pub region: Option<String>,
    /// `prefix`, prepended to every key.
    pub prefix: String,
    /// `manifests_prefix`, `manifests/` by default.
    pub manifests_prefix: String,
    /// `blobs_prefix`, `blobs/` by default.
    pub blobs_prefix: String,
    /// `name`, `;`-separated: exports write every name, imports read the first.
    pub names: Vec<String>,
    /// `touch_refresh` in milliseconds, 24 hours by default.
    pub touch_refresh_ms: i64,
    /// `endpoint_url`.
    pub endpoint_url: Option<String>,
    /// `use_path_style`.
    pub use_path_style: bool,
    /// `access_key_id`.
    pub access_key_id: Option<String>,
    /// `secret_access_key`.
    pub secret_access_key: Option<String>,
    /// `session_token`.
    pub session_token: Option<String>,
    /// `upload_parallelism`, 4 by default.
    pub upload_parallelism: i64,
    /// `disable_accept_encoding`.
    pub disable_accept_encoding: bool,
    /// `retry_mode`: `standard` or `adaptive`, the SDK's default when absent.
    pub retry_mode: Option<String>,
    /// `retry_max_attempts`, the SDK's default (3) when absent.
    pub retry_max_attempts: Option<i64>,
    /// Export settings.
    pub export: ExportSettings,
}

/// `type=azblob` (§9.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AzblobSettings {
    /// `account_url` (else the daemon's `$BUILDKIT_AZURE_STORAGE_ACCOUNT_URL`).
    pub account_url: Option<String>,
    /// `account_name` (else from the environment or the URL's host).
    pub account_name: Option<String>,
    /// `container`, `buildkit-cache` by default.
    pub container: String,
    /// `prefix`.
    pub prefix: String,
    /// `manifests_prefix`, `manifests` by default (path-joined).
    pub manifests_prefix: String,
    /// `blobs_prefix`, `blobs` by default (path-joined).
    pub blobs_prefix: String,
    /// `name`, `;`-separated: imports read every name.
    pub names: Vec<String>,
    /// `secret_access_key` (shared-key auth).
    pub secret_access_key: Option<String>,
    /// Export settings.
    pub export: ExportSettings,
}

fn as_string<S: serde::Serializer, T: std::fmt::Display>(
    value: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

pub(crate) fn export(a: &mut Attrs<'_>) -> Result<ExportSettings> {
    let mode = match a.get("mode", For::Export) {
        None | Some("min") => Mode::Min,
        Some("max") => Mode::Max,
        Some(v) => {
            return Err(a.invalid(
                "mode",
                format!("invalid mode {v:?}: use min or max (BuildKit would silently use min)"),
            ));
        }
    };
    let ignore_error = a.bool("ignore-error", For::Export, false)?;
    Ok(ExportSettings { mode, ignore_error })
}

pub(crate) fn compression(a: &mut Attrs<'_>) -> Result<CompressionSettings> {
    let compression = match a.get("compression", For::Export) {
        None | Some("gzip") => CompressionType::Gzip,
        Some("uncompressed") => CompressionType::Uncompressed,
        Some("estargz") => CompressionType::Estargz,
        Some("zstd") => CompressionType::Zstd,
        Some(v) => {
            return Err(a.invalid("compression", format!("unsupported compression type {v}")));
        }
    };
    let level = match a.get("compression-level", For::Export) {
        None => None,
        Some(v) => Some(super::value::parse_int(v).ok_or_else(|| {
            a.invalid(
                "compression-level",
                format!("non-integer value {v} specified for compression-level"),
            )
        })?),
    };
    let zstd_speed = match (compression, level) {
        (CompressionType::Zstd, Some(l)) if l < 3 => Some("fastest"),
        (CompressionType::Zstd, Some(l)) if l < 6 => Some("default"),
        (CompressionType::Zstd, Some(l)) if l < 10 => Some("better"),
        (CompressionType::Zstd, Some(_)) => Some("best"),
        (CompressionType::Zstd, None) => Some("default"),
        _ => None,
    };
    match (compression, level) {
        (CompressionType::Gzip | CompressionType::Estargz, Some(l)) if !(-2..=9).contains(&l) => {
            return Err(a.invalid(
                "compression-level",
                format!("gzip: invalid compression level: {l} (use -2..9; BuildKit would fail only when a blob is compressed)"),
            ));
        }
        (CompressionType::Uncompressed, Some(_)) => {
            a.ignore("compression-level", "compression=uncompressed has no level");
        }
        _ => {}
    }
    let force = match a.get("force-compression", For::Export) {
        None => false,
        Some("") => true,
        Some(v) => super::value::parse_bool(v).ok_or_else(|| {
            a.invalid(
                "force-compression",
                format!("non-bool value {v} specified for force-compression"),
            )
        })?,
    };
    Ok(CompressionSettings {
        compression,
        level,
        zstd_speed,
        force,
    })
}

/// `oci-mediatypes` and `image-manifest` with their linked defaults.
pub(crate) fn media_types(a: &mut Attrs<'_>) -> Result<(bool, bool)> {
    let oci = a.bool("oci-mediatypes", For::Export, true)?;
    let image_manifest = a.bool("image-manifest", For::Export, oci)?;
    if image_manifest && !oci {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::OptionNotAllowed,
            "invalid configuration for remote cache, OCI mediatypes are required for image-manifest cache format \
             (set oci-mediatypes=true or image-manifest=false)",
        )
        .in_field("image-manifest")
        .at_offset(a.offset("image-manifest")));
    }
    Ok((oci, image_manifest))
}

/// The backends that ignore compression keys say so.
pub(crate) fn ignore_compression(a: &mut Attrs<'_>, type_name: &str) {
    let why = format!("type={type_name} always uses the default compression");
    for key in ["compression", "compression-level", "force-compression"] {
        a.ignore(key, &why);
    }
}

/// `;`-separated names, `buildkit` by default.
pub(crate) fn names(a: &mut Attrs<'_>) -> Vec<String> {
    a.get("name", For::Both)
        .unwrap_or("buildkit")
        .split(';')
        .map(str::to_owned)
        .collect()
}
