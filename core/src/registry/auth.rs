//! Registry authentication without the HTTP: the `WWW-Authenticate`
//! challenge (RFC 7235) a registry answers 401 with, the token request of
//! the Docker token protocol it points at, the token response, and the
//! credentials a docker config file (`~/.docker/config.json`, `auths`)
//! holds for a registry. No credential helpers.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;

use crate::error::{Error, ErrorKind, Result};

/// One challenge of a `WWW-Authenticate` header: its scheme (lower-cased,
/// `basic` or `bearer`) and parameters (names lower-cased).
///
/// ```
/// use ocicache::Challenge;
///
/// let c = &Challenge::parse(r#"Bearer realm="http://auth/token",service="reg",scope="repository:c:pull""#)?[0];
/// assert_eq!(c.scheme, "bearer");
/// assert_eq!(c.token_url(&["repository:c:pull,push".into()])?,
///     "http://auth/token?service=reg&scope=repository%3Ac%3Apull%2Cpush");
/// # Ok::<(), ocicache::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The auth scheme, lower-cased.
    pub scheme: String,
    /// The auth parameters (`realm`, `service`, `scope`, `error`, …).
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// Every challenge of a `WWW-Authenticate` header value, in order.
    /// [`ErrorKind::InvalidArgument`] for a header that does not follow the
    /// grammar (an unterminated quote, a parameter without a value).
    pub fn parse(header: &str) -> Result<Vec<Challenge>> {
        let bad = |why: &str, at: usize| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("WWW-Authenticate header: {why}"),
            )
            .at_offset(at)
        };
        let b = header.as_bytes();
        let mut out: Vec<Challenge> = Vec::new();
        let mut i = 0;
        let skip = |i: &mut usize, also: &[u8]| {
            while *i < b.len() && (b[*i] == b' ' || b[*i] == b'\t' || also.contains(&b[*i])) {
                *i += 1;
            }
        };
        let token_end = |mut j: usize| {
            while j < b.len() && !b" \t,=\"".contains(&b[j]) {
                j += 1;
            }
            j
        };
        loop {
            skip(&mut i, b",");
            if i >= b.len() {
                return Ok(out);
            }
            let start = i;
            i = token_end(i);
            let word = &header[start..i];
            let mut j = i;
            skip(&mut j, b"");
            if j < b.len() && b[j] == b'=' {
                // A parameter of the current challenge.
                let current = out
                    .last_mut()
                    .ok_or_else(|| bad("a parameter before any scheme", start))?;
                j += 1;
                skip(&mut j, b"");
                let value = if j < b.len() && b[j] == b'"' {
                    let mut v = String::new();
                    j += 1;
                    loop {
                        match b.get(j) {
                            None => return Err(bad("unterminated quoted string", j)),
                            Some(b'"') => break,
                            // An escaped character, which may be more than
                            // one byte: j stays on a character boundary.
                            Some(b'\\') if j + 1 < b.len() => {
                                j += 1;
                                let ch = header[j..].chars().next().unwrap_or('\u{FFFD}');
                                v.push(ch);
                                j += ch.len_utf8() - 1;
                            }
                            Some(_) => {
                                let ch = header[j..].chars().next().unwrap_or('\u{FFFD}');
                                v.push(ch);
                                j += ch.len_utf8() - 1;
                            }
                        }
                        j += 1;
                    }
                    j += 1;
                    v
                } else {
                    let end = token_end(j);
                    if end == j {
                        return Err(bad("a parameter without a value", j));
                    }
                    let v = header[j..end].to_owned();
                    j = end;
                    v
                };
                current.params.insert(word.to_ascii_lowercase(), value);
                i = j;
            } else if word.is_empty() {
                return Err(bad("unexpected character", start));
            } else {
                out.push(Challenge {
                    scheme: word.to_ascii_lowercase(),
                    params: BTreeMap::new(),
                });
            }
        }
    }

    /// The token request of a `bearer` challenge: its realm with `service`
    /// and one `scope` parameter for each of `scopes` (the challenge's own
    /// scope when `scopes` is empty). [`ErrorKind::InvalidArgument`] when
    /// the challenge has no realm or is not `bearer`.
    pub fn token_url(&self, scopes: &[String]) -> Result<String> {
        if self.scheme != "bearer" {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("a {} challenge has no token endpoint", self.scheme),
            ));
        }
        let realm = self.params.get("realm").ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                "the bearer challenge has no realm",
            )
        })?;
        let mut url = realm.clone();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        let mut add = |k: &str, v: &str| {
            url.push(sep);
            sep = '&';
            url.push_str(k);
            url.push('=');
            url.push_str(&super::query_escape(v));
        };
        if let Some(service) = self.params.get("service") {
            add("service", service);
        }
        if scopes.is_empty()
            && let Some(scope) = self.params.get("scope")
        {
            add("scope", scope);
        }
        for s in scopes {
            add("scope", s);
        }
        Ok(url)
    }
}

/// The token of a token endpoint's JSON answer (`token`, or the `OAuth2`
/// `access_token`). [`ErrorKind::InvalidJson`] when it is not such JSON.
pub fn token_from_response(bytes: &[u8]) -> Result<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| {
        Error::new(
            ErrorKind::InvalidJson,
            "the token endpoint did not answer with JSON",
        )
    })?;
    ["token", "access_token"]
        .iter()
        .find_map(|k| v.get(k).and_then(|t| t.as_str()).filter(|t| !t.is_empty()))
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidJson,
                "the token endpoint's answer has no token",
            )
        })
}

/// A user name and password (or token) for a registry. Its `Debug` and
/// `Display` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl Credentials {
    /// The `Authorization` header value for basic auth.
    pub fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Credentials {{ username: {:?}, password: *** }}",
            self.username
        )
    }
}

/// The credentials a docker config file holds for the registry whose
/// `auths` key is `key` (see [`super::RegistryLocation::auth_key`]): the
/// entry under that key, or under `https://key`, `http://key` or
/// `https://key/v1/`…, with `auth` (base64 `user:password`) or
/// `username`/`password`. `None` when there is none.
/// [`ErrorKind::InvalidJson`] for a file that is not JSON,
/// [`ErrorKind::InvalidBase64`] for a bad `auth`.
pub fn docker_config_credentials(config: &[u8], key: &str) -> Result<Option<Credentials>> {
    let v: serde_json::Value = serde_json::from_slice(config)
        .map_err(|_| Error::new(ErrorKind::InvalidJson, "the docker config file is not JSON"))?;
    let Some(auths) = v.get("auths").and_then(|a| a.as_object()) else {
        return Ok(None);
    };
    let host_of = |k: &str| {
        let k = k
            .strip_prefix("https://")
            .or_else(|| k.strip_prefix("http://"))
            .unwrap_or(k);
        k.split('/').next().unwrap_or(k).to_owned()
    };
    let entry = auths.get(key).or_else(|| {
        let want = host_of(key);
        auths
            .iter()
            .find(|(k, _)| host_of(k) == want)
            .map(|(_, v)| v)
    });
    let Some(entry) = entry else {
        return Ok(None);
    };
    let text = |k: &str| entry.get(k).and_then(|s| s.as_str()).unwrap_or("");
    if !text("auth").is_empty() {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text("auth").trim())
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidBase64,
                    format!("the docker config's auth for {key} is not base64"),
                )
            })?;
        let raw = String::from_utf8_lossy(&raw);
        let (user, pass) = raw.split_once(':').ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidBase64,
                format!("the docker config's auth for {key} is not user:password"),
            )
        })?;
        return Ok(Some(Credentials {
            username: user.to_owned(),
            password: pass.to_owned(),
        }));
    }
    if !text("username").is_empty() {
        return Ok(Some(Credentials {
            username: text("username").to_owned(),
            password: text("password").to_owned(),
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let cs = Challenge::parse(
            r#"Basic realm="Registry Realm", Bearer realm="https://a/t?x=1",service="r\"s",scope="repository:a:pull""#,
        )
        .unwrap();
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].scheme, "basic");
        assert_eq!(cs[0].params["realm"], "Registry Realm");
        assert_eq!(cs[1].params["service"], "r\"s");
        assert_eq!(
            cs[1].token_url(&[]).unwrap(),
            "https://a/t?x=1&service=r%22s&scope=repository%3Aa%3Apull"
        );
        assert_eq!(Challenge::parse("").unwrap(), vec![]);
        let token68 = Challenge::parse("Basic realm=x, error=invalid_token").unwrap();
        assert_eq!(token68[0].params["error"], "invalid_token");
        for bad in [r#"Bearer realm="x"#, "realm=x", "Bearer realm="] {
            let e = Challenge::parse(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
        }
        assert!(cs[0].token_url(&[]).is_err());
    }

    #[test]
    fn an_escaped_multibyte_character_is_kept_whole() {
        let cs = Challenge::parse("Bearer realm=\"a\\é\\\\b\",service=\"s\"").unwrap();
        assert_eq!(cs[0].params["realm"], "aé\\b");
        assert_eq!(cs[0].params["service"], "s");
    }

    #[test]
    fn tokens() {
        assert_eq!(token_from_response(br#"{"token":"t"}"#).unwrap(), "t");
        assert_eq!(
            token_from_response(br#"{"token":"","access_token":"a"}"#).unwrap(),
            "a"
        );
        assert!(token_from_response(b"{}").is_err());
        assert!(token_from_response(b"<html>").is_err());
    }

    #[test]
    fn docker_config() {
        let cfg = br#"{"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"},
            "127.0.0.1:5000":{"username":"a","password":"b"},
            "https://ghcr.io":{"auth":"eDp5Ono="}}}"#;
        let get = |k| docker_config_credentials(cfg, k).unwrap();
        assert_eq!(get("https://index.docker.io/v1/").unwrap().password, "p");
        assert_eq!(get("127.0.0.1:5000").unwrap().username, "a");
        assert_eq!(get("ghcr.io").unwrap().password, "y:z");
        assert_eq!(get("quay.io"), None);
        assert_eq!(docker_config_credentials(b"{}", "x").unwrap(), None);
        let bad = docker_config_credentials(br#"{"auths":{"x":{"auth":"!!"}}}"#, "x");
        assert_eq!(bad.unwrap_err().kind(), ErrorKind::InvalidBase64);
        let c = get("127.0.0.1:5000").unwrap();
        let secret = Credentials {
            username: "u".into(),
            password: "s3cret".into(),
        };
        assert!(!format!("{secret:?}").contains("s3cret"));
        assert_eq!(c.basic_header(), "Basic YTpi");
    }
}
