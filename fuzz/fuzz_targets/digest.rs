#![no_main]
//! Fuzz target `digest`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("digest", data);
});
