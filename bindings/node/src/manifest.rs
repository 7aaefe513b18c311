//! `ImageManifest` and `ImageIndex` (core `manifest.rs`, and the layout
//! rules of `layout.rs` that work on `index.json`).

use napi::bindgen_prelude::{Buffer, Env, Result, Unknown};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::error::to_js;
use crate::plain::{self, Finding};

/// An OCI image manifest (or Docker manifest).
#[napi]
pub struct ImageManifest {
    inner: ocicache::ImageManifest,
}

#[napi]
impl ImageManifest {
    /// Reads a manifest from JSON bytes.
    #[napi(factory, ts_args_type = "bytes: Uint8Array")]
    pub fn from_bytes(env: &Env, bytes: Unknown<'_>) -> Result<ImageManifest> {
        ocicache::ImageManifest::from_bytes(arg::bytes(env, "bytes", bytes)?)
            .map(|inner| ImageManifest { inner })
            .map_err(|e| to_js(env, &e))
    }

    /// The manifest as Go writes it.
    #[napi(ts_return_type = "Uint8Array")]
    pub fn to_bytes(&self, env: &Env) -> Result<Buffer> {
        crate::bytes::buffer(env, &self.inner.to_bytes())
    }

    /// The manifest as a plain object.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json(&self, env: &Env) -> Result<Value> {
        plain::object(env, &self.inner.to_bytes())
    }

    /// The OCI rules.
    #[napi]
    pub fn validate(&self) -> Vec<Finding> {
        plain::findings(self.inner.validate())
    }
}

/// An OCI image index (or Docker manifest list), such as a layout's `index.json`.
#[napi]
pub struct ImageIndex {
    inner: ocicache::ImageIndex,
}

#[napi]
impl ImageIndex {
    /// Reads an index from JSON bytes.
    #[napi(factory, ts_args_type = "bytes: Uint8Array")]
    pub fn from_bytes(env: &Env, bytes: Unknown<'_>) -> Result<ImageIndex> {
        ocicache::ImageIndex::from_bytes(arg::bytes(env, "bytes", bytes)?)
            .map(|inner| ImageIndex { inner })
            .map_err(|e| to_js(env, &e))
    }

    /// The index as Go writes it.
    #[napi(ts_return_type = "Uint8Array")]
    pub fn to_bytes(&self, env: &Env) -> Result<Buffer> {
        crate::bytes::buffer(env, &self.inner.to_bytes())
    }

    /// The index as a plain object.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json(&self, env: &Env) -> Result<Value> {
        plain::object(env, &self.inner.to_bytes())
    }

    /// The OCI rules.
    #[napi]
    pub fn validate(&self) -> Vec<Finding> {
        plain::findings(self.inner.validate())
    }

    /// The entries' tags, in order.
    #[napi]
    pub fn tags(&self) -> Vec<String> {
        self.inner.tags().into_iter().map(str::to_owned).collect()
    }

    /// The entry BuildKit imports for `tag`; throws `TAG_NOT_FOUND`.
    #[napi(ts_args_type = "tag: string", ts_return_type = "Record<string, any>")]
    pub fn find_tag(&self, env: &Env, tag: Unknown<'_>) -> Result<Value> {
        let tag = arg::string(env, "tag", tag)?;
        let d = self.inner.find_tag(&tag).map_err(|e| to_js(env, &e))?;
        plain::object(env, &d.to_bytes())
    }

    /// The bytes of `index.json` after an export of `descriptor` to `tag`,
    /// given the current file (`null` when there is none).
    #[napi(
        ts_args_type = "current: Uint8Array | null | undefined, tag: string, descriptor: Record<string, any>",
        ts_return_type = "Uint8Array"
    )]
    pub fn updated_layout_index(
        env: &Env,
        current: Unknown<'_>,
        tag: Unknown<'_>,
        descriptor: Unknown<'_>,
    ) -> Result<Buffer> {
        let current = arg::optional_bytes(env, "current", current)?;
        let tag = arg::string(env, "tag", tag)?;
        let descriptor = plain::descriptor(env, "descriptor", descriptor)?;
        ocicache::ImageIndex::updated_layout_index(current, &tag, &descriptor)
            .map_err(|e| to_js(env, &e))
            .and_then(|b| crate::bytes::buffer(env, &b))
    }

    /// `index.json` as a location with `tag=` shows it: only the entry
    /// BuildKit imports for `tag`; throws `TAG_NOT_FOUND`.
    #[napi(
        ts_args_type = "current: Uint8Array | null | undefined, tag: string",
        ts_return_type = "Uint8Array"
    )]
    pub fn selected_layout_index(
        env: &Env,
        current: Unknown<'_>,
        tag: Unknown<'_>,
    ) -> Result<Buffer> {
        let current = arg::optional_bytes(env, "current", current)?;
        let tag = arg::string(env, "tag", tag)?;
        ocicache::ImageIndex::selected_layout_index(current, &tag)
            .map_err(|e| to_js(env, &e))
            .and_then(|b| crate::bytes::buffer(env, &b))
    }

    /// `index.json` for a location pinned with `digest=`: one entry, tagged
    /// `tag`, for the manifest or index `document` (which must hash to
    /// `digest`).
    #[napi(
        ts_args_type = "document: Uint8Array, digest: string | Digest, tag: string",
        ts_return_type = "Uint8Array"
    )]
    pub fn pinned_layout_index(
        env: &Env,
        document: Unknown<'_>,
        digest: Unknown<'_>,
        tag: Unknown<'_>,
    ) -> Result<Buffer> {
        let document = arg::bytes(env, "document", document)?;
        let digest = crate::digest::from_js(env, digest)?;
        let tag = arg::string(env, "tag", tag)?;
        ocicache::ImageIndex::pinned_layout_index(document, &digest, &tag)
            .map_err(|e| to_js(env, &e))
            .and_then(|b| crate::bytes::buffer(env, &b))
    }
}
