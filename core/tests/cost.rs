//! What inspect says each step costs, checked against the bundled exports:
//! mode=min's own export of the `local-max` build (`local-min`) keeps what
//! inspect says mode=min would keep of `local-max`.
mod common;

use common::layout::Layout;
use serde_json::Value;

fn graph(name: &str) -> Value {
    let layout = Layout::read(name);
    let j = layout
        .load()
        .inspect(Some(&layout.stored()))
        .to_json()
        .clone();
    j["tags"][0]["graph"].clone()
}

#[test]
fn mode_min_of_local_max_is_what_buildkit_exported_as_local_min() {
    let max = graph("local-max");
    let min = graph("local-min");
    let results = |g: &Value| -> usize {
        g["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["results"].as_array().unwrap().len())
            .sum()
    };
    assert_eq!(max["modeMin"]["results"], results(&min));
    assert_eq!(max["modeMin"]["blobs"], 3);
    assert_eq!(
        min["modeMin"]["results"],
        results(&min),
        "mode=min of mode=min is itself"
    );
    let kept = max["modeMin"]["bytes"].as_u64().unwrap();
    let exported = min["modeMin"]["ofBytes"].as_u64().unwrap();
    assert!(
        kept.abs_diff(exported) * 100 < exported,
        "{kept} vs {exported}"
    );
    assert!(kept < max["modeMin"]["ofBytes"].as_u64().unwrap());
}

#[test]
fn every_record_costs_its_own_plus_inherited_bytes() {
    for name in ["small-max", "local-max", "compression-zstd", "twice"] {
        let g = graph(name);
        let mut uses = 0;
        for r in g["records"].as_array().unwrap() {
            let c = &r["cost"];
            assert_eq!(
                c["bytes"].as_u64().unwrap(),
                c["ownBytes"].as_u64().unwrap() + c["inheritedBytes"].as_u64().unwrap(),
                "{name}"
            );
            uses += r["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["blobs"].as_array().unwrap().len())
                .sum::<usize>();
        }
        let shared: u64 = g["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["results"].as_u64().unwrap())
            .sum();
        assert_eq!(
            shared, uses as u64,
            "{name}: each chain's layers counted once per result"
        );
    }
}

#[test]
fn the_text_lists_the_heaviest_record_first() {
    let layout = Layout::read("local-max");
    let text = layout.load().inspect(None).to_text();
    let g = graph("local-max");
    let heaviest = g["records"]
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|r| r["cost"]["bytes"].as_u64())
        .unwrap();
    let first = text
        .lines()
        .skip_while(|l| !l.contains("heaviest records"))
        .nth(1)
        .unwrap();
    assert!(
        first.contains(&format!("record {} ", heaviest["index"])),
        "{first}"
    );
    assert!(
        text.contains("mode=min would keep 3 results of 3 records"),
        "{text}"
    );
}
