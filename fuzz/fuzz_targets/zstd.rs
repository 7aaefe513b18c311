#![no_main]
//! Fuzz target `zstd`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("zstd", data);
});
