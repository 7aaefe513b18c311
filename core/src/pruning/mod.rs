//! `prune`: keep a cache under a size budget and an age limit by dropping
//! results *inside* its cache configs, not whole exports.
//!
//! What makes this safe, from BuildKit v0.32.2's importer
//! (`cache/remotecache/v1/parse.go`):
//! - `parseRecord` adds every record with whatever results it has; a record
//!   with no results is valid (BuildKit's own `mode=min` exports write such
//!   records), so every record is kept: records are the key graph and cost a
//!   few bytes each.
//! - `getRemoteChain` builds a result from its own layer chain alone (the
//!   layer, its parents, down to `-1`); a result does not need the results
//!   of the records it links from. So a kept result still hits when results
//!   before it are gone, and its chain is all it needs.
//! - A chain whose blob the manifest does not list is skipped, not an error;
//!   we never rely on that: a kept result keeps its whole chain, and a
//!   dropped result's layers go only when no kept result uses them.
//!
//! The policy, in order: results of tags in `keep_tags` are kept whole;
//! results older than `max_age` go; the rest are ranked — the results of
//! each config's final records first (the records no other record links to,
//! looking through a merge's join record), then the newest `createdAt`, then
//! those whose layers more results share — and kept in rank order while the
//! cache, counting every blob once (as gc would leave it: every document,
//! every blob any entry still reaches), stays within `max_size`. A result that
//! does not fit is dropped and the next is tried, so a dropped result never
//! fits beside the results ranked above it.
//!
//! A config that loses results is rewritten like BuildKit's exporter writes
//! one (`sortConfig`, see [`CacheConfig::normalize`]): the dropped results
//! removed, then the layers no kept result reaches, and a new manifest in the
//! same form listing exactly the remaining layers. Nothing else changes: a
//! prune that drops nothing gives no new documents, so pruning is idempotent
//! and a budget above the cache's size leaves every byte as it was. The new
//! `index.json` entries are applied with [`PrunePlan::apply`], under
//! BuildKit's lock, then gc collects what is no longer reachable with its
//! own safety rules (grace period, fail closed).
//!
//! Spec: `cache-format.md` §2.1 (records, results, layer chains), §2.3
//! (`sortConfig`), §3 (wrapper forms).

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::Result;
use crate::json::options::Options;
use crate::layout::ANNOTATION_REF_NAME;
use crate::manifest::ImageIndex;
use crate::merge::CacheWrite;

/// What to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PruneOptions {
    /// The most bytes the cache may hold afterwards, every reachable blob
    /// counted once; `None` for no size limit.
    pub max_size: Option<u64>,
    /// Results created more than this many milliseconds before `now_ms`
    /// are dropped; `None` for no age limit. A result without a `createdAt`
    /// (Go's zero time) is never dropped for its age.
    pub max_age_ms: Option<i64>,
    /// Tags whose results are all kept (they count against `max_size`).
    pub keep_tags: Vec<String>,
    /// The current time, in milliseconds since the Unix epoch.
    pub now_ms: i64,
}

/// Why a result is kept or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PruneReason {
    /// Kept: its tag is in `keep_tags`.
    KeptTag,
    /// Kept: within the budget.
    Fits,
    /// Dropped: older than `max_age`.
    MaxAge,
    /// Dropped: it did not fit beside the results ranked above it.
    Budget,
}

impl PruneReason {
    /// The stable name used in JSON: `kept-tag`, `fits`, `max-age`, `budget`.
    pub fn as_str(self) -> &'static str {
        match self {
            PruneReason::KeptTag => "kept-tag",
            PruneReason::Fits => "fits",
            PruneReason::MaxAge => "max-age",
            PruneReason::Budget => "budget",
        }
    }

    /// Whether the result stays.
    pub fn kept(self) -> bool {
        matches!(self, PruneReason::KeptTag | PruneReason::Fits)
    }
}

/// One result of one record, and what the plan does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunedResult {
    /// The tag of the entry whose config holds it.
    pub tag: String,
    /// The record's index in that config.
    pub record: usize,
    /// The record's cache key.
    pub digest: String,
    /// The index of the result's top layer in the config's `layers`.
    pub layer: usize,
    /// Its `createdAt`, as written.
    pub created_at: String,
    /// The bytes of its whole layer chain.
    pub bytes: u64,
    /// Whether its record is a final record of the config.
    pub is_final: bool,
    /// Its place in the ranking (0 first), or `None` when its tag is kept
    /// or it is older than `max_age`.
    pub rank: Option<usize>,
    /// What happens to it.
    pub reason: PruneReason,
}

/// One layer blob and whether it stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunedLayer {
    /// The blob.
    pub blob: Digest,
    /// Its size.
    pub size: u64,
    /// How many results' chains use it, before the prune.
    pub results: usize,
    /// Whether any kept result (or any entry left unchanged) still reaches it.
    pub kept: bool,
}

/// The new documents of one entry that loses results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunedEntry {
    /// Its tag.
    pub tag: String,
    /// Its `index.json` descriptor before.
    pub old: Descriptor,
    /// The new config and manifest: write both blobs, then [`PrunePlan::apply`].
    pub write: CacheWrite,
}

/// What prune will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunePlan {
    /// Every result of every tagged cache entry, in entry then record order.
    pub results: Vec<PrunedResult>,
    /// Every layer blob of those entries, by digest.
    pub layers: Vec<PrunedLayer>,
    /// The entries that change.
    pub entries: Vec<PrunedEntry>,
    /// The bytes every reachable blob takes before (each counted once).
    pub bytes_before: u64,
    /// The bytes after, with the new documents.
    pub bytes_after: u64,
    /// The budget the plan was made for.
    pub max_size: Option<u64>,
}

pub(crate) mod planner;

impl PrunePlan {
    /// The bytes the prune frees: before minus after.
    pub fn freed_bytes(&self) -> u64 {
        self.bytes_before.saturating_sub(self.bytes_after)
    }

    /// `index.json` with each pruned entry's descriptor swapped for its new
    /// one, given the file as it is now (read under BuildKit's lock). An
    /// entry that changed since the plan (a concurrent export re-tagged it)
    /// is left as it is now and its tag returned in the second value: the
    /// new export wins, and what it no longer reaches is gc's to collect.
    pub fn apply(&self, current: &[u8]) -> Result<(Vec<u8>, Vec<String>)> {
        let mut index = ImageIndex::from_bytes(current)?;
        let mut skipped = Vec::new();
        for p in &self.entries {
            let at = index.manifests.iter().position(|d| {
                d.digest == p.old.digest && d.annotations.get(ANNOTATION_REF_NAME) == Some(&p.tag)
            });
            match at {
                Some(i) => {
                    let d = &mut index.manifests[i];
                    d.media_type.clone_from(&p.write.descriptor.media_type);
                    d.digest = p.write.descriptor.digest.clone();
                    d.size = p.write.descriptor.size;
                }
                None => skipped.push(p.tag.clone()),
            }
        }
        Ok((index.to_bytes(), skipped))
    }

    /// The plan as JSON: totals, the changed tags, every result and every
    /// layer with what happens to it; `done` says it was carried out.
    pub fn to_json(&self, done: bool) -> Value {
        let results: Vec<Value> = self
            .results
            .iter()
            .map(|r| {
                json!({
                    "tag": r.tag,
                    "record": r.record,
                    "digest": r.digest,
                    "layer": r.layer,
                    "createdAt": r.created_at,
                    "bytes": r.bytes,
                    "final": r.is_final,
                    "rank": r.rank,
                    "kept": r.reason.kept(),
                    "reason": r.reason.as_str(),
                })
            })
            .collect();
        let layers: Vec<Value> = self
            .layers
            .iter()
            .map(|l| {
                json!({
                    "blob": l.blob.to_string(),
                    "size": l.size,
                    "results": l.results,
                    "kept": l.kept,
                })
            })
            .collect();
        let tags: Vec<Value> = self
            .entries
            .iter()
            .map(|e| {
                json!({
                    "tag": e.tag,
                    "old": e.old.digest.to_string(),
                    "new": e.write.descriptor.digest.to_string(),
                    "layers": e.write.config.layers.len(),
                })
            })
            .collect();
        json!({
            "dryRun": !done,
            "maxSize": self.max_size,
            "bytesBefore": self.bytes_before,
            "bytesAfter": self.bytes_after,
            "freedBytes": self.freed_bytes(),
            "results": self.results.len(),
            "droppedResults": self.dropped_results(),
            "droppedLayers": self.layers.iter().filter(|l| !l.kept).count(),
            "tags": tags,
            "plan": results,
            "layers": layers,
        })
    }

    fn dropped_results(&self) -> usize {
        self.results.iter().filter(|r| !r.reason.kept()).count()
    }

    /// The plan as text: what goes, heaviest first, then the totals; `done`
    /// says it was carried out.
    pub fn to_text(&self, done: bool) -> String {
        let mut out = String::new();
        let mut dropped: Vec<&PrunedResult> =
            self.results.iter().filter(|r| !r.reason.kept()).collect();
        dropped.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.record.cmp(&b.record)));
        for r in dropped {
            let _ = writeln!(
                out,
                "{} {}: record {} ({}), {} bytes, created {}: {}",
                if done { "dropped" } else { "would drop" },
                r.tag,
                r.record,
                short(&r.digest),
                r.bytes,
                r.created_at,
                r.reason.as_str()
            );
        }
        for e in &self.entries {
            let _ = writeln!(
                out,
                "{} {}: {} -> {}",
                if done { "rewrote" } else { "would rewrite" },
                e.tag,
                short(e.old.digest.as_ref()),
                short(e.write.descriptor.digest.as_ref())
            );
        }
        let budget = self.max_size.map_or_else(
            || "no size limit".to_owned(),
            |m| format!("budget {m} bytes"),
        );
        let _ = writeln!(
            out,
            "{} {} of {} results and {} layers: {} -> {} bytes ({budget}); {} bytes {}",
            if done { "dropped" } else { "would drop" },
            self.dropped_results(),
            self.results.len(),
            self.layers.iter().filter(|l| !l.kept).count(),
            self.bytes_before,
            self.bytes_after,
            self.freed_bytes(),
            if done { "freed" } else { "to free" },
        );
        out
    }
}

/// A digest cut to its algorithm and first 12 hex digits.
fn short(digest: &str) -> &str {
    let end = digest.find(':').map_or(12, |i| i + 13);
    digest.get(..end).unwrap_or(digest)
}

impl PruneOptions {
    /// Options from JSON, the form the bindings take: `{"nowMs",
    /// "maxSize"?, "maxAgeMs"?, "keepTags"?}`.
    pub fn from_json(bytes: &[u8]) -> Result<PruneOptions> {
        let o = Options::parse(bytes)?;
        let max_age_ms = o
            .count("maxAgeMs", i64::MAX as u64, "a non-negative integer of ms")?
            .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX));
        Ok(PruneOptions {
            max_size: o.count(
                "maxSize",
                crate::size::MAX_SAFE_INTEGER,
                "a non-negative integer of bytes",
            )?,
            max_age_ms,
            keep_tags: o.strings("keepTags")?.unwrap_or_default(),
            now_ms: o.now_ms()?,
        })
    }
}
