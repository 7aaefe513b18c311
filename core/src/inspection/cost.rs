//! What each step of a cache costs: per record the bytes of its results'
//! layer chains (its own top layers and what it inherits), per layer how
//! many results share it, the heaviest records, and what `mode=min` would
//! keep of a `mode=max` cache — the results the exported image is made of:
//! each final record's, and every result whose layer chain starts a final
//! one (measured: BuildKit's mode=min export of `local-max`'s build, the
//! `local-min` fixture, keeps exactly those 3 results). See
//! `cache-format.md` §2.1; final records as prune ranks them.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use super::bytes;
use crate::cache_config::CacheConfig;
use crate::digest::Digest;
use crate::pruning::planner::final_records;

/// The cost of every record and layer of `c`, given the layer blobs' sizes
/// (from the manifest): `(records, layers, modeMin)`, `records[i]` the cost
/// of record `i`.
pub(super) fn costs(c: &CacheConfig, sizes: &HashMap<Digest, u64>) -> (Vec<Value>, Value, Value) {
    let size = |blobs: &BTreeSet<&Digest>| {
        bytes(blobs.iter().map(|d| sizes.get(*d).copied().unwrap_or(0)))
    };
    let mut sharing = vec![0u64; c.layers.len()];
    let chains: Vec<Vec<Vec<usize>>> = (0..c.records.len())
        .map(|i| c.result_chains(i).unwrap_or_default())
        .collect();
    for chain in chains.iter().flatten() {
        for &l in chain {
            sharing[l] += 1;
        }
    }
    let blob = |l: usize| c.layers.get(l).and_then(|x| x.blob.as_ref());
    let records = chains
        .iter()
        .map(|results| {
            let all: BTreeSet<&Digest> =
                results.iter().flatten().filter_map(|&l| blob(l)).collect();
            let own: BTreeSet<&Digest> = results
                .iter()
                .filter_map(|ch| ch.last())
                .filter_map(|&l| blob(l))
                .collect();
            let total = size(&all);
            let own_bytes = size(&own);
            let inherited = match (total.as_u64(), own_bytes.as_u64()) {
                (Some(t), Some(o)) => json!(t.saturating_sub(o)),
                _ => Value::Null,
            };
            json!({"bytes": total, "ownBytes": own_bytes, "inheritedBytes": inherited})
        })
        .collect();
    let layers = c
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({
                "index": i,
                "blob": l.blob.as_ref().map(ToString::to_string),
                "size": l.blob.as_ref().and_then(|b| sizes.get(b)).map_or(Value::Null, |s| bytes([*s])),
                "results": sharing[i],
            })
        })
        .collect();
    // mode=min exports the results that make the final image: each final
    // record's and every result whose chain starts it (the steps below).
    let finals: Vec<&Vec<usize>> = final_records(c)
        .into_iter()
        .flat_map(|r| chains[r].iter())
        .collect();
    let mut kept_records = 0usize;
    let mut kept_results = 0usize;
    for results in &chains {
        let n = results
            .iter()
            .filter(|ch| finals.iter().any(|f| f.starts_with(ch)))
            .count();
        kept_results += n;
        kept_records += usize::from(n > 0);
    }
    let kept: BTreeSet<&Digest> = finals
        .iter()
        .copied()
        .flatten()
        .filter_map(|&l| blob(l))
        .collect();
    let everything: BTreeSet<&Digest> = chains
        .iter()
        .flatten()
        .flatten()
        .filter_map(|&l| blob(l))
        .collect();
    let mode_min = json!({
        "records": kept_records,
        "results": kept_results,
        "blobs": kept.len(),
        "bytes": size(&kept),
        "ofBytes": size(&everything),
    });
    (records, Value::Array(layers), mode_min)
}

/// The text lines of the heaviest records (at most `n`), and of what
/// mode=min would keep, from a tag's report.
pub(super) fn text(t: &Value, n: usize) -> Vec<String> {
    let graph = &t["graph"];
    let mut heavy: Vec<&Value> = graph["records"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["cost"]["bytes"].as_u64().is_some_and(|b| b > 0))
        .collect();
    heavy.sort_by(|a, b| {
        b["cost"]["bytes"]
            .as_u64()
            .cmp(&a["cost"]["bytes"].as_u64())
            .then(a["index"].as_u64().cmp(&b["index"].as_u64()))
    });
    let mut out = Vec::new();
    if !heavy.is_empty() {
        out.push("  heaviest records (bytes of their results' layer chains):".to_owned());
    }
    for r in heavy.into_iter().take(n) {
        let digest = r["digest"].as_str().unwrap_or_default();
        out.push(format!(
            "    record {} {}…  {} bytes ({} own, {} inherited)",
            r["index"],
            digest.get(..19).unwrap_or(digest),
            r["cost"]["bytes"],
            super::shown(&r["cost"]["ownBytes"]),
            super::shown(&r["cost"]["inheritedBytes"]),
        ));
    }
    let m = &graph["modeMin"];
    if m["results"].as_u64().is_some() {
        out.push(format!(
            "  mode=min would keep {} results of {} records: {} of {} layer bytes",
            m["results"],
            m["records"],
            super::shown(&m["bytes"]),
            super::shown(&m["ofBytes"]),
        ));
    }
    out
}
