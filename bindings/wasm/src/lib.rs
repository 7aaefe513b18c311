//! WebAssembly binding of `ocicache` (wasm-bindgen), for browsers and
//! bundlers. Mirrors the Node binding name for name, so one JS test suite runs
//! against both; one file per core module, each a thin adapter.
#![deny(missing_docs)]
// The viewer's build (no `full`) leaves some shared helpers unused.
#![cfg_attr(not(feature = "full"), allow(dead_code, unused_imports))]

mod arg;
mod budget;
mod cache;
mod cache_config;
mod cache_manifest;
#[cfg(feature = "full")]
mod cloud;
mod collection;
mod compression;
#[cfg(feature = "full")]
mod conversion;
mod digest;
mod digester;
mod error;
#[cfg(feature = "full")]
mod inline;
mod inspection;
#[cfg(feature = "full")]
mod layer;
mod layout;
mod manifest;
mod media_type;
#[cfg(feature = "full")]
mod merge;
#[cfg(feature = "full")]
mod options;
mod plain;
mod pruning;
#[cfg(feature = "full")]
mod registry;
#[cfg(feature = "full")]
mod storage_keys;
#[cfg(feature = "full")]
mod transfer;
mod verification;
