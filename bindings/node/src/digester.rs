//! `Digester`, `digest` and `verify` (core `digester.rs`). Bytes come in as a
//! borrowed `Uint8Array`/`Buffer`, without a copy.

use napi::bindgen_prelude::{AsyncTask, Env, FromNapiValue, Result, Task, Uint8Array, Unknown};
use napi_derive::napi;

use crate::arg;
use crate::digest::{self, Digest};
use crate::error::to_js;

fn algorithm(env: &Env, value: Unknown<'_>) -> Result<ocicache::Algorithm> {
    arg::optional_string(env, "algorithm", value)?.map_or(Ok(ocicache::Algorithm::default()), |n| {
        ocicache::Algorithm::parse(&n).map_err(|e| to_js(env, &e))
    })
}

fn size(env: &Env, value: Unknown<'_>) -> Result<Option<u64>> {
    arg::optional_number(env, "size", value)?
        .map(|v| ocicache::size_from_number(v).map_err(|e| to_js(env, &e)))
        .transpose()
}

/// A streaming hasher: `update(chunk)` any number of times, then `finalize()`.
#[napi]
pub struct Digester {
    inner: ocicache::Digester,
}

#[napi]
impl Digester {
    /// A digester for `algorithm` (`"sha256"`, the default, or `"sha512"`).
    #[napi(constructor, ts_args_type = "algorithm?: string | undefined | null")]
    pub fn new(env: &Env, algorithm: Unknown<'_>) -> Result<Self> {
        Ok(Digester {
            inner: ocicache::Digester::new(self::algorithm(env, algorithm)?),
        })
    }

    /// The algorithm this digester computes.
    #[napi(getter)]
    pub fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The number of bytes hashed so far.
    #[napi(getter)]
    pub fn size(&self, env: &Env) -> Result<f64> {
        ocicache::size_to_number(self.inner.size()).map_err(|e| to_js(env, &e))
    }

    /// Hash one more chunk.
    #[napi(ts_args_type = "chunk: Uint8Array")]
    pub fn update(&mut self, env: &Env, chunk: Unknown<'_>) -> Result<()> {
        self.inner.update(arg::bytes(env, "chunk", chunk)?);
        Ok(())
    }

    /// The digest of everything hashed so far; the digester stays usable.
    #[napi]
    pub fn finalize(&self) -> Digest {
        self.inner.finalize().into()
    }

    /// Throw `SIZE_MISMATCH` or `DIGEST_MISMATCH` unless what was hashed has
    /// `digest` and, if given, `size` bytes.
    #[napi(ts_args_type = "digest: string | Digest, size?: number | undefined | null")]
    pub fn verify(&self, env: &Env, digest: Unknown<'_>, size: Unknown<'_>) -> Result<()> {
        let expected = digest::from_js(env, digest)?;
        let size = self::size(env, size)?;
        self.inner
            .verify(&expected, size)
            .map_err(|e| to_js(env, &e))
    }
}

/// The digest of `bytes` with `algorithm` (`"sha256"` by default).
#[napi(ts_args_type = "bytes: Uint8Array, algorithm?: string | undefined | null")]
pub fn digest(env: &Env, bytes: Unknown<'_>, algorithm: Unknown<'_>) -> Result<Digest> {
    let bytes = arg::bytes(env, "bytes", bytes)?;
    Ok(ocicache::digest(bytes, self::algorithm(env, algorithm)?).into())
}

/// Throw `SIZE_MISMATCH` or `DIGEST_MISMATCH` unless `bytes` have `digest`
/// and, if given, `size`.
#[napi(
    ts_args_type = "bytes: Uint8Array, digest: string | Digest, size?: number | undefined | null"
)]
pub fn verify(env: &Env, bytes: Unknown<'_>, digest: Unknown<'_>, size: Unknown<'_>) -> Result<()> {
    let bytes = arg::bytes(env, "bytes", bytes)?;
    let expected = digest::from_js(env, digest)?;
    let size = self::size(env, size)?;
    ocicache::verify(bytes, &expected, size).map_err(|e| to_js(env, &e))
}

/// `verifyAsync`'s work on the libuv thread pool.
pub struct VerifyTask {
    bytes: Uint8Array,
    expected: ocicache::Digest,
    size: Option<u64>,
}

impl Task for VerifyTask {
    type Output = ocicache::Result<()>;
    type JsValue = ();

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(ocicache::verify(&self.bytes, &self.expected, self.size))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<()> {
        output.map_err(|e| to_js(&env, &e))
    }
}

/// `verify` as a promise: `bytes` are hashed on the libuv thread pool (no
/// copy) while the event loop goes on, so that several blobs hash at once
/// and beside their I/O. `bytes` must not change until it settles.
#[napi(
    ts_args_type = "bytes: Uint8Array, digest: string | Digest, size?: number | undefined | null",
    ts_return_type = "Promise<void>"
)]
pub fn verify_async(
    env: &Env,
    bytes: Unknown<'_>,
    digest: Unknown<'_>,
    size: Unknown<'_>,
) -> Result<AsyncTask<VerifyTask>> {
    arg::bytes(env, "bytes", bytes)?;
    Ok(AsyncTask::new(VerifyTask {
        bytes: Uint8Array::from_unknown(bytes)?,
        expected: digest::from_js(env, digest)?,
        size: self::size(env, size)?,
    }))
}
