//! `CacheManifest` (core `cache_manifest.rs`).

use napi::bindgen_prelude::{
    Buffer, ClassInstance, Env, FromNapiValue, JsObjectValue, Result, Unknown,
};
use napi_derive::napi;
use serde_json::Value;

use crate::arg;
use crate::cache_config::CacheConfig;
use crate::error::to_js;
use crate::plain::{self, Finding};

/// A cache manifest in any form (image manifest, OCI index, Docker list).
#[napi]
pub struct CacheManifest {
    inner: ocicache::CacheManifest,
}

fn form(env: &Env, value: Unknown<'_>) -> Result<ocicache::CacheForm> {
    ocicache::CacheForm::parse(&arg::string(env, "form", value)?).map_err(|e| to_js(env, &e))
}

#[napi]
impl CacheManifest {
    /// Reads a cache manifest, detecting its form like BuildKit.
    #[napi(factory, ts_args_type = "bytes: Uint8Array")]
    pub fn from_bytes(env: &Env, bytes: Unknown<'_>) -> Result<CacheManifest> {
        ocicache::CacheManifest::from_bytes(arg::bytes(env, "bytes", bytes)?)
            .map(|inner| CacheManifest { inner })
            .map_err(|e| to_js(env, &e))
    }

    /// A new cache manifest of `form`, as BuildKit's exporter writes it.
    #[napi(
        factory,
        ts_args_type = "form: \"image-manifest\" | \"image-index\" | \"docker-manifest-list\" | \"docker-manifest\", config: Record<string, any>, layers: Record<string, any>[]"
    )]
    pub fn build(
        env: &Env,
        form_name: Unknown<'_>,
        config: Unknown<'_>,
        layers: Unknown<'_>,
    ) -> Result<CacheManifest> {
        let form = form(env, form_name)?;
        let config = plain::descriptor(env, "config", config)?;
        let list = arg::array(env, "layers", "an array of descriptors", layers)?;
        let mut descriptors = Vec::new();
        for i in 0..list.get_array_length()? {
            descriptors.push(plain::descriptor(
                env,
                &format!("layers[{i}]"),
                list.get_element(i)?,
            )?);
        }
        Ok(CacheManifest {
            inner: ocicache::CacheManifest::build(form, config, descriptors),
        })
    }

    /// The document as BuildKit writes it.
    #[napi(ts_return_type = "Uint8Array")]
    pub fn to_bytes(&self, env: &Env) -> Result<Buffer> {
        crate::bytes::buffer(env, &self.inner.to_bytes())
    }

    /// The document as a plain object.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json(&self, env: &Env) -> Result<Value> {
        plain::object(env, &self.inner.to_bytes())
    }

    /// `image-manifest`, `image-index`, `docker-manifest-list` or `docker-manifest`.
    #[napi(
        getter,
        ts_return_type = "\"image-manifest\" | \"image-index\" | \"docker-manifest-list\" | \"docker-manifest\""
    )]
    pub fn form(&self) -> &'static str {
        self.inner.form().as_str()
    }

    /// The document's own media type.
    #[napi(getter)]
    pub fn media_type(&self) -> String {
        self.inner.media_type().to_owned()
    }

    /// The cache config descriptor.
    #[napi(getter, ts_return_type = "Record<string, any>")]
    pub fn config(&self, env: &Env) -> Result<Value> {
        plain::object(env, &self.inner.config().to_bytes())
    }

    /// The layer descriptors.
    #[napi(getter, ts_return_type = "Record<string, any>[]")]
    pub fn layers(&self, env: &Env) -> Result<Vec<Value>> {
        self.inner
            .layers()
            .map(|d| plain::object(env, &d.to_bytes()))
            .collect()
    }

    /// OCI rules and what BuildKit needs of the manifest.
    #[napi]
    pub fn validate(&self) -> Vec<Finding> {
        plain::findings(self.inner.validate())
    }

    /// `validate()` plus the config's checks against this manifest's blobs.
    #[napi(ts_args_type = "config: CacheConfig")]
    pub fn validate_with_config(&self, env: &Env, config: Unknown<'_>) -> Result<Vec<Finding>> {
        let config = ClassInstance::<CacheConfig>::from_unknown(config)
            .map_err(|_| arg::type_error(env, "config", "a CacheConfig", &config))?;
        Ok(plain::findings(
            self.inner.validate_with_config(&config.inner),
        ))
    }

    /// The same content in another form.
    #[napi(
        ts_args_type = "form: \"image-manifest\" | \"image-index\" | \"docker-manifest-list\" | \"docker-manifest\""
    )]
    pub fn convert(&self, env: &Env, form_name: Unknown<'_>) -> Result<CacheManifest> {
        Ok(CacheManifest {
            inner: self.inner.convert(form(env, form_name)?),
        })
    }
}
