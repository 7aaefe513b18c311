#![no_main]
//! Fuzz target `cache_config`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("cache_config", data);
});
