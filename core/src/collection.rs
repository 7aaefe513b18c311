//! `gc`: which blobs of a local cache can go.
//!
//! A blob is kept when any kept `index.json` entry reaches it (walking
//! manifests and indexes like BuildKit's `reset=true`), when it is younger
//! than the grace period (a concurrent export may be writing blobs it has not
//! yet put into `index.json`), or when its path is not a blob path at all.
//! Everything else is deleted. The plan refuses outright when a document a
//! kept entry reaches could not be read: what it reaches is then unknown.
//!
//! The caller writes the new `index.json` first (when tags are dropped),
//! atomically, and only then deletes — a crash at any point leaves a valid
//! cache.
//!
//! Spec: `cache-format.md` §4.2 (`reset=true` walks index/manifest children;
//! `ingest/` and the lock file are not blobs); `oci-basics.md` §6.

use std::collections::BTreeSet;

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::cache::{Cache, StoredBlob};
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::json::options::Options;
use crate::manifest::ImageIndex;

/// The default grace period: 10 minutes.
pub const DEFAULT_GRACE_PERIOD_MS: i64 = 10 * 60 * 1000;

/// What to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcOptions {
    /// Keep only the entries with these tags (entries without a tag are
    /// always kept); `None` keeps every tag.
    pub keep_tags: Option<Vec<String>>,
    /// Drop the entries with these tags.
    pub drop_tags: Vec<String>,
    /// Blobs modified less than this many milliseconds before `now_ms` are
    /// kept.
    pub grace_period_ms: i64,
    /// The current time, in milliseconds since the Unix epoch.
    pub now_ms: i64,
}

impl GcOptions {
    /// Keep every tag, with the default grace period, at `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        GcOptions {
            keep_tags: None,
            drop_tags: Vec::new(),
            grace_period_ms: DEFAULT_GRACE_PERIOD_MS,
            now_ms,
        }
    }
}

/// What gc will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcPlan {
    /// The new `index.json`, when entries are dropped: write it (atomically)
    /// before deleting anything.
    pub index: Option<Vec<u8>>,
    /// The tags dropped from `index.json`.
    pub dropped_tags: Vec<String>,
    /// The `index.json` entries dropped, as they were.
    pub dropped: Vec<Descriptor>,
    /// The blobs to delete, in path order.
    pub delete: Vec<StoredBlob>,
    /// Unreachable blobs kept because they are younger than the grace period.
    pub young: Vec<StoredBlob>,
    /// Paths under `blobs/` that are not blobs — names that are no digest,
    /// and anything that is not a regular file — left alone.
    pub ignored: Vec<StoredBlob>,
    /// Blobs planned for deletion that gc's second look put back (see
    /// [`GcPlan::settle`]).
    pub restored: Vec<StoredBlob>,
    /// Whether the second look could not be taken because exports never
    /// stopped writing (everything was put back).
    pub unsettled: bool,
    /// The number of stored blobs kept because they are reachable.
    pub reachable: u64,
    /// Their bytes.
    pub reachable_bytes: u64,
}

impl Cache {
    /// Plans a gc of this cache against the blobs the storage holds.
    /// Errors: [`ErrorKind::TagNotFound`] for a tag to keep or drop that no
    /// entry has; [`ErrorKind::IncompleteCache`] when `index.json` or a
    /// document a kept entry reaches could not be read.
    pub fn gc_plan(&self, stored: &[StoredBlob], options: &GcOptions) -> Result<GcPlan> {
        let Some(index) = &self.index else {
            return Err(Error::new(
                ErrorKind::IncompleteCache,
                "gc refused: index.json could not be read, so nothing is known to be reachable",
            ));
        };
        let tags: BTreeSet<&str> = self
            .entries
            .iter()
            .filter_map(|e| e.tag.as_deref())
            .collect();
        for t in options.keep_tags.iter().flatten().chain(&options.drop_tags) {
            if !tags.contains(t.as_str()) {
                return Err(Error::new(
                    ErrorKind::TagNotFound,
                    format!("no index.json entry has the tag {t:?}"),
                )
                .in_field("tags"));
            }
        }
        let keep = |e: &crate::cache::CacheEntry| match &e.tag {
            None => true,
            Some(t) => {
                options.keep_tags.as_ref().is_none_or(|k| k.contains(t))
                    && !options.drop_tags.contains(t)
            }
        };
        if let Some(d) = self.unknown_reachable(keep).first() {
            return Err(Error::new(
                ErrorKind::IncompleteCache,
                format!(
                    "gc refused: {d} is reachable but missing or unreadable, so what it reaches is unknown; \
                     run verify, then repair it or drop its tag"
                ),
            ));
        }
        let reached = self.reachable(keep);
        let (kept, dropped): (Vec<_>, Vec<_>) = self.entries.iter().partition(|e| keep(e));
        let new_index = (!dropped.is_empty()).then(|| {
            let mut copy = index.clone();
            copy.manifests = kept.iter().map(|e| e.descriptor.clone()).collect();
            copy.to_bytes()
        });
        let dropped_tags = dropped.iter().filter_map(|e| e.tag.clone()).collect();
        let mut plan = GcPlan {
            index: new_index,
            dropped_tags,
            dropped: dropped.iter().map(|e| e.descriptor.clone()).collect(),
            delete: Vec::new(),
            young: Vec::new(),
            restored: Vec::new(),
            unsettled: false,
            ignored: Vec::new(),
            reachable: 0,
            reachable_bytes: 0,
        };
        let cutoff = options.now_ms.saturating_sub(options.grace_period_ms);
        let mut stored: Vec<&StoredBlob> = stored.iter().collect();
        stored.sort_by(|a, b| a.path.cmp(&b.path));
        for s in stored {
            let Ok(digest) = s.digest() else {
                plan.ignored.push(s.clone());
                continue;
            };
            // gc deletes blob files only: anything else at a blob path
            // (a directory, a FIFO, a broken symlink) is left as it is.
            if s.file_type.is_some() {
                plan.ignored.push(s.clone());
                continue;
            }
            if reached.contains_key(&digest) {
                plan.reachable += 1;
                plan.reachable_bytes += s.size;
            } else if s.modified_ms.is_none_or(|m| m > cutoff) {
                plan.young.push(s.clone());
            } else {
                plan.delete.push(s.clone());
            }
        }
        Ok(plan)
    }
}

/// The second look gc takes, under the lock, at blobs it has moved aside.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recheck {
    /// Blobs `index.json` reaches now, or that cannot be ruled out: put back.
    pub restore: Vec<Digest>,
    /// Blobs nothing reaches: delete.
    pub delete: Vec<Digest>,
}

impl Cache {
    /// Sorts the blobs gc moved aside (`moved`) by this cache — loaded again
    /// from the `index.json` on disk now, with documents read from where
    /// they are or from where they were moved: whatever any entry reaches
    /// goes back. It fails closed: when `index.json` or a document an entry
    /// reaches could not be read, everything goes back.
    pub fn recheck(&self, moved: &[Digest]) -> Recheck {
        if !self.is_complete() {
            return Recheck {
                restore: moved.to_vec(),
                delete: Vec::new(),
            };
        }
        let reached = self.reachable(|_| true);
        let (restore, delete) = moved.iter().cloned().partition(|d| reached.contains_key(d));
        Recheck { restore, delete }
    }
}

impl GcPlan {
    /// The `index.json` to write in place of `current` — the file as it is
    /// now, read under BuildKit's lock, which a concurrent export may have
    /// changed since the plan was made: `current` without exactly the
    /// entries the plan drops (entries added or changed since are kept).
    /// `None` when there is nothing to remove.
    pub fn index_after(&self, current: Option<&[u8]>) -> Result<Option<Vec<u8>>> {
        let Some(bytes) = current else {
            return Ok(None);
        };
        let mut index = ImageIndex::from_bytes(bytes)?;
        let before = index.manifests.len();
        index.manifests.retain(|d| !self.dropped.contains(d));
        Ok((index.manifests.len() != before).then(|| index.to_bytes()))
    }

    /// Records gc's second look ([`Cache::recheck`]): the blobs of
    /// `restored` go back into the layout instead of being deleted; `quiet`
    /// says whether the layout settled before it (when not, everything was
    /// restored and nothing deleted).
    pub fn settle(&mut self, restored: &[Digest], quiet: bool) {
        let (back, gone): (Vec<StoredBlob>, Vec<StoredBlob>) = std::mem::take(&mut self.delete)
            .into_iter()
            .partition(|b| b.digest().is_ok_and(|d| restored.contains(&d)));
        self.delete = gone;
        self.restored = back;
        self.unsettled = !quiet;
    }

    /// The bytes deleting [`GcPlan::delete`] frees.
    pub fn freed_bytes(&self) -> u64 {
        self.delete.iter().map(|b| b.size).sum()
    }

    /// The plan as JSON; `done` says whether it was carried out (or is a dry
    /// run).
    pub fn to_json(&self, done: bool) -> Value {
        let list = |v: &[StoredBlob]| {
            v.iter()
                .map(|b| match &b.file_type {
                    Some(t) => json!({"blob": b.path, "size": b.size, "type": t}),
                    None => json!({"blob": b.path, "size": b.size}),
                })
                .collect::<Vec<_>>()
        };
        json!({
            "dryRun": !done,
            "delete": list(&self.delete),
            "deleted": if done { self.delete.len() } else { 0 },
            "freedBytes": self.freed_bytes(),
            "droppedTags": self.dropped_tags,
            "kept": self.reachable,
            "keptBytes": self.reachable_bytes,
            "young": list(&self.young),
            "restored": list(&self.restored),
            "unsettled": self.unsettled,
            "ignored": list(&self.ignored),
        })
    }

    /// The plan as text: one line per blob, then a summary.
    pub fn to_text(&self, done: bool) -> String {
        let verb = if done { "deleted" } else { "would delete" };
        let mut out = String::new();
        for t in &self.dropped_tags {
            let _ = writeln!(
                out,
                "{} tag {t}",
                if done { "dropped" } else { "would drop" }
            );
        }
        for b in &self.delete {
            let _ = writeln!(out, "{verb}  {}  {} bytes", b.path, b.size);
        }
        for b in &self.young {
            let _ = writeln!(
                out,
                "kept (younger than the grace period)  {}  {} bytes",
                b.path, b.size
            );
        }
        for b in &self.ignored {
            match &b.file_type {
                Some(t) => writeln!(out, "left alone (a {t}, not a file)  {}", b.path),
                None => writeln!(out, "left alone (not a blob)  {}", b.path),
            }
            .ok();
        }
        for b in &self.restored {
            let _ = writeln!(
                out,
                "kept (reachable again when gc looked again)  {}  {} bytes",
                b.path, b.size
            );
        }
        if self.unsettled {
            out.push_str(
                "kept everything planned: exports kept writing, so gc could not look again; run it later\n",
            );
        }
        let _ = writeln!(
            out,
            "{verb} {} blobs ({} bytes); kept {} reachable blobs ({} bytes), {} young, {} not blobs",
            self.delete.len(),
            self.freed_bytes(),
            self.reachable,
            self.reachable_bytes,
            self.young.len(),
            self.ignored.len()
        );
        out
    }
}

impl GcOptions {
    /// Options from JSON, the form the bindings take: `{"nowMs",
    /// "gracePeriodMs"?, "keepTags"?, "dropTags"?}`.
    pub fn from_json(bytes: &[u8]) -> Result<GcOptions> {
        let o = Options::parse(bytes)?;
        let mut options = GcOptions::new(o.now_ms()?);
        if let Some(g) = o.count("gracePeriodMs", i64::MAX as u64, "a non-negative integer")? {
            options.grace_period_ms = i64::try_from(g).unwrap_or(i64::MAX);
        }
        options.keep_tags = o.strings("keepTags")?;
        options.drop_tags = o.strings("dropTags")?.unwrap_or_default();
        Ok(options)
    }
}
