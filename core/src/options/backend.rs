//! Reading each backend's settings from an entry.
//!
//! Spec: `cache-options.md` §9.3–§9.8 (keys, directions, defaults, errors)
//! and §7 (what BuildKit's client requires: `ref` for registry, `dest` for a
//! local export, `src` for a local import, a non-empty `tag` when an import
//! has no `digest`).

use super::attrs::{Attrs, For};
use super::settings::{
    AzblobSettings, GhaSettings, InlineSettings, LocalSettings, RegistrySettings, S3Settings,
    Settings, compression, export, ignore_compression, media_types, names,
};
use super::{CacheType, Direction};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::reference::Reference;

fn missing(a: &Attrs<'_>, key: &str, message: &str) -> Error {
    Error::new(ErrorKind::MissingOption, message.to_owned())
        .in_field(key)
        .at_offset(a.offset(key))
}

/// The typed settings of an entry of `cache_type`.
pub(crate) fn read(
    cache_type: CacheType,
    a: &mut Attrs<'_>,
    direction: Option<Direction>,
) -> Result<Settings> {
    Ok(match cache_type {
        CacheType::Registry => Settings::Registry(registry(a)?),
        CacheType::Local => Settings::Local(local(a, direction)?),
        CacheType::Inline => {
            if direction == Some(Direction::Import) {
                return Err(Error::new(
                    ErrorKind::OptionNotAllowed,
                    "there is no inline cache importer: import an inline cache with type=registry,ref=<image>",
                )
                .in_field("type")
                .at_offset(0));
            }
            a.ignore("mode", "inline caches are always mode=min");
            a.ignore("ignore-error", "it has no effect on inline caches");
            Settings::Inline(InlineSettings {})
        }
        CacheType::Gha => Settings::Gha(gha(a)?),
        CacheType::S3 => Settings::S3(s3(a)?),
        CacheType::Azblob => Settings::Azblob(azblob(a)?),
    })
}

fn registry(a: &mut Attrs<'_>) -> Result<RegistrySettings> {
    let reference = match a.get("ref", For::Both) {
        None | Some("") => return Err(missing(a, "ref", "registry cache requires ref")),
        Some(r) => Reference::parse(r).map_err(|e| {
            Error::new(ErrorKind::InvalidReference, e.message().to_owned())
                .in_field("ref")
                .at_offset(a.offset("ref") + e.offset().unwrap_or(0))
        })?,
    };
    let (oci_mediatypes, image_manifest) = media_types(a)?;
    Ok(RegistrySettings {
        reference,
        oci_mediatypes,
        image_manifest,
        insecure: a.bool("registry.insecure", For::Both, false)?,
        compression: compression(a)?,
        export: export(a)?,
    })
}

fn local(a: &mut Attrs<'_>, direction: Option<Direction>) -> Result<LocalSettings> {
    let dest = a.optional("dest", For::Export);
    let src = a.optional("src", For::Import);
    let digest = match a.get("digest", For::Import) {
        None => None,
        Some(d) => Some(
            Digest::parse(d)
                .map_err(|e| a.invalid("digest", format!("digest: {}", e.message())))?,
        ),
    };
    let explicit_tag = a.get("tag", For::Both);
    let empty = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
    match direction {
        Some(Direction::Export) if empty(&dest) => {
            return Err(missing(a, "dest", "local cache exporter requires dest"));
        }
        Some(Direction::Import) if empty(&src) => {
            return Err(missing(a, "src", "local cache importer requires src"));
        }
        None if empty(&dest) && empty(&src) => {
            return Err(missing(
                a,
                "src",
                "local cache requires dest (to export) or src (to import)",
            ));
        }
        _ => {}
    }
    if explicit_tag == Some("") && digest.is_none() && direction != Some(Direction::Export) {
        return Err(missing(
            a,
            "tag",
            "local cache importer requires either explicit digest, \"latest\" tag or custom tag on index.json",
        ));
    }
    let (oci_mediatypes, image_manifest) = media_types(a)?;
    Ok(LocalSettings {
        dest,
        src,
        tag: explicit_tag.unwrap_or("latest").to_owned(),
        digest,
        reset: a.bool("reset", For::Export, false)?,
        oci_mediatypes,
        image_manifest,
        compression: compression(a)?,
        export: export(a)?,
    })
}

fn gha(a: &mut Attrs<'_>) -> Result<GhaSettings> {
    ignore_compression(a, "gha");
    Ok(GhaSettings {
        scope: a.string("scope", For::Both, "buildkit"),
        timeout_ms: a.duration_ms(
            "timeout",
            For::Both,
            600_000,
            "timeout for github actions cache",
        )?,
        version: a.int(
            "version",
            For::Both,
            1,
            "failed to parse api version, expected positive integer",
        )?,
        url: a.optional("url", For::Both),
        url_v2: a.optional("url_v2", For::Both),
        token: a.optional("token", For::Both),
        repository: a.optional("repository", For::Export),
        ghtoken: a.optional("ghtoken", For::Export),
        export: export(a)?,
    })
}

fn s3(a: &mut Attrs<'_>) -> Result<S3Settings> {
    ignore_compression(a, "s3");
    let retry_mode = match a.get("retry_mode", For::Both) {
        None => None,
        Some(m @ ("standard" | "adaptive")) => Some(m.to_owned()),
        Some(m) => {
            return Err(a.invalid(
                "retry_mode",
                format!("retry_mode must be \"standard\" or \"adaptive\" (got {m:?})"),
            ));
        }
    };
    Ok(S3Settings {
        bucket: a.optional("bucket", For::Both),
        region: a.optional("region", For::Both),
        prefix: a.string("prefix", For::Both, ""),
        manifests_prefix: a.string("manifests_prefix", For::Both, "manifests/"),
        blobs_prefix: a.string("blobs_prefix", For::Both, "blobs/"),
        names: names(a),
        touch_refresh_ms: a.duration_ms("touch_refresh", For::Both, 86_400_000, "touch_refresh")?,
        endpoint_url: a.optional("endpoint_url", For::Both),
        use_path_style: a.bool("use_path_style", For::Both, false)?,
        access_key_id: a.optional("access_key_id", For::Both),
        secret_access_key: a.optional("secret_access_key", For::Both),
        session_token: a.optional("session_token", For::Both),
        upload_parallelism: a
            .int(
                "upload_parallelism",
                For::Both,
                1,
                "upload_parallelism must be a positive integer",
            )?
            .unwrap_or(4),
        disable_accept_encoding: a.bool("disable_accept_encoding", For::Both, false)?,
        retry_mode,
        retry_max_attempts: a.int(
            "retry_max_attempts",
            For::Both,
            1,
            "retry_max_attempts must be a positive integer",
        )?,
        export: export(a)?,
    })
}

fn azblob(a: &mut Attrs<'_>) -> Result<AzblobSettings> {
    ignore_compression(a, "azblob");
    let account_url = a.optional("account_url", For::Both);
    if let Some(url) = &account_url {
        let scheme_ok = url
            .split_once("://")
            .is_some_and(|(s, rest)| !s.is_empty() && !rest.is_empty());
        if !scheme_ok {
            return Err(a.invalid(
                "account_url",
                "azure storage account url provided is not a valid url".to_owned(),
            ));
        }
    }
    Ok(AzblobSettings {
        account_url,
        account_name: a.optional("account_name", For::Both),
        container: a.string("container", For::Both, "buildkit-cache"),
        prefix: a.string("prefix", For::Both, ""),
        manifests_prefix: a.string("manifests_prefix", For::Both, "manifests"),
        blobs_prefix: a.string("blobs_prefix", For::Both, "blobs"),
        names: names(a),
        secret_access_key: a.optional("secret_access_key", For::Both),
        export: export(a)?,
    })
}
