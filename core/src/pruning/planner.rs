//! How a [`PrunePlan`] is made: every result of the entries that may
//! change, ranked and fitted into the budget, then each changed config
//! rewritten (see the module above for the policy and BuildKit's rules).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{PruneOptions, PrunePlan, PruneReason, PrunedEntry, PrunedLayer, PrunedResult};
use crate::cache::{Cache, CacheEntry};
use crate::cache_config::CacheConfig;
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::merge::{CacheWrite, is_join};

/// One result as the ranking sees it.
struct Candidate {
    entry: usize,
    record: usize,
    result: usize,
    chain: Vec<usize>,
    /// `createdAt` in ns since the epoch; `None` for Go's zero time.
    created: Option<i128>,
    is_final: bool,
    sharing: usize,
}

impl Cache {
    /// Plans a prune. Errors: [`ErrorKind::TagNotFound`] for a tag in
    /// `keep_tags` that no entry has; [`ErrorKind::IncompleteCache`] when
    /// `index.json` or a document an entry reaches could not be read, or a
    /// cache config has a broken chain (what it reaches is unknown, so
    /// nothing can be dropped safely); [`ErrorKind::SizeOutOfRange`] when
    /// a descriptor claims more than 2^53−1 bytes; [`ErrorKind::BudgetTooSmall`] when
    /// what must stay — every document and the results of `keep_tags` — is
    /// already over `max_size`.
    pub fn prune_plan(&self, options: &PruneOptions) -> Result<PrunePlan> {
        if self.index.is_none() || !self.unknown_reachable(|_| true).is_empty() {
            return Err(Error::new(
                ErrorKind::IncompleteCache,
                "prune refused: index.json or a document it reaches could not be read; run verify",
            ));
        }
        for t in &options.keep_tags {
            if !self.entries.iter().any(|e| e.tag.as_ref() == Some(t)) {
                return Err(Error::new(
                    ErrorKind::TagNotFound,
                    format!("no index.json entry has the tag {t:?}"),
                )
                .in_field("keep_tags"));
            }
        }
        let sizes: HashMap<Digest, u64> = self
            .reachable(|_| true)
            .into_iter()
            .map(|(d, desc)| (d, desc.size))
            .collect();
        if let Some((d, s)) = sizes
            .iter()
            .find(|(_, s)| **s > crate::size::MAX_SAFE_INTEGER)
        {
            return Err(Error::new(
                ErrorKind::SizeOutOfRange,
                format!("prune refused: {d} claims {s} bytes, above 2^53-1; run verify"),
            ));
        }
        let prunable = self.prunable()?;
        let candidates = self.candidates(&prunable)?;
        let planner = Planner {
            cache: self,
            options,
            prunable,
            candidates,
            sizes,
        };
        let (reasons, rank) = planner.decide()?;
        planner.finish(&reasons, &rank)
    }

    /// The entry at `position` in `index.json` (the loader makes one entry
    /// per `manifests` item, in order, so positions index `entries`).
    fn entry_at(&self, position: usize) -> &CacheEntry {
        &self.entries[position]
    }

    /// The positions of the entries whose results may go: tagged entries
    /// with a cache manifest and config whose every result chain is whole,
    /// and no inline `chains` (those index an image's layers, not the
    /// config's).
    fn prunable(&self) -> Result<BTreeSet<usize>> {
        let mut out = BTreeSet::new();
        for e in &self.entries {
            let (Some(_), Some(_), Some(config)) = (&e.tag, &e.manifest, &e.config) else {
                continue;
            };
            if config.records.iter().any(|r| !r.chains.is_empty()) {
                continue;
            }
            for r in 0..config.records.len() {
                config.result_chains(r).map_err(|err| {
                    Error::new(
                        ErrorKind::IncompleteCache,
                        format!(
                            "prune refused: the config of {} has a broken result chain ({}); run verify",
                            e.name(),
                            err.message()
                        ),
                    )
                })?;
            }
            for l in &config.layers {
                if l.blob.is_none() {
                    return Err(Error::new(
                        ErrorKind::IncompleteCache,
                        format!(
                            "prune refused: the config of {} has a layer without a blob",
                            e.name()
                        ),
                    ));
                }
            }
            out.insert(e.position);
        }
        Ok(out)
    }

    /// Every result of the prunable entries, `entry` being its position.
    fn candidates(&self, prunable: &BTreeSet<usize>) -> Result<Vec<Candidate>> {
        let mut out = Vec::new();
        for &e in prunable {
            let Some(config) = &self.entry_at(e).config else {
                continue;
            };
            let finals = final_records(config);
            let mut users: HashMap<&Digest, usize> = HashMap::new();
            let mut chains = Vec::new();
            for (r, record) in config.records.iter().enumerate() {
                for (k, res) in record.results.iter().enumerate() {
                    let top = usize::try_from(res.layer).unwrap_or(usize::MAX);
                    let chain = config.layer_chain(top)?;
                    for &l in &chain {
                        if let Some(b) = &config.layers[l].blob {
                            *users.entry(b).or_default() += 1;
                        }
                    }
                    let created = (!res.created_at.is_zero()).then(|| res.created_at.unix_nanos());
                    chains.push((r, k, chain, created));
                }
            }
            for (record, result, chain, created) in chains {
                let sharing = chain
                    .iter()
                    .filter_map(|&l| config.layers[l].blob.as_ref())
                    .map(|b| users.get(b).copied().unwrap_or(1) - 1)
                    .sum();
                out.push(Candidate {
                    entry: e,
                    record,
                    result,
                    chain,
                    created,
                    is_final: finals.contains(&record),
                    sharing,
                });
            }
        }
        Ok(out)
    }

    /// The blobs of a result's layer chain.
    fn chain_blobs(&self, c: &Candidate) -> Vec<Digest> {
        let Some(config) = &self.entry_at(c.entry).config else {
            return Vec::new();
        };
        c.chain
            .iter()
            .filter_map(|&l| config.layers[l].blob.clone())
            .collect()
    }
}

/// The state of one plan: the cache, the options, the entries that may
/// change, every result of theirs, and the size of every reachable blob.
struct Planner<'a> {
    cache: &'a Cache,
    options: &'a PruneOptions,
    prunable: BTreeSet<usize>,
    candidates: Vec<Candidate>,
    sizes: HashMap<Digest, u64>,
}

impl Planner<'_> {
    fn size(&self, blobs: &BTreeSet<Digest>) -> u64 {
        blobs
            .iter()
            .map(|d| self.sizes.get(d).copied().unwrap_or(0))
            .fold(0u64, u64::saturating_add)
    }

    fn keeps_tag(&self, e: &CacheEntry) -> bool {
        e.tag
            .as_ref()
            .is_some_and(|t| self.options.keep_tags.contains(t))
    }

    /// What stays whatever the budget: every blob of an entry we do not
    /// prune or whose tag is kept, every document, and the layers a
    /// manifest lists that no result reaches (they go only with a rewrite).
    fn fixed(&self) -> BTreeSet<Digest> {
        let mut fixed: BTreeSet<Digest> = self
            .cache
            .reachable(|e| !self.prunable.contains(&e.position) || self.keeps_tag(e))
            .into_keys()
            .collect();
        for &p in &self.prunable {
            let e = self.cache.entry_at(p);
            fixed.insert(e.descriptor.digest.clone());
            if let Some(m) = &e.manifest {
                fixed.insert(m.config().digest.clone());
                let on_chains: BTreeSet<Digest> = self
                    .candidates
                    .iter()
                    .filter(|c| c.entry == p)
                    .flat_map(|c| self.cache.chain_blobs(c))
                    .collect();
                fixed.extend(
                    m.layers()
                        .map(|d| d.digest.clone())
                        .filter(|d| !on_chains.contains(d)),
                );
            }
        }
        fixed
    }

    /// Each result's fate and its place in the ranking.
    fn decide(&self) -> Result<(Vec<PruneReason>, Vec<Option<usize>>)> {
        let n = self.candidates.len();
        let cutoff = self
            .options
            .max_age_ms
            .map(|age| i128::from(self.options.now_ms.saturating_sub(age)) * 1_000_000);
        let mut decided: Vec<Option<PruneReason>> = vec![None; n];
        for (i, c) in self.candidates.iter().enumerate() {
            if self.keeps_tag(self.cache.entry_at(c.entry)) {
                decided[i] = Some(PruneReason::KeptTag);
            } else if cutoff.is_some_and(|cut| c.created.is_some_and(|t| t < cut)) {
                decided[i] = Some(PruneReason::MaxAge);
            }
        }
        let mut held = self.fixed();
        let mut total = self.size(&held);
        if let Some(max) = self.options.max_size
            && total > max
        {
            return Err(Error::new(
                ErrorKind::BudgetTooSmall,
                format!(
                    "the cache needs {total} bytes without any result it may drop \
                     (its documents and the results of the tags kept), over the budget of {max}"
                ),
            )
            .in_field("max_size"));
        }
        let mut order: Vec<usize> = (0..n).filter(|&i| decided[i].is_none()).collect();
        order.sort_by_key(|&i| {
            let c = &self.candidates[i];
            let newest = Reverse(c.created);
            (
                !c.is_final,
                newest,
                Reverse(c.sharing),
                c.entry,
                c.record,
                c.result,
            )
        });
        let mut rank = vec![None; n];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = Some(r);
            let new: BTreeSet<Digest> = self
                .cache
                .chain_blobs(&self.candidates[i])
                .into_iter()
                .filter(|d| !held.contains(d))
                .collect();
            let more = self.size(&new);
            let fits = self
                .options
                .max_size
                .is_none_or(|max| total.saturating_add(more) <= max);
            decided[i] = Some(if fits {
                total = total.saturating_add(more);
                held.extend(new);
                PruneReason::Fits
            } else {
                PruneReason::Budget
            });
        }
        let reasons = decided
            .into_iter()
            .map(|d| d.unwrap_or(PruneReason::Fits))
            .collect();
        Ok((reasons, rank))
    }

    /// The new documents of each entry that loses a result (their sizes
    /// added to `sizes`), and the blobs reachable afterwards.
    fn rewrites(
        &mut self,
        reasons: &[PruneReason],
    ) -> Result<(Vec<PrunedEntry>, BTreeSet<Digest>)> {
        let mut entries = Vec::new();
        let mut after: BTreeSet<Digest> = self
            .cache
            .reachable(|e| !self.prunable.contains(&e.position))
            .into_keys()
            .collect();
        let mut new_sizes = HashMap::new();
        for &p in &self.prunable {
            let entry = self.cache.entry_at(p);
            let (Some(tag), Some(manifest), Some(config)) =
                (&entry.tag, &entry.manifest, &entry.config)
            else {
                continue;
            };
            let drop: BTreeSet<(usize, usize)> = self
                .candidates
                .iter()
                .zip(reasons)
                .filter(|(c, r)| c.entry == p && !r.kept())
                .map(|(c, _)| (c.record, c.result))
                .collect();
            if drop.is_empty() {
                after.extend(self.cache.reachable(|e| e.position == p).into_keys());
                continue;
            }
            let blobs: HashMap<Digest, Descriptor> = manifest
                .layers()
                .map(|d| (d.digest.clone(), d.clone()))
                .collect();
            let write = CacheWrite::build(without_results(config, &drop), manifest.form(), &blobs)?;
            for d in [&write.descriptor, write.manifest.config()] {
                after.insert(d.digest.clone());
                new_sizes.insert(d.digest.clone(), d.size);
            }
            after.extend(write.manifest.layers().map(|d| d.digest.clone()));
            entries.push(PrunedEntry {
                tag: tag.clone(),
                old: entry.descriptor.clone(),
                write,
            });
        }
        self.sizes.extend(new_sizes);
        Ok((entries, after))
    }

    fn finish(mut self, reasons: &[PruneReason], rank: &[Option<usize>]) -> Result<PrunePlan> {
        let bytes_before = self.size(&self.sizes.keys().cloned().collect());
        let (entries, after) = self.rewrites(reasons)?;
        let bytes_after = self.size(&after);
        let mut users: BTreeMap<Digest, usize> = BTreeMap::new();
        for c in &self.candidates {
            for b in self.cache.chain_blobs(c) {
                *users.entry(b).or_default() += 1;
            }
        }
        for &p in &self.prunable {
            if let Some(m) = &self.cache.entry_at(p).manifest {
                for d in m.layers() {
                    users.entry(d.digest.clone()).or_default();
                }
            }
        }
        let layers = users
            .into_iter()
            .map(|(blob, results)| PrunedLayer {
                size: self.sizes.get(&blob).copied().unwrap_or(0),
                kept: after.contains(&blob),
                blob,
                results,
            })
            .collect();
        let results = self
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| self.result(c, reasons[i], rank[i]))
            .collect();
        Ok(PrunePlan {
            results,
            layers,
            entries,
            bytes_before,
            bytes_after,
            max_size: self.options.max_size,
        })
    }

    fn result(&self, c: &Candidate, reason: PruneReason, rank: Option<usize>) -> PrunedResult {
        let entry = self.cache.entry_at(c.entry);
        let record = entry.config.as_ref().map(|k| &k.records[c.record]);
        let chain: BTreeSet<Digest> = self.cache.chain_blobs(c).into_iter().collect();
        PrunedResult {
            tag: entry.tag.clone().unwrap_or_default(),
            record: c.record,
            digest: record.map(|r| r.digest.clone()).unwrap_or_default(),
            layer: c.chain.last().copied().unwrap_or(0),
            created_at: record
                .map(|r| r.results[c.result].created_at.to_string())
                .unwrap_or_default(),
            bytes: self.size(&chain),
            is_final: c.is_final,
            rank,
            reason,
        }
    }
}

/// The records no other record links to, looking through a merge's join
/// record (its inputs are the sources' final records); never a join record.
pub(crate) fn final_records(config: &CacheConfig) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for leaf in config.leaves() {
        let record = &config.records[leaf];
        if is_join(record) {
            for input in record.inputs.iter().flatten() {
                if let Ok(i) = usize::try_from(input.link)
                    && i < config.records.len()
                    && !is_join(&config.records[i])
                {
                    out.insert(i);
                }
            }
        } else {
            out.insert(leaf);
        }
    }
    out
}

/// `config` without the results in `drop` ((record, result) pairs) and
/// without the layers no remaining result reaches (indexes remapped).
fn without_results(config: &CacheConfig, drop: &BTreeSet<(usize, usize)>) -> CacheConfig {
    let mut out = config.clone();
    for (r, record) in out.records.iter_mut().enumerate() {
        let mut k = 0;
        record.results.retain(|_| {
            let keep = !drop.contains(&(r, k));
            k += 1;
            keep
        });
    }
    let mut used = vec![false; out.layers.len()];
    for record in &out.records {
        for res in &record.results {
            let top = usize::try_from(res.layer).unwrap_or(usize::MAX);
            // Chains were checked whole before planning.
            for l in out.layer_chain(top).unwrap_or_default() {
                used[l] = true;
            }
        }
    }
    let mut new_index = vec![-1i64; out.layers.len()];
    let mut next = 0i64;
    for (l, u) in used.iter().enumerate() {
        if *u {
            new_index[l] = next;
            next += 1;
        }
    }
    let remap = |i: i64| usize::try_from(i).map_or(-1, |i| new_index[i]);
    let layers = std::mem::take(&mut out.layers);
    out.layers = layers
        .into_iter()
        .enumerate()
        .filter(|(l, _)| used[*l])
        .map(|(_, mut layer)| {
            layer.parent = remap(layer.parent);
            layer
        })
        .collect();
    for record in &mut out.records {
        for res in &mut record.results {
            res.layer = remap(res.layer);
        }
    }
    out
}
