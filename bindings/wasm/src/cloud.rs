//! `cloudConfig` and `cloudDocuments` (core `cloud.rs`): the gha/s3/azblob
//! form of a cache and the manifest and config a layout holds for it.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::error::to_js;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A cloud cache as a layout holds it. */
export interface CloudDocuments {
  /** The manifest (image-manifest form). */
  manifest: Uint8Array
  /** The config it names: the cloud config without its annotations. */
  config: Uint8Array
}
"#;

/// The cloud config (what s3/azblob/gha store) of a cache manifest and its
/// config: each layer annotated from the manifest's descriptor of its blob.
#[wasm_bindgen(js_name = cloudConfig)]
pub fn cloud_config(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] manifest: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] config: &JsValue,
) -> Result<Uint8Array, JsValue> {
    let manifest = ocicache::CacheManifest::from_bytes(&arg::bytes("manifest", manifest)?)
        .map_err(|e| to_js(&e))?;
    let config =
        ocicache::CacheConfig::from_bytes(&arg::bytes("config", config)?).map_err(|e| to_js(&e))?;
    let cloud = ocicache::cloud_config(&manifest, &config).map_err(|e| to_js(&e))?;
    Ok(Uint8Array::from(cloud.to_bytes().as_slice()))
}

/// The manifest and config a layout would hold for a cloud config, as
/// BuildKit's importer reads it.
#[wasm_bindgen(js_name = cloudDocuments, unchecked_return_type = "CloudDocuments")]
pub fn cloud_documents(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] config: &JsValue,
) -> Result<JsValue, JsValue> {
    let config =
        ocicache::CacheConfig::from_bytes(&arg::bytes("config", config)?).map_err(|e| to_js(&e))?;
    let docs = ocicache::cloud_documents(&config).map_err(|e| to_js(&e))?;
    let out = Object::new();
    Reflect::set(
        &out,
        &"manifest".into(),
        &Uint8Array::from(docs.manifest.as_slice()),
    )?;
    Reflect::set(
        &out,
        &"config".into(),
        &Uint8Array::from(docs.config.as_slice()),
    )?;
    Ok(out.into())
}
