#![no_main]
//! Fuzz target `inline`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("inline", data);
});
