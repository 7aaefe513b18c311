//! What a registry's failed response means: its HTTP status and the
//! distribution spec's error body (`{"errors":[{"code","message"}]}`) as
//! one coded [`Error`]. Messages carry the status and the registry's own
//! codes and messages (cut short), never request headers, so credentials
//! cannot leak into them.

use crate::error::{Error, ErrorKind};

/// The error for a registry answering `status` with `body` to the request
/// described by `what` (such as `GET manifest cache:max`):
/// [`ErrorKind::Unauthorized`] for 401 and 403, [`ErrorKind::RegistryError`]
/// otherwise.
///
/// ```
/// use ocicache::{ErrorKind, registry_error};
///
/// let e = registry_error(401, br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#, "GET manifest c:latest");
/// assert_eq!(e.kind(), ErrorKind::Unauthorized);
/// assert_eq!(e.message(), "GET manifest c:latest: HTTP 401: UNAUTHORIZED: authentication required");
/// ```
pub fn registry_error(status: u16, body: &[u8], what: &str) -> Error {
    let kind = match status {
        401 | 403 => ErrorKind::Unauthorized,
        _ => ErrorKind::RegistryError,
    };
    let mut detail: Vec<String> = Vec::new();
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        for e in v["errors"].as_array().into_iter().flatten().take(4) {
            let code = e["code"].as_str().unwrap_or("");
            let message = e["message"].as_str().unwrap_or("");
            let text = match (code.is_empty(), message.is_empty()) {
                (false, false) => format!("{code}: {message}"),
                (false, true) => code.to_owned(),
                (true, false) => message.to_owned(),
                (true, true) => continue,
            };
            detail.push(clip(&text));
        }
    }
    let mut message = format!("{what}: HTTP {status}");
    if detail.is_empty() {
        if kind == ErrorKind::Unauthorized {
            message.push_str(": the registry refused the credentials (or none were given)");
        }
    } else {
        message.push_str(": ");
        message.push_str(&detail.join("; "));
    }
    Error::new(kind, message)
}

fn clip(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let e = registry_error(403, b"", "PUT manifest c:x");
        assert_eq!(e.kind(), ErrorKind::Unauthorized);
        assert!(e.message().contains("refused the credentials"));
        let e = registry_error(
            500,
            br#"{"errors":[{"code":"X"},{"message":"m"},{}]}"#,
            "GET blob",
        );
        assert_eq!(e.kind(), ErrorKind::RegistryError);
        assert_eq!(e.message(), "GET blob: HTTP 500: X; m");
        let long = format!(r#"{{"errors":[{{"message":"{}"}}]}}"#, "é".repeat(300));
        assert!(registry_error(400, long.as_bytes(), "x").message().len() < 260);
        assert_eq!(registry_error(502, b"<html>", "x").message(), "x: HTTP 502");
    }
}
