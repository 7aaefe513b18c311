//! `Verification`, `BlobVerifier`, `VerifyReport` (core `verification.rs`).

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{AsyncTask, Env, Result, Task, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::cache::gone;
use crate::digest::from_js;
use crate::error::to_js;

/// One stored blob still to hash in a verify.
#[napi(object)]
pub struct BlobCheck {
    /// The digest its path names.
    pub digest: String,
    /// Its path in the layout.
    pub path: String,
    /// Its stored size.
    pub size: f64,
    /// Whether it is a layer (decompressed, diffID checked).
    pub layer: bool,
}

/// A verify in progress: hash each of `checks()` through a `BlobVerifier`
/// and `record` it, then `report()`.
#[napi]
pub struct Verification {
    pub(crate) inner: Option<ocicache::Verification>,
}

#[napi]
impl Verification {
    /// The stored blobs still to hash.
    #[napi]
    pub fn checks(&self) -> Vec<BlobCheck> {
        self.inner
            .iter()
            .flat_map(ocicache::Verification::checks)
            .map(|c| BlobCheck {
                digest: c.digest.to_string(),
                path: c.path.clone(),
                #[allow(clippy::cast_precision_loss)]
                size: c.size as f64,
                layer: c.layer,
            })
            .collect()
    }

    /// The verifier of the blob `digest`, once all its bytes went through.
    #[napi(ts_args_type = "digest: string | Digest, verifier: BlobVerifier")]
    pub fn record(
        &mut self,
        env: &Env,
        digest: Unknown<'_>,
        verifier: &mut BlobVerifier,
    ) -> Result<()> {
        let d = from_js(env, digest)?;
        let done = verifier
            .inner
            .lock()
            .map_err(|_| gone(env))?
            .take()
            .ok_or_else(|| gone(env))?
            .finalize();
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner.record(&d, &done).map_err(|e| to_js(env, &e))
    }

    /// The blob `digest` could not be read; `code` says why
    /// (`STORAGE_ERROR` unless given, or e.g. `NOT_A_FILE`).
    #[napi(
        ts_args_type = "digest: string | Digest, message: string, code?: string | undefined | null"
    )]
    pub fn record_failure(
        &mut self,
        env: &Env,
        digest: Unknown<'_>,
        message: Unknown<'_>,
        code: Unknown<'_>,
    ) -> Result<()> {
        let d = from_js(env, digest)?;
        let message = arg::string(env, "message", message)?;
        let kind = match arg::optional_string(env, "code", code)? {
            Some(c) => ocicache::ErrorKind::from_code(&c).map_err(|e| to_js(env, &e))?,
            None => ocicache::ErrorKind::StorageError,
        };
        let inner = self.inner.as_mut().ok_or_else(|| gone(env))?;
        inner
            .record_failure_of(&d, kind, &message)
            .map_err(|e| to_js(env, &e))
    }

    /// The report (checks never recorded are findings of their own).
    #[napi]
    pub fn report(&mut self, env: &Env) -> Result<VerifyReport> {
        Ok(VerifyReport {
            inner: self.inner.take().ok_or_else(|| gone(env))?.report(),
        })
    }
}

/// What a verify found.
#[napi]
pub struct VerifyReport {
    pub(crate) inner: ocicache::VerifyReport,
}

#[napi]
impl VerifyReport {
    /// Whether nothing is wrong (warnings allowed).
    #[napi(getter)]
    pub fn ok(&self) -> bool {
        self.inner.ok()
    }

    /// The report as plain data.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, any>")]
    pub fn to_json<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        crate::plain::js(env, &self.inner.to_json())
    }

    /// The report as text.
    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }
}

/// Streams one blob of a verify: hashes it and, for a layer, decompresses
/// and hashes the content in the same pass.
#[napi]
pub struct BlobVerifier {
    pub(crate) inner: Arc<Mutex<Option<ocicache::BlobVerifier>>>,
}

#[napi]
impl BlobVerifier {
    /// A verifier for the blob `digest`; `layer` decompresses it too.
    #[napi(constructor, ts_args_type = "digest: string | Digest, layer: boolean")]
    pub fn new(env: &Env, digest: Unknown<'_>, layer: bool) -> Result<Self> {
        let check = ocicache::BlobCheck {
            digest: from_js(env, digest)?,
            path: String::new(),
            size: 0,
            layer,
        };
        Ok(BlobVerifier {
            inner: Arc::new(Mutex::new(Some(ocicache::BlobVerifier::new(&check)))),
        })
    }

    /// Push the next chunk.
    #[napi(ts_args_type = "chunk: Uint8Array")]
    pub fn update(&self, env: &Env, chunk: Unknown<'_>) -> Result<()> {
        let chunk = arg::bytes(env, "chunk", chunk)?;
        let mut guard = self.inner.lock().map_err(|_| gone(env))?;
        guard.as_mut().ok_or_else(|| gone(env))?.update(chunk);
        Ok(())
    }

    /// `update` on the libuv thread pool, so several blobs hash at once.
    #[napi(ts_args_type = "chunk: Uint8Array", ts_return_type = "Promise<void>")]
    pub fn update_async(&self, env: &Env, chunk: Unknown<'_>) -> Result<AsyncTask<BlobUpdate>> {
        let chunk = arg::bytes(env, "chunk", chunk)?.to_vec();
        Ok(AsyncTask::new(BlobUpdate {
            inner: Arc::clone(&self.inner),
            chunk,
        }))
    }
}

/// `BlobVerifier.updateAsync` off the event loop.
pub struct BlobUpdate {
    pub(crate) inner: Arc<Mutex<Option<ocicache::BlobVerifier>>>,
    chunk: Vec<u8>,
}

impl Task for BlobUpdate {
    type Output = bool;
    type JsValue = ();

    fn compute(&mut self) -> Result<bool> {
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| napi::Error::from_reason("poisoned"))?;
        Ok(guard.as_mut().map(|v| v.update(&self.chunk)).is_some())
    }

    fn resolve(&mut self, env: Env, open: bool) -> Result<()> {
        if open { Ok(()) } else { Err(gone(&env)) }
    }
}
