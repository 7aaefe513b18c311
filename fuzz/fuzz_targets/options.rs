#![no_main]
//! Fuzz target `options`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("options", data);
});
