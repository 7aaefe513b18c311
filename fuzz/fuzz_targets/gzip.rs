#![no_main]
//! Fuzz target `gzip`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("gzip", data);
});
