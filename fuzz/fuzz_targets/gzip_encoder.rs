#![no_main]
//! Fuzz target `gzip_encoder`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("gzip_encoder", data);
});
