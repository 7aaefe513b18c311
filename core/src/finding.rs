//! Findings: what `validate` and `verify` report about a cache without
//! stopping at the first problem. Each carries a stable code (the same codes
//! as [`Error`]), a severity and the JSON path or blob it is about.

use std::fmt;

use crate::error::{Error, ErrorKind};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// BuildKit would refuse, or silently lose, part of the cache.
    Error,
    /// Worth knowing, but BuildKit reads the cache anyway (such as a config
    /// over BuildKit's 1 MiB limit, which it refuses only on import).
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of problem, as a stable code.
    pub kind: ErrorKind,
    /// How bad it is.
    pub severity: Severity,
    /// A human message.
    pub message: String,
    /// Where: a JSON path such as `records[3].inputs[0][1].link`, or a blob
    /// digest.
    pub path: String,
}

impl Finding {
    /// An error-level finding.
    pub fn error(kind: ErrorKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            kind,
            severity: Severity::Error,
            message: message.into(),
            path: path.into(),
        }
    }

    /// A warning-level finding.
    pub fn warning(kind: ErrorKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(kind, path, message)
        }
    }

    /// The stable code, e.g. `LOOPING_LAYER`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The finding as an [`Error`] located at its path.
    pub fn to_error(&self) -> Error {
        Error::new(self.kind, self.message.clone()).in_field(self.path.clone())
    }

    /// The finding as plain JSON: `{code, severity, message, path}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code(),
            "severity": self.severity.as_str(),
            "message": self.message,
            "path": self.path,
        })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} at {}: {}",
            self.severity.as_str(),
            self.code(),
            self.path,
            self.message
        )
    }
}

/// Whether any finding is an error (not only warnings).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
