//! WebAssembly binding of `ocicache` (wasm-bindgen), for browsers and
//! bundlers. Mirrors the Node binding name for name, so one JS test suite runs
//! against both; one file per core module, each a thin adapter.
#![deny(missing_docs)]

mod arg;
mod cache;
mod cache_config;
mod cache_manifest;
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
mod manifest;
mod media_type;
mod merge;
mod options;
mod plain;
mod registry;
mod storage_keys;
mod transfer;
mod verification;
