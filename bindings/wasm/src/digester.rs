//! `Digester`, `digest` and `verify` (core `digester.rs`). A browser hashes a
//! `File` of any size by feeding its stream's chunks to `Digester.update`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::arg;
use crate::digest::{self, Digest};
use crate::error::to_js;

fn algorithm(value: &JsValue) -> Result<ocicache::Algorithm, JsValue> {
    arg::optional_string("algorithm", value)?.map_or(Ok(ocicache::Algorithm::default()), |n| {
        ocicache::Algorithm::parse(&n).map_err(|e| to_js(&e))
    })
}

fn size(value: &JsValue) -> Result<Option<u64>, JsValue> {
    arg::optional_number("size", value)?
        .map(|v| ocicache::size_from_number(v).map_err(|e| to_js(&e)))
        .transpose()
}

/// A streaming hasher: `update(chunk)` any number of times, then `finalize()`.
#[wasm_bindgen]
pub struct Digester {
    inner: ocicache::Digester,
}

#[wasm_bindgen]
impl Digester {
    /// A digester for `algorithm` (`"sha256"`, the default, or `"sha512"`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] algorithm: &JsValue,
    ) -> Result<Digester, JsValue> {
        Ok(Digester {
            inner: ocicache::Digester::new(self::algorithm(algorithm)?),
        })
    }

    /// The algorithm this digester computes.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// The number of bytes hashed so far.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> Result<f64, JsValue> {
        ocicache::size_to_number(self.inner.size()).map_err(|e| to_js(&e))
    }

    /// Hash one more chunk.
    pub fn update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] chunk: &JsValue,
    ) -> Result<(), JsValue> {
        arg::each_chunk("chunk", chunk, |piece| self.inner.update(piece))
    }

    /// The digest of everything hashed so far; the digester stays usable.
    pub fn finalize(&self) -> Digest {
        self.inner.finalize().into()
    }

    /// Throw `SIZE_MISMATCH` or `DIGEST_MISMATCH` unless what was hashed has
    /// `digest` and, if given, `size` bytes.
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] size: &JsValue,
    ) -> Result<(), JsValue> {
        let expected = digest::from_js(digest)?;
        let size = self::size(size)?;
        self.inner.verify(&expected, size).map_err(|e| to_js(&e))
    }
}

/// The digest of `bytes` with `algorithm` (`"sha256"` by default).
#[wasm_bindgen]
pub fn digest(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | undefined | null")] algorithm: &JsValue,
) -> Result<Digest, JsValue> {
    let mut digester = ocicache::Digester::new(self::algorithm(algorithm)?);
    arg::each_chunk("bytes", bytes, |piece| digester.update(piece))?;
    Ok(digester.finalize().into())
}

/// Throw `SIZE_MISMATCH` or `DIGEST_MISMATCH` unless `bytes` have `digest`
/// and, if given, `size`.
#[wasm_bindgen]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] size: &JsValue,
) -> Result<(), JsValue> {
    let expected = digest::from_js(digest)?;
    let size = self::size(size)?;
    // Streamed through the core's Digester (which checks the size first, as
    // `ocicache::verify` does) so a large array is never copied whole.
    let mut digester = ocicache::Digester::new(expected.algorithm());
    arg::each_chunk("bytes", bytes, |piece| digester.update(piece))?;
    digester.verify(&expected, size).map_err(|e| to_js(&e))
}

/// `verify` as a promise. WASM has no thread pool here: the work runs before
/// the promise is returned; the API matches the native addon's.
#[wasm_bindgen(js_name = verifyAsync, unchecked_return_type = "Promise<void>")]
pub fn verify_async(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | Digest")] digest: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | undefined | null")] size: &JsValue,
) -> Promise {
    match verify(bytes, digest, size) {
        Ok(()) => Promise::resolve(&JsValue::UNDEFINED),
        Err(e) => Promise::reject(&e),
    }
}
