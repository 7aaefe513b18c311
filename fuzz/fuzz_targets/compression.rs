#![no_main]
//! Fuzz target `compression`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("compression", data);
});
