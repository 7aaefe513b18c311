//! Node.js binding of `ocicache` (napi-rs). One file per core module, each a
//! thin adapter: convert the arguments, call the core, convert the result,
//! map the error (`error.rs`).
#![deny(missing_docs)]

mod arg;
mod digest;
mod digester;
mod error;
