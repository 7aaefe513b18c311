#![no_main]
//! Fuzz target `manifest`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("manifest", data);
});
