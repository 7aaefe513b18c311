//! The OCI distribution API as the registry drivers speak it, without the
//! HTTP: where a reference's manifests and blobs live, which media types to
//! ask for, how to answer an authentication challenge, which credentials of
//! a docker config file apply, and what a failed response means. The npm
//! and Python drivers do the requests; everything they decide comes from
//! here, so both decide alike.
//!
//! Spec: `cache-format.md` §4.1 (the registry backend: blobs pushed into the
//! `ref`'s repository, the wrapper pushed as a manifest under its tag;
//! `registry.insecure=true` for plain HTTP), §3.1 (the three wrapper media
//! types); `cache-options.md` §9.3 (`ref`, `registry.insecure`). The
//! endpoints, the `WWW-Authenticate` challenge and the token response are
//! the distribution spec's and the Docker token protocol's.

use std::fmt::Write as _;

use crate::digest::Digest;
use crate::error::Result;
use crate::reference::{DEFAULT_DOMAIN, Reference};

mod auth;
mod status;

pub use auth::{Challenge, Credentials, docker_config_credentials, token_from_response};
pub use status::registry_error;

/// The `Accept` header for a manifest request: every wrapper form a cache
/// can have (cache-format.md §3.1), and the Docker manifest an image with an
/// inline cache has.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, \
application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// Whether a descriptor of `media_type` is stored under `/manifests/` (a
/// manifest or an index) rather than `/blobs/`.
pub fn is_manifest_media_type(media_type: &str) -> bool {
    crate::layout::is_document(media_type)
}

/// Whether `host` (with or without a port) names this machine: `localhost`,
/// `127.0.0.0/8` or `[::1]`. Such registries are spoken to over plain HTTP
/// without being asked, as containerd's resolver does.
pub fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or(rest, |(ip, _)| ip),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    if name.eq_ignore_ascii_case("localhost") || name == "::1" {
        return true;
    }
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}

/// Where a reference lives: the API's base URL, the repository, and the tag
/// or digest it names.
///
/// ```
/// use ocicache::RegistryLocation;
///
/// let l = RegistryLocation::parse("127.0.0.1:5000/cache:max", false)?;
/// assert_eq!(l.manifest_url(None), "http://127.0.0.1:5000/v2/cache/manifests/max");
/// let hub = RegistryLocation::parse("user/app", false)?;
/// assert_eq!(hub.base_url(), "https://registry-1.docker.io/v2/user/app");
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryLocation {
    /// The normalised reference.
    pub reference: Reference,
    /// Whether requests go over plain HTTP (`registry.insecure=true`, or a
    /// loopback host).
    pub plain_http: bool,
}

impl RegistryLocation {
    /// The location of `reference` (normalised like buildx's `ref`);
    /// `insecure` is `registry.insecure`. [`ErrorKind::InvalidReference`](crate::ErrorKind::InvalidReference)
    /// for a reference that does not parse.
    pub fn parse(reference: &str, insecure: bool) -> Result<Self> {
        Ok(Self::new(Reference::parse(reference)?, insecure))
    }

    /// The location of an already parsed reference.
    pub fn new(reference: Reference, insecure: bool) -> Self {
        let plain_http = insecure || is_loopback(reference.domain());
        RegistryLocation {
            reference,
            plain_http,
        }
    }

    /// The host requests go to: `registry-1.docker.io` for Docker Hub, the
    /// reference's domain otherwise.
    pub fn api_host(&self) -> &str {
        match self.reference.domain() {
            DEFAULT_DOMAIN | "index.docker.io" => "registry-1.docker.io",
            d => d,
        }
    }

    /// The registry's key in a docker config file's `auths`
    /// (`https://index.docker.io/v1/` for Docker Hub).
    pub fn auth_key(&self) -> &str {
        match self.reference.domain() {
            DEFAULT_DOMAIN | "index.docker.io" => "https://index.docker.io/v1/",
            d => d,
        }
    }

    /// The repository path.
    pub fn repository(&self) -> &str {
        self.reference.repository()
    }

    /// The tag or digest the reference names (a digest wins, as in a pull).
    pub fn target(&self) -> String {
        match (self.reference.digest(), self.reference.tag()) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.to_owned(),
            (None, None) => crate::layout::DEFAULT_TAG.to_owned(),
        }
    }

    /// `http(s)://host/v2/<repository>`.
    pub fn base_url(&self) -> String {
        let scheme = if self.plain_http { "http" } else { "https" };
        format!("{scheme}://{}/v2/{}", self.api_host(), self.repository())
    }

    /// The manifest endpoint of `target` (a tag or digest), or of the
    /// reference's own target when `None`.
    pub fn manifest_url(&self, target: Option<&str>) -> String {
        let t = target.map_or_else(|| self.target(), str::to_owned);
        format!("{}/manifests/{t}", self.base_url())
    }

    /// The blob endpoint of `digest`.
    pub fn blob_url(&self, digest: &Digest) -> String {
        format!("{}/blobs/{digest}", self.base_url())
    }

    /// The endpoint that starts an upload; with `mount_from`, a cross-
    /// repository mount of `digest` from that repository of the same
    /// registry.
    pub fn upload_url(&self, mount: Option<(&Digest, &str)>) -> String {
        match mount {
            None => format!("{}/blobs/uploads/", self.base_url()),
            Some((d, from)) => format!(
                "{}/blobs/uploads/?mount={}&from={}",
                self.base_url(),
                query_escape(d.as_str()),
                query_escape(from)
            ),
        }
    }

    /// The token scope for this repository: `repository:<repo>:pull` or
    /// `…:pull,push`.
    pub fn scope(&self, push: bool) -> String {
        scope(self.repository(), push)
    }

    /// Whether `other` is on the same registry (so blobs can be mounted
    /// from it).
    pub fn same_registry(&self, other: &RegistryLocation) -> bool {
        self.api_host() == other.api_host() && self.plain_http == other.plain_http
    }
}

/// The token scope of `repository`: `repository:<repo>:pull[,push]`.
pub fn scope(repository: &str, push: bool) -> String {
    let actions = if push { "pull,push" } else { "pull" };
    format!("repository:{repository}:{actions}")
}

/// An upload's next URL: the `Location` header, resolved against the URL
/// of the request that returned it, with `digest` added as a query
/// parameter when given (the request that completes an upload).
pub fn upload_location(request_url: &str, location: &str, digest: Option<&Digest>) -> String {
    let mut url = resolve_url(request_url, location);
    if let Some(d) = digest {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("digest=");
        url.push_str(&query_escape(d.as_str()));
    }
    url
}

/// `location` resolved against `base` (absolute, host-relative or
/// path-relative, as HTTP redirects and upload locations may be).
pub fn resolve_url(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let host = rest.split('/').next().unwrap_or(rest);
    if let Some(path) = location.strip_prefix("//") {
        return format!("{scheme}://{path}");
    }
    if location.starts_with('/') {
        return format!("{scheme}://{host}{location}");
    }
    let path = rest[host.len()..].split(['?', '#']).next().unwrap_or("");
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    format!("{scheme}://{host}{dir}/{location}")
}

/// Whether a redirect from `from` to `to` stays on the same origin (scheme,
/// host and port): only then do credentials go along.
pub fn same_origin(from: &str, to: &str) -> bool {
    let origin = |u: &str| {
        let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        (scheme.to_ascii_lowercase(), host.to_ascii_lowercase())
    };
    origin(from) == origin(to)
}

/// Whether a token request to `token_url` (a bearer challenge's realm) may
/// carry the credentials for the registry at `registry_url`. A realm on
/// another host is normal (Docker Hub's is `auth.docker.io`) and docker
/// sends credentials there too; ocicache does so only over HTTPS, or to the
/// registry's own host: never in clear text to a host other than the
/// registry's. Without credentials the token request is anonymous.
pub fn credentials_allowed(registry_url: &str, token_url: &str) -> bool {
    let parts = |u: &str| {
        let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = if authority.starts_with('[') {
            authority.split_inclusive(']').next().unwrap_or(authority)
        } else {
            authority.split(':').next().unwrap_or(authority)
        };
        (scheme.to_ascii_lowercase(), host.to_ascii_lowercase())
    };
    let (_, registry_host) = parts(registry_url);
    let (scheme, host) = parts(token_url);
    scheme == "https" || (!host.is_empty() && host == registry_host)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_over_https_or_to_the_registry_host_only() {
        let reg = "https://ghcr.io/v2/o/app/manifests/x";
        assert!(credentials_allowed(
            reg,
            "https://auth.example.com/token?scope=a"
        ));
        assert!(!credentials_allowed(reg, "http://auth.example.com/token"));
        assert!(!credentials_allowed(reg, "HTTP://ghcr.io.evil.com/token"));
        assert!(credentials_allowed(reg, "http://GHCR.io:8080/token"));
        let local = "http://127.0.0.1:5000/v2/";
        assert!(credentials_allowed(local, "http://127.0.0.1:5001/token"));
        assert!(!credentials_allowed(local, "http://127.0.0.2:5000/token"));
        assert!(!credentials_allowed(local, "http://user@127.0.0.2/token"));
        assert!(credentials_allowed(
            "http://[::1]:5000/v2/",
            "http://[::1]:9/t"
        ));
        assert!(!credentials_allowed(
            "http://[::1]:5000/v2/",
            "http://[::2]:9/t"
        ));
        assert!(!credentials_allowed(local, "token"));
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "LOCALHOST:5000",
            "127.0.0.1",
            "127.1.2.3:80",
            "[::1]:5000",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "ghcr.io",
            "128.0.0.1",
            "127.0.0",
            "127.0.0.256",
            "10.0.0.1:5000",
            "[::2]",
            "localhost.example.com",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn endpoints() {
        let l = RegistryLocation::parse("ghcr.io/o/app:cache", false).unwrap();
        assert!(!l.plain_http);
        assert_eq!(
            l.manifest_url(None),
            "https://ghcr.io/v2/o/app/manifests/cache"
        );
        let d = crate::digest(b"x", crate::Algorithm::Sha256);
        assert_eq!(
            l.upload_url(Some((&d, "o/other"))),
            format!(
                "https://ghcr.io/v2/o/app/blobs/uploads/?mount=sha256%3A{}&from=o%2Fother",
                d.encoded()
            )
        );
        assert_eq!(l.scope(true), "repository:o/app:pull,push");
        let insecure = RegistryLocation::parse("reg.internal:5000/c", true).unwrap();
        assert_eq!(
            insecure.manifest_url(None),
            "http://reg.internal:5000/v2/c/manifests/latest"
        );
        let pinned = RegistryLocation::parse(&format!("localhost/c@{d}"), false).unwrap();
        assert_eq!(pinned.target(), d.to_string());
        assert_eq!(
            RegistryLocation::parse("alpine", false).unwrap().auth_key(),
            "https://index.docker.io/v1/"
        );
    }

    #[test]
    fn locations_resolve() {
        let base = "http://h:5000/v2/c/blobs/uploads/";
        assert_eq!(
            resolve_url(base, "/v2/c/blobs/uploads/u1?_state=x"),
            "http://h:5000/v2/c/blobs/uploads/u1?_state=x"
        );
        assert_eq!(resolve_url(base, "https://s3/x"), "https://s3/x");
        assert_eq!(resolve_url(base, "//cdn/x"), "http://cdn/x");
        assert_eq!(
            resolve_url(base, "u2"),
            "http://h:5000/v2/c/blobs/uploads/u2"
        );
        let d = crate::digest(b"", crate::Algorithm::Sha256);
        assert_eq!(
            upload_location(base, "/up?_state=x", Some(&d)),
            format!("http://h:5000/up?_state=x&digest=sha256%3A{}", d.encoded())
        );
        assert!(same_origin("http://H:1/a", "http://h:1/b?c"));
        assert!(!same_origin("http://h:1/a", "http://h:2/a"));
        assert!(!same_origin("http://h/a", "https://h/a"));
    }
}
