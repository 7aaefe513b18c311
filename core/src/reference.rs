//! Image references (`ghcr.io/o/app:cache`, `user/app`, `localhost:5000/x@sha256:…`),
//! parsed and normalised like `ParseNormalizedNamed` of distribution/reference.
//!
//! Spec: `cache-options.md` §9.3 (registry `ref`: "normalised with
//! `ParseNormalizedNamed` + default tag `latest`"). Grammar of
//! distribution/reference: `name[:tag][@digest]`; the name is an optional
//! domain (`host[:port]`, a first component that has a `.` or `:` or is
//! `localhost`) then lowercase path components (`[a-z0-9]+` joined by `.`,
//! `_`, `__` or dashes) separated by `/`; a tag is `[\w][\w.-]{0,127}`; the
//! repository path after normalisation (`library/` included) is at most 255
//! characters, and a bare 64-hex string is refused (`reference.Parse` and
//! `ParseNormalizedNamed` of v0.32.2's vendored distribution/reference). Without a domain the name is on
//! `docker.io`, and a one-component name gets the `library/` prefix.

use std::fmt;

use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};

/// The registry host of names without a domain.
pub const DEFAULT_DOMAIN: &str = "docker.io";

/// A parsed, normalised image reference.
///
/// ```
/// use ocicache::Reference;
///
/// let r = Reference::parse("user/app")?;
/// assert_eq!(r.to_string(), "docker.io/user/app:latest");
/// let r = Reference::parse("localhost:5000/cache:max")?;
/// assert_eq!((r.domain(), r.repository(), r.tag()), ("localhost:5000", "cache", Some("max")));
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    domain: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parse and normalise; a reference with neither tag nor digest gets the
    /// tag `latest`. Errors are [`ErrorKind::InvalidReference`].
    pub fn parse(input: &str) -> Result<Reference> {
        let invalid = |why: &str, offset: usize| {
            Error::new(
                ErrorKind::InvalidReference,
                format!("invalid reference {input:?}: {why}"),
            )
            .at_offset(offset)
        };
        if input.is_empty() {
            return Err(invalid("empty", 0));
        }
        if input.len() == 64
            && input
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(invalid("cannot specify 64-byte hexadecimal strings", 0));
        }
        let (rest, digest) = match input.split_once('@') {
            Some((name, d)) => {
                let digest = Digest::parse(d).map_err(|e| {
                    invalid(&format!("bad digest: {}", e.message()), name.len() + 1)
                })?;
                (name, Some(digest))
            }
            None => (input, None),
        };
        // A tag follows the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag {
            let ok = tag.len() <= 128
                && tag.bytes().enumerate().all(|(i, b)| {
                    b.is_ascii_alphanumeric() || b == b'_' || (i > 0 && matches!(b, b'.' | b'-'))
                })
                && !tag.is_empty();
            if !ok {
                return Err(invalid("bad tag", name.len() + 1));
            }
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, path))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.bytes().any(|b| b.is_ascii_uppercase()) =>
            {
                (first, path)
            }
            _ => (DEFAULT_DOMAIN, name),
        };
        let path_start = if domain == DEFAULT_DOMAIN && !name.starts_with(DEFAULT_DOMAIN) {
            0
        } else {
            domain.len() + 1
        };
        if domain != DEFAULT_DOMAIN || name.starts_with("docker.io/") {
            check_domain(domain).map_err(|at| invalid("bad domain", at))?;
        }
        if path.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(invalid("repository name must be lowercase", path_start));
        }
        check_path(path).map_err(|at| invalid("bad repository name", path_start + at))?;
        let repository = if domain == DEFAULT_DOMAIN && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_owned()
        };
        if repository.len() > 255 {
            return Err(invalid(
                "repository name must not be more than 255 characters",
                path_start,
            ));
        }
        let tag = match (tag, &digest) {
            (Some(t), _) => Some(t.to_owned()),
            (None, None) => Some("latest".to_owned()),
            (None, Some(_)) => None,
        };
        Ok(Reference {
            domain: domain.to_owned(),
            repository,
            tag,
            digest,
        })
    }

    /// The registry host, with its port if any (`docker.io` by default).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The repository path in the registry, e.g. `library/alpine`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag (`latest` when neither tag nor digest was given).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, when the reference pins one.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.domain, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// `host[:port]`: dot-separated `[a-zA-Z0-9]` labels with inner dashes, or a
/// bracketed IPv6 address; the port is digits. Err: offset of the problem.
fn check_domain(domain: &str) -> Result<(), usize> {
    let (host, port) = if let Some(end) = domain.strip_prefix('[').and_then(|d| d.find(']')) {
        let host = &domain[1..=end];
        if !host.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') || host.is_empty() {
            return Err(1);
        }
        (&domain[..end + 2], domain[end + 2..].strip_prefix(':'))
    } else {
        match domain.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (domain, None),
        }
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(host.len() + 1);
    }
    if host.starts_with('[') {
        return Ok(());
    }
    let mut offset = 0;
    for label in host.split('.') {
        let ok = !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(offset);
        }
        offset += label.len() + 1;
    }
    Ok(())
}

/// `/`-separated components of `[a-z0-9]+` runs joined by `.`, `_`, `__` or
/// any number of `-`. Err: offset of the problem.
fn check_path(path: &str) -> Result<(), usize> {
    let mut offset = 0;
    for component in path.split('/') {
        let b = component.as_bytes();
        let mut i = 0;
        let mut ok = !b.is_empty();
        while ok && i < b.len() {
            let run = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                .count();
            if run == 0 {
                ok = false;
                break;
            }
            i += run;
            if i == b.len() {
                break;
            }
            let sep = match b[i] {
                b'_' if b.get(i + 1) == Some(&b'_') => 2,
                b'.' | b'_' => 1,
                b'-' => b[i..].iter().take_while(|&&c| c == b'-').count(),
                _ => {
                    ok = false;
                    break;
                }
            };
            i += sep;
            ok = i < b.len();
        }
        if !ok {
            return Err(offset + i.min(component.len()));
        }
        offset += component.len() + 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Reference::parse(s).unwrap().to_string()
    }

    #[test]
    fn normalises_like_parse_normalized_named() {
        assert_eq!(norm("alpine"), "docker.io/library/alpine:latest");
        assert_eq!(norm("user/app:cache"), "docker.io/user/app:cache");
        assert_eq!(norm("ghcr.io/o/app:cache"), "ghcr.io/o/app:cache");
        assert_eq!(norm("localhost/app"), "localhost/app:latest");
        assert_eq!(norm("127.0.0.1:5000/cache:max"), "127.0.0.1:5000/cache:max");
        assert_eq!(norm("[::1]:5000/a/b"), "[::1]:5000/a/b:latest");
        assert_eq!(norm("docker.io/alpine"), "docker.io/library/alpine:latest");
        assert_eq!(norm("a__b/c-d--e.f_g"), "docker.io/a__b/c-d--e.f_g:latest");
        let pinned = format!("app@sha256:{}", "a".repeat(64));
        assert_eq!(norm(&pinned), format!("docker.io/library/{pinned}"));
    }

    #[test]
    fn rejects_bad_references() {
        for bad in [
            "",
            "user/App",
            "app:",
            "app:-x",
            "a//b",
            "a/",
            "/a",
            "-a",
            "a_",
            "a...b",
            "app@sha256:00",
            "ex ample.com/a",
            "host:port/a",
            "a:b:c",
        ] {
            let err = Reference::parse(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidReference, "{bad}");
        }
        assert!(Reference::parse(&"a".repeat(256)).is_err());
    }

    #[test]
    fn limits_the_normalised_repository_path_like_go() {
        // `library/` counts: 8 + 247 = 255 characters is the most.
        assert!(Reference::parse(&"a".repeat(247)).is_ok());
        assert!(Reference::parse(&"a".repeat(248)).is_err());
        // The domain does not count.
        assert!(Reference::parse(&format!("example.com/{}", "a".repeat(255))).is_ok());
        assert!(Reference::parse(&format!("example.com/{}", "a".repeat(256))).is_err());
        // What parses prints back to itself (a fuzz finding: it did not).
        let r = Reference::parse(&"a".repeat(247)).unwrap();
        assert_eq!(Reference::parse(&r.to_string()).unwrap(), r);
    }

    #[test]
    fn refuses_a_bare_64_hex_string_like_parse_normalized_named() {
        let hex = "a".repeat(64);
        assert!(Reference::parse(&hex).is_err());
        assert!(Reference::parse(&"a".repeat(63)).is_ok());
        assert!(Reference::parse(&format!("{hex}:tag")).is_ok());
    }
}
