#![no_main]
//! Fuzz target `reference`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("reference", data);
});
