//! gha, s3 and azblob keys (core `storage_keys.rs`).

use wasm_bindgen::prelude::*;

use crate::arg;
use crate::digest::from_js as digest;

/// `buildkit-blob-1-<digest>`.
#[wasm_bindgen(js_name = ghaBlobKey)]
pub fn gha_blob_key(
    #[wasm_bindgen(js_name = digest, unchecked_param_type = "string | Digest")] blob: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::gha_blob_key(&digest(blob)?))
}

/// `index-<scope>-1-<hash of githubScope>` (`-sig` when signed).
#[wasm_bindgen(js_name = ghaIndexKey)]
pub fn gha_index_key(
    #[wasm_bindgen(unchecked_param_type = "string")] scope: &JsValue,
    #[wasm_bindgen(js_name = githubScope, unchecked_param_type = "string")] github_scope: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "boolean | undefined | null")] signed: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::gha_index_key(
        &arg::string("scope", scope)?,
        &arg::string("githubScope", github_scope)?,
        signed.as_bool() == Some(true),
    ))
}

/// `buildkit-blob-1-<indexDigest>-sig`.
#[wasm_bindgen(js_name = ghaSignatureKey)]
pub fn gha_signature_key(
    #[wasm_bindgen(js_name = indexDigest, unchecked_param_type = "string | Digest")]
    index_digest: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::gha_signature_key(&digest(index_digest)?))
}

/// `<prefix><blobsPrefix><digest>`.
#[wasm_bindgen(js_name = s3BlobKey)]
pub fn s3_blob_key(
    #[wasm_bindgen(unchecked_param_type = "string")] prefix: &JsValue,
    #[wasm_bindgen(js_name = blobsPrefix, unchecked_param_type = "string")] blobs_prefix: &JsValue,
    #[wasm_bindgen(js_name = digest, unchecked_param_type = "string | Digest")] blob: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::s3_blob_key(
        &arg::string("prefix", prefix)?,
        &arg::string("blobsPrefix", blobs_prefix)?,
        &digest(blob)?,
    ))
}

/// `<prefix><manifestsPrefix><name>`.
#[wasm_bindgen(js_name = s3ManifestKey)]
pub fn s3_manifest_key(
    #[wasm_bindgen(unchecked_param_type = "string")] prefix: &JsValue,
    #[wasm_bindgen(js_name = manifestsPrefix, unchecked_param_type = "string")]
    manifests_prefix: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::s3_manifest_key(
        &arg::string("prefix", prefix)?,
        &arg::string("manifestsPrefix", manifests_prefix)?,
        &arg::string("name", name)?,
    ))
}

/// `path.Join(prefix, blobsPrefix, digest)`.
#[wasm_bindgen(js_name = azblobBlobPath)]
pub fn azblob_blob_path(
    #[wasm_bindgen(unchecked_param_type = "string")] prefix: &JsValue,
    #[wasm_bindgen(js_name = blobsPrefix, unchecked_param_type = "string")] blobs_prefix: &JsValue,
    #[wasm_bindgen(js_name = digest, unchecked_param_type = "string | Digest")] blob: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::azblob_blob_path(
        &arg::string("prefix", prefix)?,
        &arg::string("blobsPrefix", blobs_prefix)?,
        &digest(blob)?,
    ))
}

/// `path.Join(prefix, manifestsPrefix, name)`.
#[wasm_bindgen(js_name = azblobManifestPath)]
pub fn azblob_manifest_path(
    #[wasm_bindgen(unchecked_param_type = "string")] prefix: &JsValue,
    #[wasm_bindgen(js_name = manifestsPrefix, unchecked_param_type = "string")]
    manifests_prefix: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] name: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::azblob_manifest_path(
        &arg::string("prefix", prefix)?,
        &arg::string("manifestsPrefix", manifests_prefix)?,
        &arg::string("name", name)?,
    ))
}
