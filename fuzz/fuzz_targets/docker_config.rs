#![no_main]
//! Fuzz target `docker_config`: see `ocicache::fuzzing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    ocicache::fuzzing::run("docker_config", data);
});
