#![no_main]
//! Fuzz target `layout`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("layout", data);
});
