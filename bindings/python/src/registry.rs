//! The distribution API without the HTTP (core `registry/`): where a
//! reference's manifests and blobs live, authentication challenges and
//! tokens, docker config credentials, and registry errors. The Python
//! package's registry driver does the requests.

use std::collections::BTreeMap;

use pyo3::prelude::*;

use crate::digest::DigestArg;
use crate::error::to_py;

/// Where a reference's manifests and blobs live.
#[pyclass(module = "ocicache", frozen)]
pub struct RegistryLocation {
    inner: ocicache::RegistryLocation,
}

#[pymethods]
impl RegistryLocation {
    /// The location of ``reference``; ``insecure`` is ``registry.insecure``
    /// (plain HTTP; loopback hosts always are).
    #[new]
    #[pyo3(signature = (reference, insecure = false))]
    pub fn new(reference: &str, insecure: bool) -> PyResult<Self> {
        let inner =
            ocicache::RegistryLocation::parse(reference, insecure).map_err(|e| to_py(&e))?;
        Ok(RegistryLocation { inner })
    }

    /// The normalised reference.
    #[getter]
    pub fn reference(&self) -> String {
        self.inner.reference.to_string()
    }

    /// Whether requests go over plain HTTP.
    #[getter]
    pub fn plain_http(&self) -> bool {
        self.inner.plain_http
    }

    /// The host requests go to.
    #[getter]
    pub fn api_host(&self) -> String {
        self.inner.api_host().to_owned()
    }

    /// The registry's key in a docker config file's ``auths``.
    #[getter]
    pub fn auth_key(&self) -> String {
        self.inner.auth_key().to_owned()
    }

    /// The repository path.
    #[getter]
    pub fn repository(&self) -> String {
        self.inner.repository().to_owned()
    }

    /// The tag or digest the reference names.
    #[getter]
    pub fn target(&self) -> String {
        self.inner.target()
    }

    /// ``http(s)://host/v2/<repository>``.
    #[getter]
    pub fn base_url(&self) -> String {
        self.inner.base_url()
    }

    /// The manifest endpoint of ``target`` (the reference's own by default).
    #[pyo3(signature = (target = None))]
    pub fn manifest_url(&self, target: Option<&str>) -> String {
        self.inner.manifest_url(target)
    }

    /// The blob endpoint of ``digest``.
    pub fn blob_url(&self, digest: DigestArg) -> PyResult<String> {
        Ok(self.inner.blob_url(&digest.into_core()?))
    }

    /// The endpoint that starts an upload, or a cross-repository mount of
    /// ``mount_digest`` from ``mount_from``.
    #[pyo3(signature = (mount_digest = None, mount_from = None))]
    pub fn upload_url(
        &self,
        mount_digest: Option<DigestArg>,
        mount_from: Option<&str>,
    ) -> PyResult<String> {
        match (mount_digest, mount_from) {
            (None, _) => Ok(self.inner.upload_url(None)),
            (Some(d), Some(from)) => Ok(self.inner.upload_url(Some((&d.into_core()?, from)))),
            (Some(_), None) => Err(to_py(&ocicache::Error::new(
                ocicache::ErrorKind::InvalidArgument,
                "mount_from is required with mount_digest",
            ))),
        }
    }

    /// The token scope for this repository.
    pub fn scope(&self, push: bool) -> String {
        self.inner.scope(push)
    }

    /// Whether ``other`` is on the same registry.
    pub fn same_registry(&self, other: &RegistryLocation) -> bool {
        self.inner.same_registry(&other.inner)
    }

    fn __repr__(&self) -> String {
        format!("RegistryLocation({:?})", self.inner.reference.to_string())
    }
}

/// One challenge of a ``WWW-Authenticate`` header.
#[pyclass(module = "ocicache", frozen)]
pub struct Challenge {
    inner: ocicache::Challenge,
}

#[pymethods]
impl Challenge {
    /// Every challenge of a ``WWW-Authenticate`` header value, in order.
    #[staticmethod]
    pub fn parse(header: &str) -> PyResult<Vec<Challenge>> {
        let list = ocicache::Challenge::parse(header).map_err(|e| to_py(&e))?;
        Ok(list.into_iter().map(|inner| Challenge { inner }).collect())
    }

    /// The scheme, lower-cased.
    #[getter]
    pub fn scheme(&self) -> String {
        self.inner.scheme.clone()
    }

    /// The parameters.
    #[getter]
    pub fn params(&self) -> BTreeMap<String, String> {
        self.inner.params.clone()
    }

    /// The token request of a bearer challenge for ``scopes``.
    #[allow(clippy::needless_pass_by_value)] // pyo3 extracts owned lists
    pub fn token_url(&self, scopes: Vec<String>) -> PyResult<String> {
        self.inner.token_url(&scopes).map_err(|e| to_py(&e))
    }
}

/// The ``Accept`` header for manifest requests.
#[pyfunction]
pub fn manifest_accept() -> &'static str {
    ocicache::MANIFEST_ACCEPT
}

/// Whether a descriptor of ``media_type`` is stored under ``/manifests/``.
#[pyfunction]
pub fn is_manifest_media_type(media_type: &str) -> bool {
    ocicache::is_manifest_media_type(media_type)
}

/// The token of a token endpoint's JSON answer.
#[pyfunction]
pub fn token_from_response(body: &[u8]) -> PyResult<String> {
    ocicache::token_from_response(body).map_err(|e| to_py(&e))
}

/// The ``(username, password)`` a docker config file holds for ``key``, or ``None``.
#[pyfunction]
pub fn docker_config_credentials(config: &[u8], key: &str) -> PyResult<Option<(String, String)>> {
    let found = ocicache::docker_config_credentials(config, key).map_err(|e| to_py(&e))?;
    Ok(found.map(|c| (c.username, c.password)))
}

/// The coded ``OcicacheError`` (``UNAUTHORIZED``, ``REGISTRY_ERROR``) for a
/// registry answering ``status`` with ``body``; returned, not raised.
#[pyfunction]
pub fn registry_error(py: Python<'_>, status: u16, body: &[u8], what: &str) -> Py<PyAny> {
    to_py(&ocicache::registry_error(status, body, what))
        .into_value(py)
        .into_any()
}

/// ``location`` resolved against ``base``.
#[pyfunction]
pub fn resolve_url(base: &str, location: &str) -> String {
    ocicache::resolve_url(base, location)
}

/// An upload's next URL, with ``digest`` as a query parameter when given.
#[pyfunction]
#[pyo3(signature = (request_url, location, digest = None))]
pub fn upload_location(
    request_url: &str,
    location: &str,
    digest: Option<DigestArg>,
) -> PyResult<String> {
    let digest = digest.map(DigestArg::into_core).transpose()?;
    Ok(ocicache::upload_location(
        request_url,
        location,
        digest.as_ref(),
    ))
}

/// Whether a token request to ``token_url`` may carry the credentials for
/// the registry at ``registry_url``: over HTTPS, or to the registry's own
/// host.
#[pyfunction]
pub fn credentials_allowed(registry_url: &str, token_url: &str) -> bool {
    ocicache::credentials_allowed(registry_url, token_url)
}

/// Whether a redirect from ``source`` to ``target`` stays on the same origin.
#[pyfunction]
pub fn same_origin(source: &str, target: &str) -> bool {
    ocicache::same_origin(source, target)
}
