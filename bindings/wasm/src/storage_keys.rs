//! gha, s3 and azblob keys (core `storage_keys.rs`).

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;

fn digest(value: &JsValue) -> Result<ocicache::Digest, JsValue> {
    ocicache::Digest::parse(&arg::string("digest", value)?).map_err(|e| to_js(&e))
}

/// `buildkit-blob-1-<digest>`.
#[wasm_bindgen(js_name = ghaBlobKey)]
pub fn gha_blob_key(
    #[wasm_bindgen(js_name = digest, unchecked_param_type = "string")] blob: &JsValue,
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
    #[wasm_bindgen(js_name = indexDigest, unchecked_param_type = "string")] index_digest: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::gha_signature_key(&digest(index_digest)?))
}

/// `<prefix><blobsPrefix><digest>`.
#[wasm_bindgen(js_name = s3BlobKey)]
pub fn s3_blob_key(
    #[wasm_bindgen(unchecked_param_type = "string")] prefix: &JsValue,
    #[wasm_bindgen(js_name = blobsPrefix, unchecked_param_type = "string")] blobs_prefix: &JsValue,
    #[wasm_bindgen(js_name = digest, unchecked_param_type = "string")] blob: &JsValue,
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
    #[wasm_bindgen(js_name = digest, unchecked_param_type = "string")] blob: &JsValue,
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

#[wasm_bindgen(typescript_custom_section)]
const TS_MEDIA_TYPE: &str = r#"
/** The media type constants by name, such as `MediaType.CACHE_CONFIG` (from `mediaTypes()`). */
export declare const MediaType: Readonly<Record<string, string>>
"#;

/// The media type constants, by name (`OCI_MANIFEST`, `CACHE_CONFIG`, …).
#[wasm_bindgen(js_name = mediaTypes, unchecked_return_type = "Record<string, string>")]
pub fn media_types() -> JsValue {
    let o = Object::new();
    for (k, v) in ocicache::MediaType::ALL {
        let _ = Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o.into()
}
