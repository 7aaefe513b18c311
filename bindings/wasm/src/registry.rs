//! The distribution API without the HTTP (core `registry/`): where a
//! reference's manifests and blobs live, authentication challenges and
//! tokens, docker config credentials, and registry errors.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::digest::from_js;
use crate::error::to_js;

/// Where a reference's manifests and blobs live.
#[wasm_bindgen]
pub struct RegistryLocation {
    inner: ocicache::RegistryLocation,
}

#[wasm_bindgen]
impl RegistryLocation {
    /// The location of `reference`; `insecure` is `registry.insecure`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] reference: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean | undefined | null")] insecure: &JsValue,
    ) -> Result<RegistryLocation, JsValue> {
        let reference = arg::string("reference", reference)?;
        let insecure = if insecure.is_undefined() || insecure.is_null() {
            false
        } else {
            insecure
                .as_bool()
                .ok_or_else(|| arg::type_error("insecure", "a boolean", insecure))?
        };
        let inner =
            ocicache::RegistryLocation::parse(&reference, insecure).map_err(|e| to_js(&e))?;
        Ok(RegistryLocation { inner })
    }

    /// The normalised reference.
    #[wasm_bindgen(getter)]
    pub fn reference(&self) -> String {
        self.inner.reference.to_string()
    }

    /// Whether requests go over plain HTTP.
    #[wasm_bindgen(getter, js_name = plainHttp)]
    pub fn plain_http(&self) -> bool {
        self.inner.plain_http
    }

    /// The host requests go to.
    #[wasm_bindgen(getter, js_name = apiHost)]
    pub fn api_host(&self) -> String {
        self.inner.api_host().to_owned()
    }

    /// The registry's key in a docker config file's `auths`.
    #[wasm_bindgen(getter, js_name = authKey)]
    pub fn auth_key(&self) -> String {
        self.inner.auth_key().to_owned()
    }

    /// The repository path.
    #[wasm_bindgen(getter)]
    pub fn repository(&self) -> String {
        self.inner.repository().to_owned()
    }

    /// The tag or digest the reference names.
    #[wasm_bindgen(getter)]
    pub fn target(&self) -> String {
        self.inner.target()
    }

    /// `http(s)://host/v2/<repository>`.
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// The manifest endpoint of `target`.
    #[wasm_bindgen(js_name = manifestUrl)]
    pub fn manifest_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] target: &JsValue,
    ) -> Result<String, JsValue> {
        let target = arg::optional_string("target", target)?;
        Ok(self.inner.manifest_url(target.as_deref()))
    }

    /// The blob endpoint of `digest`.
    #[wasm_bindgen(js_name = blobUrl)]
    pub fn blob_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
    ) -> Result<String, JsValue> {
        Ok(self.inner.blob_url(&from_js(digest)?))
    }

    /// The endpoint that starts an upload, or a cross-repository mount.
    #[wasm_bindgen(js_name = uploadUrl)]
    pub fn upload_url(
        &self,
        #[wasm_bindgen(js_name = mountDigest, unchecked_param_type = "string | Digest | undefined | null")]
        mount_digest: &JsValue,
        #[wasm_bindgen(js_name = mountFrom, unchecked_param_type = "string | undefined | null")]
        mount_from: &JsValue,
    ) -> Result<String, JsValue> {
        if mount_digest.is_undefined() || mount_digest.is_null() {
            return Ok(self.inner.upload_url(None));
        }
        let d = from_js(mount_digest)?;
        let from = arg::string("mountFrom", mount_from)?;
        Ok(self.inner.upload_url(Some((&d, &from))))
    }

    /// The token scope for this repository.
    pub fn scope(&self, push: bool) -> String {
        self.inner.scope(push)
    }

    /// Whether `other` is on the same registry.
    #[wasm_bindgen(js_name = sameRegistry)]
    pub fn same_registry(&self, other: &RegistryLocation) -> bool {
        self.inner.same_registry(&other.inner)
    }
}

/// One challenge of a `WWW-Authenticate` header.
#[wasm_bindgen]
pub struct Challenge {
    inner: ocicache::Challenge,
}

#[wasm_bindgen]
impl Challenge {
    /// Every challenge of a `WWW-Authenticate` header value, in order.
    pub fn parse(
        #[wasm_bindgen(unchecked_param_type = "string")] header: &JsValue,
    ) -> Result<Vec<Challenge>, JsValue> {
        let header = arg::string("header", header)?;
        let list = ocicache::Challenge::parse(&header).map_err(|e| to_js(&e))?;
        Ok(list.into_iter().map(|inner| Challenge { inner }).collect())
    }

    /// The scheme, lower-cased.
    #[wasm_bindgen(getter)]
    pub fn scheme(&self) -> String {
        self.inner.scheme.clone()
    }

    /// The parameters.
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, string>")]
    pub fn params(&self) -> JsValue {
        let out = Object::new();
        for (k, v) in &self.inner.params {
            let _ = Reflect::set(&out, &k.into(), &v.into());
        }
        out.into()
    }

    /// The token request of a bearer challenge for `scopes`.
    #[wasm_bindgen(js_name = tokenUrl)]
    pub fn token_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] scopes: &JsValue,
    ) -> Result<String, JsValue> {
        let scopes = crate::plain::strings("scopes", scopes)?.unwrap_or_default();
        self.inner.token_url(&scopes).map_err(|e| to_js(&e))
    }
}

/// The `Accept` header for manifest requests.
#[wasm_bindgen(js_name = manifestAccept)]
pub fn manifest_accept() -> String {
    ocicache::MANIFEST_ACCEPT.to_owned()
}

/// Whether a descriptor of `mediaType` is stored under `/manifests/`.
#[wasm_bindgen(js_name = isManifestMediaType)]
pub fn is_manifest_media_type(
    #[wasm_bindgen(js_name = mediaType, unchecked_param_type = "string")] media_type: &JsValue,
) -> Result<bool, JsValue> {
    Ok(ocicache::is_manifest_media_type(&arg::string(
        "mediaType",
        media_type,
    )?))
}

/// The token of a token endpoint's JSON answer.
#[wasm_bindgen(js_name = tokenFromResponse)]
pub fn token_from_response(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: &JsValue,
) -> Result<String, JsValue> {
    ocicache::token_from_response(&arg::bytes("body", body)?).map_err(|e| to_js(&e))
}

/// The credentials a docker config file holds for `key`, or `null`.
#[wasm_bindgen(js_name = dockerConfigCredentials, unchecked_return_type = "Credentials | null")]
pub fn docker_config_credentials(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] config: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] key: &JsValue,
) -> Result<JsValue, JsValue> {
    let config = arg::bytes("config", config)?;
    let key = arg::string("key", key)?;
    match ocicache::docker_config_credentials(&config, &key).map_err(|e| to_js(&e))? {
        None => Ok(JsValue::NULL),
        Some(c) => {
            let out = Object::new();
            let _ = Reflect::set(&out, &"username".into(), &c.username.as_str().into());
            let _ = Reflect::set(&out, &"password".into(), &c.password.as_str().into());
            Ok(out.into())
        }
    }
}

/// The coded `Error` for a registry answering `status` with `body`; returned, not thrown.
#[wasm_bindgen(js_name = registryError, unchecked_return_type = "Error")]
pub fn registry_error(
    status: u32,
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] body: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] what: &JsValue,
) -> Result<JsValue, JsValue> {
    let body = arg::bytes("body", body)?;
    let what = arg::string("what", what)?;
    let status = u16::try_from(status).unwrap_or(u16::MAX);
    Ok(to_js(&ocicache::registry_error(status, &body, &what)))
}

/// `location` resolved against `base`.
#[wasm_bindgen(js_name = resolveUrl)]
pub fn resolve_url(
    #[wasm_bindgen(unchecked_param_type = "string")] base: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] location: &JsValue,
) -> Result<String, JsValue> {
    Ok(ocicache::resolve_url(
        &arg::string("base", base)?,
        &arg::string("location", location)?,
    ))
}

/// An upload's next URL, with `digest` as a query parameter when given.
#[wasm_bindgen(js_name = uploadLocation)]
pub fn upload_location(
    #[wasm_bindgen(js_name = requestUrl, unchecked_param_type = "string")] request_url: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] location: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Digest | undefined | null")] digest: &JsValue,
) -> Result<String, JsValue> {
    let d = if digest.is_undefined() || digest.is_null() {
        None
    } else {
        Some(from_js(digest)?)
    };
    Ok(ocicache::upload_location(
        &arg::string("requestUrl", request_url)?,
        &arg::string("location", location)?,
        d.as_ref(),
    ))
}

/// Whether a token request to `tokenUrl` may carry the credentials for the
/// registry at `registryUrl`: over HTTPS, or to the registry's own host.
#[wasm_bindgen(js_name = credentialsAllowed)]
pub fn credentials_allowed(
    #[wasm_bindgen(js_name = registryUrl, unchecked_param_type = "string")] registry_url: &JsValue,
    #[wasm_bindgen(js_name = tokenUrl, unchecked_param_type = "string")] token_url: &JsValue,
) -> Result<bool, JsValue> {
    Ok(ocicache::credentials_allowed(
        &arg::string("registryUrl", registry_url)?,
        &arg::string("tokenUrl", token_url)?,
    ))
}

/// Whether a redirect from `from` to `to` stays on the same origin.
#[wasm_bindgen(js_name = sameOrigin)]
pub fn same_origin(
    #[wasm_bindgen(unchecked_param_type = "string")] from: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] to: &JsValue,
) -> Result<bool, JsValue> {
    Ok(ocicache::same_origin(
        &arg::string("from", from)?,
        &arg::string("to", to)?,
    ))
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** A user name and password for a registry. */
export interface Credentials {
  username: string
  password: string
}
"#;
