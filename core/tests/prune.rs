//! `prune` over in-memory copies of the bundled BuildKit exports: the plan
//! carried out the way the drivers do it (new blobs, `index.json`, then gc),
//! and the properties the policy promises at any budget.
mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::layout::Layout;
use ocicache::{
    Cache, Digest, ErrorKind, GcOptions, ImageIndex, OciLayout, PruneOptions, PrunePlan,
    PruneReason,
};
use proptest::prelude::*;

const DAY_MS: i64 = 86_400_000;
/// 2026-12-02, after every bundled export was made.
const NOW_MS: i64 = 1_796_169_600_000;

fn options(max_size: Option<u64>) -> PruneOptions {
    PruneOptions {
        max_size,
        now_ms: NOW_MS,
        ..PruneOptions::default()
    }
}

/// Carries out `plan`: writes the new documents, swaps the `index.json`
/// entries, then deletes what gc (grace 0) plans.
fn carry_out(layout: &Layout, plan: &PrunePlan) -> Layout {
    let mut out = layout.clone();
    for e in &plan.entries {
        out.put(e.write.config_bytes.clone());
        out.put(e.write.manifest_bytes.clone());
    }
    let (index, skipped) = plan.apply(&out.0["index.json"]).unwrap();
    assert!(skipped.is_empty());
    out.0.insert("index.json".into(), index);
    let mut gc = GcOptions::new(NOW_MS);
    gc.grace_period_ms = 0;
    let collect = out.load().gc_plan(&out.stored(), &gc).unwrap();
    for b in &collect.delete {
        out.0.remove(&b.path);
    }
    out
}

/// The bytes of every blob the layout's `index.json` reaches.
fn reachable_bytes(cache: &Cache) -> u64 {
    cache.reachable(|_| true).values().map(|d| d.size).sum()
}

/// small-max (tag `latest`) plus local-max under the tag `other`.
fn two_tags() -> Layout {
    let mut layout = Layout::read("small-max");
    let other = Layout::read("local-max");
    for (path, bytes) in &other.0 {
        if path.starts_with("blobs/") {
            layout.0.insert(path.clone(), bytes.clone());
        }
    }
    let entry = ImageIndex::from_bytes(&other.0["index.json"])
        .unwrap()
        .manifests[0]
        .clone();
    let index =
        ImageIndex::updated_layout_index(Some(&layout.0["index.json"]), "other", &entry).unwrap();
    layout.0.insert("index.json".into(), index);
    layout
}

#[test]
fn a_budget_above_the_size_changes_nothing() {
    for name in [
        "small-max",
        "local-max",
        "local-min",
        "compression-zstd",
        "twice",
    ] {
        let layout = Layout::read(name);
        let cache = layout.load();
        let plan = cache.prune_plan(&options(Some(u64::MAX))).unwrap();
        assert!(plan.entries.is_empty(), "{name}");
        assert_eq!(plan.bytes_after, plan.bytes_before, "{name}");
        assert_eq!(plan.bytes_before, reachable_bytes(&cache), "{name}");
        assert!(plan.results.iter().all(|r| r.reason == PruneReason::Fits));
        assert!(plan.layers.iter().all(|l| l.kept));
        let (index, _) = plan.apply(&layout.0["index.json"]).unwrap();
        assert_eq!(index, layout.0["index.json"], "{name}: byte-identical");
        let unlimited = cache.prune_plan(&options(None)).unwrap();
        assert_eq!(unlimited.entries, plan.entries);
    }
}

#[test]
fn pruning_to_the_final_results_keeps_them_and_verifies_clean() {
    let layout = Layout::read("local-max");
    let cache = layout.load();
    let full = cache.prune_plan(&options(None)).unwrap();
    // The documents plus the chains of the final records' results.
    let (_, config) = cache.cache_entry("latest").unwrap();
    let sizes: BTreeMap<Digest, u64> = cache
        .reachable(|_| true)
        .into_iter()
        .map(|(d, x)| (d, x.size))
        .collect();
    let mut needed: BTreeSet<Digest> = BTreeSet::new();
    needed.insert(cache.entries[0].descriptor.digest.clone());
    needed.insert(
        cache.entries[0]
            .manifest
            .as_ref()
            .unwrap()
            .config()
            .digest
            .clone(),
    );
    for r in full.results.iter().filter(|r| r.is_final) {
        for l in config.layer_chain(r.layer).unwrap() {
            needed.insert(config.layers[l].blob.clone().unwrap());
        }
    }
    let budget: u64 = needed.iter().map(|d| sizes[d]).sum();
    assert!(budget < full.bytes_before);
    let plan = cache.prune_plan(&options(Some(budget))).unwrap();
    assert!(
        plan.results
            .iter()
            .filter(|r| r.is_final)
            .all(|r| r.reason.kept())
    );
    assert!(plan.results.iter().any(|r| r.reason == PruneReason::Budget));
    assert!(plan.bytes_after <= budget);
    assert_eq!(plan.entries.len(), 1);

    let after = carry_out(&layout, &plan);
    let report = after.verify();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let pruned = after.load();
    assert_eq!(reachable_bytes(&pruned), plan.bytes_after);
    let stored: u64 = after.stored().iter().map(|b| b.size).sum();
    assert_eq!(
        stored, plan.bytes_after,
        "gc leaves exactly what the plan said"
    );
    let (_, new_config) = pruned.cache_entry("latest").unwrap();
    assert_eq!(
        new_config.records.len(),
        config.records.len(),
        "every record stays"
    );
    assert_eq!(
        new_config.to_bytes(),
        new_config.normalized().unwrap().to_bytes()
    );
    assert!(
        new_config.validate().is_empty(),
        "{:?}",
        new_config.validate()
    );
    // Pruning again with the same options changes nothing.
    let again = pruned.prune_plan(&options(Some(budget))).unwrap();
    assert!(again.entries.is_empty());
    assert_eq!(again.bytes_before, plan.bytes_after);
}

#[test]
fn a_budget_below_the_documents_is_budget_too_small() {
    let cache = Layout::read("small-max").load();
    let err = cache.prune_plan(&options(Some(1000))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BudgetTooSmall);
    assert_eq!(err.kind().code(), "BUDGET_TOO_SMALL");
}

#[test]
fn max_age_drops_old_results_and_keeps_every_record() {
    let layout = Layout::read("small-max");
    let cache = layout.load();
    let mut old = options(None);
    old.max_age_ms = Some(DAY_MS);
    let plan = cache.prune_plan(&old).unwrap();
    assert!(plan.results.iter().all(|r| r.reason == PruneReason::MaxAge));
    assert!(plan.layers.iter().all(|l| !l.kept));
    let after = carry_out(&layout, &plan);
    // No layer left: only OCI's "at least one layer" warning (BuildKit
    // imports such a manifest; its records still give cache keys).
    let report = after.verify();
    assert!(report.ok());
    let codes: Vec<&str> = report
        .findings
        .iter()
        .map(ocicache::Finding::code)
        .collect();
    assert_eq!(codes, ["MISSING_FIELD"]);
    let pruned = after.load();
    let (manifest, config) = pruned.cache_entry("latest").unwrap();
    assert_eq!(manifest.layers().count(), 0);
    assert_eq!(config.records.len(), 12);
    // Young enough: nothing goes.
    let mut young = options(None);
    young.max_age_ms = Some(3650 * DAY_MS);
    assert!(cache.prune_plan(&young).unwrap().entries.is_empty());
}

#[test]
fn kept_tags_stay_whole_and_count_against_the_budget() {
    let layout = two_tags();
    let cache = layout.load();
    let full = cache.prune_plan(&options(None)).unwrap();
    let mut keep = options(Some(full.bytes_before / 2 + 1));
    keep.keep_tags = vec!["latest".into()];
    let plan = cache.prune_plan(&keep).unwrap();
    assert!(
        plan.results
            .iter()
            .filter(|r| r.tag == "latest")
            .all(|r| r.reason == PruneReason::KeptTag)
    );
    assert!(plan.results.iter().any(|r| r.reason == PruneReason::Budget));
    assert_eq!(plan.entries.len(), 1);
    assert_eq!(plan.entries[0].tag, "other");
    assert!(plan.bytes_after <= full.bytes_before / 2 + 1);
    let after = carry_out(&layout, &plan);
    assert!(after.verify().findings.is_empty());
    keep.keep_tags = vec!["nope".into()];
    assert_eq!(
        cache.prune_plan(&keep).unwrap_err().kind(),
        ErrorKind::TagNotFound
    );
}

#[test]
fn a_concurrent_retag_wins_over_the_plan() {
    let layout = Layout::read("small-max");
    let plan = layout.load().prune_plan(&options(Some(80_000))).unwrap();
    assert_eq!(plan.entries.len(), 1);
    let other = Layout::read("twice");
    let moved = ImageIndex::from_bytes(&other.0["index.json"])
        .unwrap()
        .manifests[0]
        .clone();
    let now = ImageIndex::updated_layout_index(Some(&layout.0["index.json"]), "latest", &moved);
    let (index, skipped) = plan.apply(&now.unwrap()).unwrap();
    assert_eq!(skipped, ["latest"]);
    let kept = ImageIndex::from_bytes(&index).unwrap();
    assert_eq!(kept.manifests[0].digest, moved.digest);
}

#[test]
fn an_unreadable_document_makes_prune_refuse() {
    let mut layout = Layout::read("small-max");
    let cache = layout.load();
    let config = cache.entries[0]
        .manifest
        .as_ref()
        .unwrap()
        .config()
        .digest
        .clone();
    layout.0.remove(&OciLayout::blob_path(&config));
    let err = layout
        .load()
        .prune_plan(&options(Some(u64::MAX)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IncompleteCache);
}

/// What every plan must satisfy at `budget`.
fn check_plan(layout: &Layout, budget: u64) {
    let cache = layout.load();
    let Ok(plan) = cache.prune_plan(&options(Some(budget))) else {
        let err = cache.prune_plan(&options(Some(budget))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BudgetTooSmall);
        return;
    };
    assert!(
        plan.bytes_after <= budget,
        "{} > {budget}",
        plan.bytes_after
    );
    // A result dropped for the budget does not fit beside those ranked above it.
    let sizes: BTreeMap<Digest, u64> = plan
        .layers
        .iter()
        .map(|l| (l.blob.clone(), l.size))
        .collect();
    let docs: u64 = cache
        .entries
        .iter()
        .map(|e| e.descriptor.size + e.manifest.as_ref().unwrap().config().size)
        .sum();
    let (_, config) = cache.cache_entry(plan.results[0].tag.as_str()).unwrap();
    let chain = |layer: usize| -> BTreeSet<Digest> {
        config
            .layer_chain(layer)
            .unwrap()
            .into_iter()
            .map(|l| config.layers[l].blob.clone().unwrap())
            .collect()
    };
    let mut ranked: Vec<_> = plan.results.iter().filter(|r| r.rank.is_some()).collect();
    ranked.sort_by_key(|r| r.rank);
    let mut held = BTreeSet::new();
    for r in ranked {
        let mut with = held.clone();
        with.extend(chain(r.layer));
        let cost: u64 = docs + with.iter().map(|d| sizes[d]).sum::<u64>();
        if r.reason == PruneReason::Budget {
            assert!(cost > budget, "a dropped result would have fit");
        } else {
            assert!(cost <= budget);
            held = with;
        }
    }
    let after = carry_out(layout, &plan);
    let report = after.verify();
    // The one warning allowed: no layer left at all (see max_age_...).
    assert!(report.ok());
    assert!(
        report.findings.iter().all(|f| f.code() == "MISSING_FIELD"),
        "{:?}",
        report.findings
    );
    let again = after.load().prune_plan(&options(Some(budget))).unwrap();
    assert!(again.entries.is_empty(), "idempotent");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_budget_gives_a_valid_cache_within_it(
        which in 0usize..3,
        fraction in 0.0f64..1.1,
    ) {
        let layout = Layout::read(["small-max", "local-max", "local-min"][which]);
        let total = layout.load().prune_plan(&options(None)).unwrap().bytes_before;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let budget = (total as f64 * fraction) as u64;
        check_plan(&layout, budget);
    }
}

/// The shared vectors: each plan's JSON, as every binding must print it.
#[test]
fn the_shared_prune_vectors() {
    for case in common::load("cases/prune/cases.json").as_array().unwrap() {
        let options = PruneOptions::from_json(case["options"].to_string().as_bytes()).unwrap();
        let cache = Layout::read(case["export"].as_str().unwrap()).load();
        let plan = cache.prune_plan(&options).unwrap();
        assert_eq!(plan.to_json(false), case["plan"], "{}", case["name"]);
    }
}

/// The shared vectors of `parse_byte_size` and `parse_duration_ms`.
#[test]
fn the_shared_budget_vectors() {
    for case in common::load("cases/budget/cases.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let got = if let Some(text) = case["size"].as_str() {
            ocicache::parse_byte_size(text).map(serde_json::Value::from)
        } else {
            ocicache::parse_duration_ms(case["age"].as_str().unwrap()).map(serde_json::Value::from)
        };
        match (got, case.get("error")) {
            (Err(e), Some(code)) => assert_eq!(e.code(), code, "{name}"),
            (Ok(v), None) => assert_eq!(Some(&v), case.get("bytes").or(case.get("ms")), "{name}"),
            (got, _) => panic!("{name}: {got:?}"),
        }
    }
}

/// A result without a `createdAt` (Go's zero time) has no known age: it is
/// never dropped for `--max-age`, and ranks as the oldest.
#[test]
fn a_result_without_a_created_at_is_never_dropped_for_its_age() {
    let mut layout = Layout::read("small-max");
    let cache = layout.load();
    let (manifest, config) = cache.cache_entry("latest").unwrap();
    let mut config = config.clone();
    let (record, result) = config
        .records
        .iter_mut()
        .enumerate()
        .find(|(_, r)| !r.results.is_empty())
        .unwrap();
    result.results[0].created_at = ocicache::Timestamp::default();
    let config_bytes = config.to_bytes();
    let descriptor =
        ocicache::Descriptor::for_content(ocicache::MediaType::CACHE_CONFIG, &config_bytes);
    let manifest = ocicache::CacheManifest::build(
        manifest.form(),
        descriptor,
        manifest.layers().cloned().collect(),
    );
    let manifest_bytes = manifest.to_bytes();
    let entry = ocicache::Descriptor::for_content(manifest.media_type(), &manifest_bytes);
    layout.put(config_bytes);
    layout.put(manifest_bytes);
    let index = ImageIndex::updated_layout_index(Some(&layout.0["index.json"]), "latest", &entry);
    layout.0.insert("index.json".into(), index.unwrap());
    let mut old = options(None);
    old.max_age_ms = Some(DAY_MS);
    let plan = layout.load().prune_plan(&old).unwrap();
    for r in &plan.results {
        let expect = if r.record == record {
            PruneReason::Fits
        } else {
            PruneReason::MaxAge
        };
        assert_eq!(r.reason, expect, "record {}", r.record);
    }
}
