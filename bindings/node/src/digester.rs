//! `Digester`, `digest` and `verify` (core `digester.rs`). Bytes come in as a
//! borrowed `Uint8Array`/`Buffer`, without a copy.

use napi::bindgen_prelude::{ClassInstance, Either, Env, Result};
use napi_derive::napi;

use crate::digest::{self, Digest};
use crate::error::to_js;

fn algorithm(env: &Env, name: Option<String>) -> Result<ocicache::Algorithm> {
    name.map_or(Ok(ocicache::Algorithm::default()), |n| {
        ocicache::Algorithm::parse(&n).map_err(|e| to_js(env, &e))
    })
}

fn size(env: &Env, value: Option<f64>) -> Result<Option<u64>> {
    value
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
    #[napi(constructor)]
    pub fn new(env: &Env, algorithm: Option<String>) -> Result<Self> {
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
    #[napi]
    pub fn update(&mut self, chunk: &[u8]) {
        self.inner.update(chunk);
    }

    /// The digest of everything hashed so far; the digester stays usable.
    #[napi]
    pub fn finalize(&self) -> Digest {
        self.inner.finalize().into()
    }

    /// Throw `SIZE_MISMATCH` or `DIGEST_MISMATCH` unless what was hashed has
    /// `digest` and, if given, `size` bytes.
    #[napi]
    pub fn verify(
        &self,
        env: &Env,
        digest: Either<String, ClassInstance<Digest>>,
        size: Option<f64>,
    ) -> Result<()> {
        let expected = digest::from_js(env, digest)?;
        let size = self::size(env, size)?;
        self.inner.verify(&expected, size).map_err(|e| to_js(env, &e))
    }
}

/// The digest of `bytes` with `algorithm` (`"sha256"` by default).
#[napi]
pub fn digest(env: &Env, bytes: &[u8], algorithm: Option<String>) -> Result<Digest> {
    Ok(ocicache::digest(bytes, self::algorithm(env, algorithm)?).into())
}

/// Throw `SIZE_MISMATCH` or `DIGEST_MISMATCH` unless `bytes` have `digest`
/// and, if given, `size`.
#[napi]
pub fn verify(
    env: &Env,
    bytes: &[u8],
    digest: Either<String, ClassInstance<Digest>>,
    size: Option<f64>,
) -> Result<()> {
    let expected = digest::from_js(env, digest)?;
    let size = self::size(env, size)?;
    ocicache::verify(bytes, &expected, size).map_err(|e| to_js(env, &e))
}
