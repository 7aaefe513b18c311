//! The join record: one result-less record that every leaf of a merged
//! config links to, so that BuildKit's importer sees exactly one leaf.
//!
//! # Why (BuildKit v0.32.2, measured and read)
//!
//! A merged main + branch cache has two leaves: main's final record and the
//! branch's. Imported alone, it gave every step CACHED in some builds and
//! lost the builder stage's later `RUN` steps in others (14 of 18 hits,
//! about half the builds, the same bytes every time). The cause is in
//! `cache/remotecache/v1/cachestorage.go`, `NewCacheKeyStorage` and
//! `addItemToStorage`:
//!
//! - the key storage is filled by one walk up the parents from each leaf,
//!   `for it := range cc.leaves()` — a Go map, so the leaves come in a
//!   random order on every import;
//! - each walk has its own `visited` map, and `addItemToStorage` marks an
//!   item `visited[it] = nil` *before* it returns early for an item an
//!   earlier walk already stored (`if id, ok := k.byItem[it]; ok { return
//!   k.byID[id], nil }`): that early return never replaces the `nil`;
//! - so when the same stored item is met a second time in the same walk,
//!   `visited` answers `nil`, and the caller skips the link (`if src == nil
//!   { continue }`): the record being added loses its link from that
//!   parent.
//!
//! In the measured case the `RUN` steps all bind-mount the same named
//! context, whose root record is a parent of each of them. Whichever leaf
//! is walked second finds that root already stored: the first of its new
//! `RUN` records gets the link, every later one loses it, and the solver —
//! which asks each input for the records it links to and intersects the
//! answers (`solver/cachemanager.go` `Query`, `solver/edge.go`
//! `recalcCurrentState`) — finds no record for those steps and runs them.
//! With a single leaf there is a single walk, every item is stored by it,
//! and a second meeting returns the stored item: no link is lost. BuildKit's
//! own exports have one leaf (the build's final record), which is why they
//! import whole.
//!
//! # What ocicache writes
//!
//! When a merge combines several caches into a graph with more than one
//! leaf, one record is added: digest [`JOIN_DIGEST`], no results, one input
//! slot listing every leaf. The solver never asks for that digest (record
//! digests are hashes of a key digest and an output index), so the record
//! costs nothing but bytes. This departs from BuildKit's own bytes — its
//! exporter never writes such a record — and the reason is the importer
//! bug above. A merge that changes nothing (a cache merged with itself)
//! writes no join, and merging a merged cache drops its old join and adds
//! a new one over the new leaves.

use crate::cache_config::{CacheConfig, CacheInput, CacheRecord};

/// The digest of the join record: the SHA-256 of the text
/// `ocicache merge: the one leaf BuildKit's importer walks from`.
pub const JOIN_DIGEST: &str =
    "sha256:7ead91368b45f75fd6f644a64ea4868360db5af6e8bea249a9a9ae128a7c6c21";

/// Whether `record` is a join record written by an earlier merge.
pub fn is_join(record: &CacheRecord) -> bool {
    record.digest == JOIN_DIGEST
}

/// Adds the join record over the leaves of `config` when it has more than
/// one; returns whether it did.
pub(crate) fn join_leaves(config: &mut CacheConfig) -> bool {
    let leaves = config.leaves();
    if leaves.len() < 2 {
        return false;
    }
    let slot = leaves
        .into_iter()
        .map(|l| CacheInput {
            link: i64::try_from(l).unwrap_or(i64::MAX),
            ..CacheInput::default()
        })
        .collect();
    config.records.push(CacheRecord {
        digest: JOIN_DIGEST.to_owned(),
        inputs: vec![slot],
        ..CacheRecord::default()
    });
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_the_hash_of_its_text() {
        let text = b"ocicache merge: the one leaf BuildKit's importer walks from";
        assert_eq!(
            crate::digest(text, crate::Algorithm::Sha256).as_str(),
            JOIN_DIGEST
        );
    }

    fn record(digest: &str, links: &[i64]) -> CacheRecord {
        CacheRecord {
            digest: digest.to_owned(),
            inputs: links
                .iter()
                .map(|&link| {
                    vec![CacheInput {
                        link,
                        ..CacheInput::default()
                    }]
                })
                .collect(),
            ..CacheRecord::default()
        }
    }

    #[test]
    fn two_leaves_get_one_join_and_one_leaf_gets_none() {
        let mut c = CacheConfig {
            records: vec![record("a", &[]), record("b", &[0]), record("c", &[0])],
            ..CacheConfig::default()
        };
        assert!(join_leaves(&mut c));
        assert_eq!(c.leaves(), [3]);
        let join = &c.records[3];
        assert!(is_join(join));
        assert!(join.results.is_empty());
        let links: Vec<i64> = join.inputs[0].iter().map(|i| i.link).collect();
        assert_eq!(links, [1, 2]);
        assert!(c.validate().is_empty());
        assert!(!join_leaves(&mut c), "a config with one leaf needs none");
    }
}
