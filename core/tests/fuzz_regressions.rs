//! Every fuzz target's body (`ocicache::fuzzing`) on stable: over each
//! committed regression input in `tests/fuzz/<target>/` (inputs that once
//! crashed, kept once fixed) and over the bundled exports' files, so the
//! targets and the fixes stay tested without nightly.
mod common;

use ocicache::fuzzing::{TARGETS, run};

#[test]
fn every_regression_input_of_every_target_runs_clean() {
    let root = common::tests_dir().join("fuzz");
    let mut count = 0;
    for target in TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            assert!(
                run(target, &std::fs::read(&path).unwrap()),
                "{}",
                path.display()
            );
            count += 1;
        }
    }
    eprintln!("{count} regression inputs");
}

#[test]
fn every_target_runs_over_the_bundled_exports() {
    let root = common::tests_dir().join("fixtures/buildkit");
    let mut files = Vec::new();
    for case in std::fs::read_dir(root).unwrap() {
        let case = case.unwrap().path();
        for sub in ["cache/index.json", "cache/blobs/sha256", "blobs/sha256"] {
            let p = case.join(sub);
            if p.is_file() {
                files.push(std::fs::read(&p).unwrap());
            } else if p.is_dir() {
                for b in std::fs::read_dir(p).unwrap() {
                    files.push(std::fs::read(b.unwrap().path()).unwrap());
                }
            }
        }
    }
    assert!(files.len() > 50, "{} files", files.len());
    for target in TARGETS {
        for f in &files {
            assert!(run(target, f));
        }
    }
    assert!(!run("no-such-target", b""));
}
