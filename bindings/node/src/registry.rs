//! The distribution API without the HTTP (core `registry/`): where a
//! reference's manifests and blobs live, authentication challenges and
//! tokens, docker config credentials, and registry errors. The npm
//! package's registry driver does the requests.

use std::collections::HashMap;

use napi::bindgen_prelude::{Env, Object, Result, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::digest::from_js as digest;
use crate::error::{error_object, to_js};

/// Where a reference's manifests and blobs live.
#[napi]
pub struct RegistryLocation {
    pub(crate) inner: ocicache::RegistryLocation,
}

#[napi]
impl RegistryLocation {
    /// The location of `reference` (normalised like buildx's `ref`);
    /// `insecure` is `registry.insecure` (plain HTTP; loopback hosts always are).
    #[napi(
        constructor,
        ts_args_type = "reference: string, insecure?: boolean | undefined | null"
    )]
    pub fn new(env: &Env, reference: Unknown<'_>, insecure: Option<bool>) -> Result<Self> {
        let reference = arg::string(env, "reference", reference)?;
        let inner = ocicache::RegistryLocation::parse(&reference, insecure.unwrap_or(false))
            .map_err(|e| to_js(env, &e))?;
        Ok(RegistryLocation { inner })
    }

    /// The normalised reference, e.g. `docker.io/user/app:latest`.
    #[napi(getter)]
    pub fn reference(&self) -> String {
        self.inner.reference.to_string()
    }

    /// Whether requests go over plain HTTP.
    #[napi(getter)]
    pub fn plain_http(&self) -> bool {
        self.inner.plain_http
    }

    /// The host requests go to (`registry-1.docker.io` for Docker Hub).
    #[napi(getter)]
    pub fn api_host(&self) -> String {
        self.inner.api_host().to_owned()
    }

    /// The registry's key in a docker config file's `auths`.
    #[napi(getter)]
    pub fn auth_key(&self) -> String {
        self.inner.auth_key().to_owned()
    }

    /// The repository path.
    #[napi(getter)]
    pub fn repository(&self) -> String {
        self.inner.repository().to_owned()
    }

    /// The tag or digest the reference names.
    #[napi(getter)]
    pub fn target(&self) -> String {
        self.inner.target()
    }

    /// `http(s)://host/v2/<repository>`.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// The manifest endpoint of `target` (a tag or digest; the reference's own by default).
    #[napi(ts_args_type = "target?: string | undefined | null")]
    pub fn manifest_url(&self, env: &Env, target: Unknown<'_>) -> Result<String> {
        let target = arg::optional_string(env, "target", target)?;
        Ok(self.inner.manifest_url(target.as_deref()))
    }

    /// The blob endpoint of `digest`.
    #[napi(ts_args_type = "digest: string | Digest")]
    pub fn blob_url(&self, env: &Env, blob: Unknown<'_>) -> Result<String> {
        Ok(self.inner.blob_url(&digest(env, blob)?))
    }

    /// The endpoint that starts an upload; with `mountDigest` and
    /// `mountFrom`, a cross-repository mount from that repository.
    #[napi(
        ts_args_type = "mountDigest?: string | Digest | undefined | null, mountFrom?: string | undefined | null"
    )]
    pub fn upload_url(
        &self,
        env: &Env,
        mount_digest: Unknown<'_>,
        mount_from: Unknown<'_>,
    ) -> Result<String> {
        if arg::is_absent(&mount_digest) {
            return Ok(self.inner.upload_url(None));
        }
        let d = digest(env, mount_digest)?;
        let from = arg::string(env, "mountFrom", mount_from)?;
        Ok(self.inner.upload_url(Some((&d, &from))))
    }

    /// The token scope for this repository (`repository:<repo>:pull[,push]`).
    #[napi]
    pub fn scope(&self, push: bool) -> String {
        self.inner.scope(push)
    }

    /// Whether `other` is on the same registry (blobs can be mounted from it).
    #[napi]
    pub fn same_registry(&self, other: &RegistryLocation) -> bool {
        self.inner.same_registry(&other.inner)
    }
}

/// One challenge of a `WWW-Authenticate` header.
#[napi]
pub struct Challenge {
    inner: ocicache::Challenge,
}

#[napi]
impl Challenge {
    /// Every challenge of a `WWW-Authenticate` header value, in order.
    #[napi(ts_args_type = "header: string")]
    pub fn parse(env: &Env, header: Unknown<'_>) -> Result<Vec<Challenge>> {
        let header = arg::string(env, "header", header)?;
        let list = ocicache::Challenge::parse(&header).map_err(|e| to_js(env, &e))?;
        Ok(list.into_iter().map(|inner| Challenge { inner }).collect())
    }

    /// The scheme, lower-cased (`basic`, `bearer`).
    #[napi(getter)]
    pub fn scheme(&self) -> String {
        self.inner.scheme.clone()
    }

    /// The parameters (`realm`, `service`, `scope`, …).
    #[napi(getter)]
    pub fn params(&self) -> HashMap<String, String> {
        self.inner.params.clone().into_iter().collect()
    }

    /// The token request of a bearer challenge for `scopes`.
    #[napi(ts_args_type = "scopes: string[]")]
    pub fn token_url(&self, env: &Env, scopes: Unknown<'_>) -> Result<String> {
        let scopes = crate::plain::strings(env, "scopes", scopes)?.unwrap_or_default();
        self.inner.token_url(&scopes).map_err(|e| to_js(env, &e))
    }
}

/// A user name and password for a registry.
#[napi(object)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or token.
    pub password: String,
}

/// The `Accept` header for manifest requests (every cache wrapper form).
#[napi]
pub fn manifest_accept() -> &'static str {
    ocicache::MANIFEST_ACCEPT
}

/// Whether a descriptor of `mediaType` is stored under `/manifests/`.
#[napi(ts_args_type = "mediaType: string")]
pub fn is_manifest_media_type(env: &Env, media_type: Unknown<'_>) -> Result<bool> {
    Ok(ocicache::is_manifest_media_type(&arg::string(
        env,
        "mediaType",
        media_type,
    )?))
}

/// The token of a token endpoint's JSON answer.
#[napi(ts_args_type = "body: Uint8Array")]
pub fn token_from_response(env: &Env, body: Unknown<'_>) -> Result<String> {
    ocicache::token_from_response(arg::bytes(env, "body", body)?).map_err(|e| to_js(env, &e))
}

/// The credentials a docker config file (its bytes) holds for the registry
/// whose `auths` key is `key`, or `null`.
#[napi(ts_args_type = "config: Uint8Array, key: string")]
pub fn docker_config_credentials(
    env: &Env,
    config: Unknown<'_>,
    key: Unknown<'_>,
) -> Result<Option<Credentials>> {
    let config = arg::bytes(env, "config", config)?;
    let key = arg::string(env, "key", key)?;
    let found = ocicache::docker_config_credentials(config, &key).map_err(|e| to_js(env, &e))?;
    Ok(found.map(|c| Credentials {
        username: c.username,
        password: c.password,
    }))
}

/// The coded `Error` (`UNAUTHORIZED`, `REGISTRY_ERROR`) for a registry
/// answering `status` with `body` to the request `what`; returned, not thrown.
#[napi(
    ts_args_type = "status: number, body: Uint8Array, what: string",
    ts_return_type = "Error"
)]
pub fn registry_error<'a>(
    env: &'a Env,
    status: u32,
    body: Unknown<'_>,
    what: Unknown<'_>,
) -> Result<Object<'a>> {
    let body = arg::bytes(env, "body", body)?;
    let what = arg::string(env, "what", what)?;
    let status = u16::try_from(status).unwrap_or(u16::MAX);
    error_object(env, &ocicache::registry_error(status, body, &what))
}

/// `location` resolved against `base`.
#[napi(ts_args_type = "base: string, location: string")]
pub fn resolve_url(env: &Env, base: Unknown<'_>, location: Unknown<'_>) -> Result<String> {
    Ok(ocicache::resolve_url(
        &arg::string(env, "base", base)?,
        &arg::string(env, "location", location)?,
    ))
}

/// An upload's next URL: `location` resolved against `requestUrl`, with
/// `digest` as a query parameter when given.
#[napi(
    ts_args_type = "requestUrl: string, location: string, digest?: string | Digest | undefined | null"
)]
pub fn upload_location(
    env: &Env,
    request_url: Unknown<'_>,
    location: Unknown<'_>,
    blob: Unknown<'_>,
) -> Result<String> {
    let d = if arg::is_absent(&blob) {
        None
    } else {
        Some(digest(env, blob)?)
    };
    Ok(ocicache::upload_location(
        &arg::string(env, "requestUrl", request_url)?,
        &arg::string(env, "location", location)?,
        d.as_ref(),
    ))
}

/// Whether a token request to `tokenUrl` may carry the credentials for the
/// registry at `registryUrl`: over HTTPS, or to the registry's own host.
#[napi(ts_args_type = "registryUrl: string, tokenUrl: string")]
pub fn credentials_allowed(
    env: &Env,
    registry_url: Unknown<'_>,
    token_url: Unknown<'_>,
) -> Result<bool> {
    Ok(ocicache::credentials_allowed(
        &arg::string(env, "registryUrl", registry_url)?,
        &arg::string(env, "tokenUrl", token_url)?,
    ))
}

/// Whether a redirect from `from` to `to` stays on the same origin.
#[napi(ts_args_type = "from: string, to: string")]
pub fn same_origin(env: &Env, from: Unknown<'_>, to: Unknown<'_>) -> Result<bool> {
    Ok(ocicache::same_origin(
        &arg::string(env, "from", from)?,
        &arg::string(env, "to", to)?,
    ))
}
