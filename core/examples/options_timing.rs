//! Times the core's option parser on typical strings (a quick check, not a benchmark).
use std::time::Instant;

use ocicache::{ParseOptions, parse_cache_options};

fn main() {
    // The same strings as the Node and Python benchmarks, one a line.
    let typical: Vec<&str> = include_str!("../../tests/bench/typical-options.txt")
        .lines()
        .collect();
    let options = ParseOptions::default();
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().unwrap());
    let start = Instant::now();
    let mut sink = 0;
    for i in 0..n {
        sink += parse_cache_options(typical[i % typical.len()], &options)
            .unwrap()
            .len();
    }
    let elapsed = start.elapsed();
    let per_string = elapsed.as_nanos() / u128::try_from(n.max(1)).unwrap_or(1);
    println!("{sink} entries, {per_string} ns per string");
}
