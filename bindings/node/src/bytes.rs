//! Bytes handed to JavaScript, in a `Buffer` that Node allocates.
//!
//! That is one copy more than napi-rs's `Buffer::from(Vec)`, which hands the
//! `Vec` over as external memory. But V8 counts the memory of a buffer Node
//! allocates and not that of one made from a `Vec`, so garbage made of those
//! never made the garbage collector run: decompressing 40 blobs of 64 MiB in
//! a loop held all of them (2.6 GB peak), and so did a layer decoded a
//! megabyte at a time (`npm/test/memory.test.mjs`).

use napi::bindgen_prelude::{Buffer, BufferSlice, Env, Result};

/// `bytes` in a `Buffer` Node allocates (see the module's doc).
pub(crate) fn buffer(env: &Env, bytes: &[u8]) -> Result<Buffer> {
    BufferSlice::copy_from(env, bytes)?.into_buffer(env)
}
