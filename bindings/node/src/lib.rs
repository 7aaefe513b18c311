//! Node.js binding of `ocicache` (napi-rs). One file per core module, each a
//! thin adapter: convert the arguments, call the core, convert the result,
//! map the error (`error.rs`).
#![deny(missing_docs)]
// napi passes the environment as `&Env` to exported functions.
#![allow(clippy::trivially_copy_pass_by_ref)]
// napi registers exports only outside `cfg(test)`, so a test build sees them unused.
#![cfg_attr(test, allow(dead_code))]

mod arg;
mod budget;
mod bytes;
mod cache;
mod cache_config;
mod cache_manifest;
mod cloud;
mod collection;
mod compression;
mod conversion;
mod digest;
mod digester;
mod error;
mod inline;
mod inspection;
mod layer;
mod layout;
mod lock;
mod manifest;
mod media_type;
mod merge;
mod options;
mod plain;
mod pruning;
mod registry;
mod storage_keys;
mod transfer;
mod verification;
