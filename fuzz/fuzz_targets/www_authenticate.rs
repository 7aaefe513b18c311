#![no_main]
//! Fuzz target `www_authenticate`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("www_authenticate", data);
});
