//! `OciLayout` and `Reachability` (core `layout.rs`).

use napi::bindgen_prelude::{Buffer, Env, Result, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::digest::from_js;
use crate::error::to_js;
use crate::plain;

/// The rules of an OCI image layout directory.
#[napi]
pub struct OciLayout {}

#[napi]
impl OciLayout {
    /// The `oci-layout` file BuildKit writes.
    #[napi(ts_return_type = "Uint8Array")]
    pub fn file_content() -> Buffer {
        ocicache::OciLayout::FILE_CONTENT.to_vec().into()
    }

    /// Throws `INVALID_LAYOUT` unless `bytes` is a valid `oci-layout` file.
    #[napi(ts_args_type = "bytes: Uint8Array")]
    pub fn check_file(env: &Env, bytes: Unknown<'_>) -> Result<()> {
        ocicache::OciLayout::check_file(arg::bytes(env, "bytes", bytes)?)
            .map_err(|e| to_js(env, &e))
    }

    /// `blobs/<algorithm>/<encoded>` of a digest (validated first).
    #[napi(ts_args_type = "digest: string | Digest")]
    pub fn blob_path(env: &Env, digest: Unknown<'_>) -> Result<String> {
        let d = from_js(env, digest)?;
        Ok(ocicache::OciLayout::blob_path(&d))
    }

    /// The digest a blob path names; throws `INVALID_DIGEST` for anything else.
    #[napi(ts_args_type = "path: string")]
    pub fn digest_from_path(env: &Env, path: Unknown<'_>) -> Result<String> {
        ocicache::OciLayout::digest_from_path(&arg::string(env, "path", path)?)
            .map(|d| d.to_string())
            .map_err(|e| to_js(env, &e))
    }

    /// Throws `INVALID_TAG` unless `tag` is a valid `ref.name`.
    #[napi(ts_args_type = "tag: string")]
    pub fn check_tag(env: &Env, tag: Unknown<'_>) -> Result<()> {
        ocicache::OciLayout::check_tag(&arg::string(env, "tag", tag)?).map_err(|e| to_js(env, &e))
    }
}

/// The walk from `index.json` to every reachable blob: read each blob
/// `nextNeeded()` names and `feed` it (or report it `missing`).
#[napi]
pub struct Reachability {
    inner: ocicache::Reachability,
}

#[napi]
impl Reachability {
    /// A walk from the entries of `index.json` (only `tags`, if given).
    #[napi(
        constructor,
        ts_args_type = "index: Uint8Array, tags?: string[] | null | undefined"
    )]
    pub fn new(env: Env, index: Unknown<'_>, tags: Unknown<'_>) -> Result<Self> {
        let index = ocicache::ImageIndex::from_bytes(arg::bytes(&env, "index", index)?)
            .map_err(|e| to_js(&env, &e))?;
        let tags = plain::strings(&env, "tags", tags)?;
        let refs: Option<Vec<&str>> = tags
            .as_ref()
            .map(|t| t.iter().map(String::as_str).collect());
        Ok(Reachability {
            inner: ocicache::Reachability::new(&index, refs.as_deref()),
        })
    }

    /// The next manifest or index to read, or `null` when done.
    #[napi(ts_return_type = "Record<string, any> | null")]
    pub fn next_needed(&self, env: &Env) -> Result<Option<Value>> {
        self.inner
            .next_needed()
            .map(|d| plain::object(env, &d.to_bytes()))
            .transpose()
    }

    /// The bytes of the blob `nextNeeded()` named.
    #[napi(ts_args_type = "digest: string | Digest, bytes: Uint8Array")]
    pub fn feed(&mut self, env: &Env, digest: Unknown<'_>, bytes: Unknown<'_>) -> Result<()> {
        let d = from_js(env, digest)?;
        self.inner
            .feed(&d, arg::bytes(env, "bytes", bytes)?)
            .map_err(|e| to_js(env, &e))
    }

    /// Reports that the blob `nextNeeded()` named is missing.
    #[napi(ts_args_type = "digest: string | Digest")]
    pub fn missing(&mut self, env: &Env, digest: Unknown<'_>) -> Result<()> {
        let d = from_js(env, digest)?;
        self.inner.missing(&d);
        Ok(())
    }

    /// The reachable blobs found so far, sorted.
    #[napi]
    pub fn reachable(&self) -> Vec<String> {
        self.inner
            .reachable()
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}
