//! What buildx takes from the environment, from an explicit map: the core
//! never reads the process environment.
//!
//! Spec: `cache-options.md` §6.1 (gha: `version` from
//! `ACTIONS_CACHE_SERVICE_V2`, `token` from `ACTIONS_RUNTIME_TOKEN`, `url_v2`
//! from `ACTIONS_RESULTS_URL` for v2, `url` from `ACTIONS_CACHE_URL` else
//! `ACTIONS_RESULTS_URL`; presence is by key, so `token=` blocks the
//! fallback; active only with a token and a URL, else dropped silently),
//! §6.2 (s3: AWS credentials from the environment unless both keys are
//! given) and §3.1 (buildctl errors where buildx drops).

use std::collections::BTreeMap;

use super::value::parse_bool;
use super::{CacheType, Dialect};
use crate::error::{Error, ErrorKind, Result};

/// What buildx adds to the attributes, and whether it sends the entry.
#[derive(Default)]
pub(crate) struct Derived {
    pub added: BTreeMap<String, String>,
    pub inactive_reason: Option<String>,
}

/// Apply the environment to an entry's attributes.
pub(crate) fn derive(
    cache_type: CacheType,
    attrs: &BTreeMap<String, String>,
    env: &BTreeMap<String, String>,
    dialect: Dialect,
) -> Result<Derived> {
    let mut added = BTreeMap::new();
    let inactive_reason = match cache_type {
        CacheType::Gha => gha(attrs, &mut added, env, dialect)?,
        CacheType::S3 if dialect == Dialect::Buildx => {
            s3(attrs, &mut added, env);
            None
        }
        _ => None,
    };
    Ok(Derived {
        added,
        inactive_reason,
    })
}

fn gha(
    attrs: &BTreeMap<String, String>,
    added: &mut BTreeMap<String, String>,
    env: &BTreeMap<String, String>,
    dialect: Dialect,
) -> Result<Option<String>> {
    let env_get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
    let version = match attrs.get("version") {
        Some(v) => v.clone(),
        None if env
            .get("ACTIONS_CACHE_SERVICE_V2")
            .and_then(|v| parse_bool(v))
            == Some(true) =>
        {
            "2".to_owned()
        }
        None => String::new(),
    };
    if !attrs.contains_key("token")
        && let Some(t) = env_get("ACTIONS_RUNTIME_TOKEN")
    {
        added.insert("token".to_owned(), t);
    }
    if !attrs.contains_key("url_v2")
        && version == "2"
        && let Some(u) = env_get("ACTIONS_RESULTS_URL")
    {
        added.insert("url_v2".to_owned(), u);
    }
    if !attrs.contains_key("url")
        && let Some(u) = env_get("ACTIONS_CACHE_URL").or_else(|| env_get("ACTIONS_RESULTS_URL"))
    {
        added.insert("url".to_owned(), u);
    }
    let has = |k: &str| {
        attrs
            .get(k)
            .or_else(|| added.get(k))
            .is_some_and(|v| !v.is_empty())
    };
    let reason = if !has("token") {
        Some("no token: give token= or ACTIONS_RUNTIME_TOKEN")
    } else if !has("url") && !has("url_v2") {
        Some("no cache URL: give url= or ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL")
    } else {
        None
    };
    match (reason, dialect) {
        (None, _) => Ok(None),
        (Some(why), Dialect::Buildx) => Ok(Some(format!(
            "buildx drops this gha entry without a word: {why}"
        ))),
        (Some(_), Dialect::Buildctl) => {
            let (key, message) = if has("token") {
                (
                    "url",
                    "cache with type gha requires url parameter to be set",
                )
            } else {
                (
                    "token",
                    "cache with type gha requires token parameter or $ACTIONS_RUNTIME_TOKEN",
                )
            };
            Err(Error::new(ErrorKind::MissingOption, message).in_field(key))
        }
    }
}

fn s3(
    attrs: &BTreeMap<String, String>,
    added: &mut BTreeMap<String, String>,
    env: &BTreeMap<String, String>,
) {
    if attrs.contains_key("access_key_id") && attrs.contains_key("secret_access_key") {
        return;
    }
    for (key, var) in [
        ("access_key_id", "AWS_ACCESS_KEY_ID"),
        ("secret_access_key", "AWS_SECRET_ACCESS_KEY"),
        ("session_token", "AWS_SESSION_TOKEN"),
    ] {
        if !attrs.contains_key(key)
            && let Some(v) = env.get(var).filter(|v| !v.is_empty())
        {
            added.insert(key.to_owned(), v.clone());
        }
    }
}
