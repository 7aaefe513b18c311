//! `merge`: several caches (say main's and a branch's) into one cache
//! manifest, the way BuildKit's exporter would have written them had one
//! build exported both.
//!
//! Records are added source by source, parents first, with the rules of
//! BuildKit's `CacheChains.Add` (`cache-format.md` §2.3): a record without
//! inputs is the same record as any other with its digest; a record with
//! inputs is the same as one with its digest already linked from one of the
//! same parents at the same input slot with the same selector (every match is
//! merged into one). Results are de-duplicated by their layer chain and, as
//! `Marshal` does, only the latest is kept per record. Identical layer chains
//! are stored once, then the config is sorted like `sortConfig` and the
//! manifest is built in the asked form, one layer descriptor per config layer
//! (§3.2–3.4). The result is what BuildKit imports: every cache key of every
//! source is a record of the merged config, with a result wherever a source
//! had one.
//!
//! One departure from BuildKit's bytes: when the merged graph has more than
//! one leaf, a result-less join record links them all, because BuildKit's
//! importer loses links when it walks from several leaves (see [`join`],
//! where the mechanism is traced through BuildKit v0.32.2's source). A merge
//! that changes nothing — a cache merged with itself — gives the source's
//! exact bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::cache_config::{
    CacheConfig, CacheInput, CacheLayer, CacheRecord, CacheResult, LayerAnnotations,
};
use crate::cache_manifest::{CacheForm, CacheManifest};
use crate::descriptor::Descriptor;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::media_type::MediaType;
use crate::time::Timestamp;

mod join;

pub use join::{JOIN_DIGEST, is_join};

/// A config and manifest to write: the config blob, the manifest blob, and
/// the descriptor `index.json` gets. Layer blobs are the caller's to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheWrite {
    /// The new cache config.
    pub config: CacheConfig,
    /// Its bytes (the config blob).
    pub config_bytes: Vec<u8>,
    /// The new cache manifest.
    pub manifest: CacheManifest,
    /// Its bytes (the manifest blob).
    pub manifest_bytes: Vec<u8>,
    /// The manifest's descriptor for `index.json`.
    pub descriptor: Descriptor,
}

impl CacheWrite {
    /// Builds the config and manifest blobs from `config` (sorted first) and
    /// the descriptor of each layer blob.
    pub(crate) fn build(
        mut config: CacheConfig,
        form: CacheForm,
        blobs: &HashMap<Digest, Descriptor>,
    ) -> Result<CacheWrite> {
        config.normalize()?;
        let mut layers = Vec::with_capacity(config.layers.len());
        for (n, l) in config.layers.iter().enumerate() {
            let blob = l.blob.as_ref().ok_or_else(|| {
                Error::new(ErrorKind::MissingField, "layer has no blob")
                    .in_field(format!("layers[{n}].blob"))
            })?;
            let d = blobs.get(blob).ok_or_else(|| {
                Error::new(
                    ErrorKind::MissingBlob,
                    format!("no descriptor for layer blob {blob}"),
                )
            })?;
            layers.push(d.clone());
        }
        let config_bytes = config.to_bytes();
        let config_descriptor = Descriptor::for_content(MediaType::CACHE_CONFIG, &config_bytes);
        let manifest = CacheManifest::build(form, config_descriptor, layers);
        let manifest_bytes = manifest.to_bytes();
        let descriptor = Descriptor::for_content(form.media_type(), &manifest_bytes);
        Ok(CacheWrite {
            config,
            config_bytes,
            manifest,
            manifest_bytes,
            descriptor,
        })
    }
}

#[derive(Default)]
struct Item {
    digest: String,
    slots: usize,
    links: BTreeSet<(usize, String, usize)>,
    results: Vec<(Vec<Digest>, Timestamp)>,
    /// Items linking to this one.
    kids: BTreeSet<usize>,
}

struct Merger {
    items: Vec<Item>,
    /// Union-find over `items`.
    parent: Vec<usize>,
    roots_by_digest: HashMap<String, usize>,
    /// (parent item, slot, selector, digest) → child item.
    children: HashMap<(usize, usize, String, String), BTreeSet<usize>>,
}

impl Merger {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn new_item(&mut self, digest: &str) -> usize {
        self.items.push(Item {
            digest: digest.to_owned(),
            ..Item::default()
        });
        self.parent.push(self.parent.len());
        self.items.len() - 1
    }

    fn union(&mut self, a: usize, b: usize) -> usize {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        self.parent[b] = a;
        let moved = std::mem::take(&mut self.items[b]);
        let into = &mut self.items[a];
        into.slots = into.slots.max(moved.slots);
        into.links.extend(moved.links);
        into.results.extend(moved.results);
        into.kids.extend(moved.kids);
        a
    }

    /// Every item `item` reaches through child links (itself included).
    fn descendants(&mut self, item: usize) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![item];
        while let Some(i) = stack.pop() {
            let i = self.find(i);
            if seen.insert(i) {
                stack.extend(self.items[i].kids.iter().copied());
            }
        }
        seen
    }

    /// `CacheChains.Add`: the item of a record with `digest` and `inputs`
    /// (per slot, the alternatives as selector and parent item).
    fn add(
        &mut self,
        digest: &str,
        inputs: Vec<Vec<(String, usize)>>,
        results: Vec<(Vec<Digest>, Timestamp)>,
    ) -> usize {
        let item = if inputs.is_empty() {
            if let Some(&i) = self.roots_by_digest.get(digest) {
                self.find(i)
            } else {
                let i = self.new_item(digest);
                self.roots_by_digest.insert(digest.to_owned(), i);
                i
            }
        } else {
            // An existing item matches when, in every slot, one of the
            // alternatives already links to it (the intersection).
            let mut matches: Option<BTreeSet<usize>> = None;
            for (slot, alts) in inputs.iter().enumerate() {
                let mut here = BTreeSet::new();
                for (sel, p) in alts {
                    let key = (self.find(*p), slot, sel.clone(), digest.to_owned());
                    for c in self.children.get(&key).cloned().unwrap_or_default() {
                        here.insert(self.find(c));
                    }
                }
                matches = Some(match matches {
                    None => here,
                    Some(m) => m.intersection(&here).copied().collect(),
                });
            }
            let matches: Vec<usize> = matches.unwrap_or_default().into_iter().collect();
            let mut item = match matches.first() {
                Some(&m) => m,
                None => self.new_item(digest),
            };
            for m in matches {
                item = self.union(item, m);
            }
            item
        };
        // A dependency that is already below the item would make a loop:
        // BuildKit drops it.
        let below = self.descendants(item);
        self.items[item].slots = self.items[item].slots.max(inputs.len());
        for (slot, alts) in inputs.into_iter().enumerate() {
            for (sel, p) in alts {
                let p = self.find(p);
                if below.contains(&p) {
                    continue;
                }
                self.children
                    .entry((p, slot, sel.clone(), digest.to_owned()))
                    .or_default()
                    .insert(item);
                self.items[p].kids.insert(item);
                self.items[item].links.insert((slot, sel, p));
            }
        }
        let have = &mut self.items[item].results;
        for r in results {
            // `addResult`: the same time and chain is the same result.
            if !have.contains(&r) {
                have.push(r);
            }
        }
        item
    }
}

/// The records of `config` in an order where every record comes after the
/// records it links to. Errors on a loop (the config did not validate).
fn parents_first(config: &CacheConfig) -> Result<Vec<usize>> {
    let n = config.records.len();
    let mut state = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        let mut stack = vec![(start, false)];
        while let Some((i, done)) = stack.pop() {
            if done {
                state[i] = 2;
                order.push(i);
                continue;
            }
            if state[i] != 0 {
                if state[i] == 1 {
                    return Err(Error::new(
                        ErrorKind::LoopingRecord,
                        format!("record {i} links to itself"),
                    ));
                }
                continue;
            }
            state[i] = 1;
            stack.push((i, true));
            for input in config.records[i].inputs.iter().flatten() {
                let l = usize::try_from(input.link)
                    .ok()
                    .filter(|&l| l < n)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorKind::InvalidRecordIndex,
                            format!("invalid record ID: {}", input.link),
                        )
                    })?;
                if state[l] != 2 {
                    stack.push((l, false));
                }
            }
        }
    }
    Ok(order)
}

/// A merge in progress: [`Merge::add`] each source (a cache manifest and its
/// config), then [`Merge::finish`] in the form wanted.
pub struct Merge {
    m: Merger,
    blobs: HashMap<Digest, Descriptor>,
    annotations: HashMap<Digest, LayerAnnotations>,
    /// Each source's config bytes: a merge that gives one of them back
    /// writes it unchanged, without a join record.
    sources: Vec<Vec<u8>>,
}

impl Default for Merge {
    fn default() -> Self {
        Merge::new()
    }
}

impl Merge {
    /// An empty merge.
    pub fn new() -> Self {
        Merge {
            m: Merger {
                items: Vec::new(),
                parent: Vec::new(),
                roots_by_digest: HashMap::new(),
                children: HashMap::new(),
            },
            blobs: HashMap::new(),
            annotations: HashMap::new(),
            sources: Vec::new(),
        }
    }

    /// Adds a source. Errors when its config does not validate against its
    /// manifest (with the source's position in the path).
    pub fn add(&mut self, manifest: &CacheManifest, config: &CacheConfig) -> Result<()> {
        let s = self.sources.len();
        let within = |e: Error| e.within(&format!("sources[{s}]"));
        if let Some(f) = manifest
            .validate_with_config(config)
            .into_iter()
            .find(|f| f.severity == crate::Severity::Error)
        {
            return Err(within(f.to_error()));
        }
        let order = parents_first(config).map_err(within)?;
        let mut chains = Vec::with_capacity(config.records.len());
        for i in 0..config.records.len() {
            chains.push(config.result_chains(i).map_err(within)?);
        }
        self.sources.push(config.to_bytes());
        for d in manifest.layers() {
            self.blobs
                .entry(d.digest.clone())
                .or_insert_with(|| d.clone());
        }
        for l in &config.layers {
            if let (Some(b), Some(a)) = (&l.blob, &l.annotations) {
                self.annotations
                    .entry(b.clone())
                    .or_insert_with(|| a.clone());
            }
        }
        // An earlier merge's join is rebuilt over the new leaves.
        let leaves: BTreeSet<usize> = config.leaves().into_iter().collect();
        let mut item_of = vec![0usize; config.records.len()];
        for i in order {
            let r = &config.records[i];
            if is_join(r) && leaves.contains(&i) {
                continue;
            }
            let inputs = r
                .inputs
                .iter()
                .map(|slot| {
                    slot.iter()
                        .map(|x| {
                            (
                                x.selector.clone(),
                                item_of[usize::try_from(x.link).unwrap_or(0)],
                            )
                        })
                        .collect()
                })
                .collect();
            let times = r
                .results
                .iter()
                .map(|x| x.created_at)
                .chain(r.chains.iter().map(|x| x.created_at));
            let results = std::mem::take(&mut chains[i])
                .into_iter()
                .zip(times)
                .map(|(chain, t)| {
                    (
                        chain
                            .iter()
                            .filter_map(|l| config.layers[*l].blob.clone())
                            .collect(),
                        t,
                    )
                })
                .collect();
            item_of[i] = self.m.add(&r.digest, inputs, results);
        }
        Ok(())
    }

    /// The merged cache in `form`. Errors when nothing was added.
    pub fn finish(self, form: CacheForm) -> Result<CacheWrite> {
        if self.sources.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, "nothing to merge"));
        }
        let mut config = build_config(self.m, &self.annotations);
        let unchanged = self.sources.contains(&config.normalized()?.to_bytes());
        if !unchanged {
            join::join_leaves(&mut config);
        }
        CacheWrite::build(config, form, &self.blobs)
    }
}

/// Merges `sources` (each a cache manifest and its config) into one cache of
/// `form`: [`Merge`] in one call.
pub fn merge(sources: &[(&CacheManifest, &CacheConfig)], form: CacheForm) -> Result<CacheWrite> {
    let mut m = Merge::new();
    for (manifest, config) in sources {
        m.add(manifest, config)?;
    }
    m.finish(form)
}

fn build_config(mut m: Merger, annotations: &HashMap<Digest, LayerAnnotations>) -> CacheConfig {
    let live: Vec<usize> = (0..m.items.len()).filter(|&i| m.find(i) == i).collect();
    let index: BTreeMap<usize, usize> = live.iter().enumerate().map(|(n, &i)| (i, n)).collect();
    let mut config = CacheConfig::default();
    let mut layer_of: HashMap<(Digest, i64), i64> = HashMap::new();
    for &i in &live {
        let links: Vec<(usize, String, usize)> = m.items[i].links.iter().cloned().collect();
        let mut inputs: Vec<Vec<CacheInput>> = vec![Vec::new(); m.items[i].slots];
        let mut seen = BTreeSet::new();
        for (slot, selector, p) in links {
            let link = index[&m.find(p)];
            if seen.insert((slot, selector.clone(), link)) {
                inputs[slot].push(CacheInput {
                    selector,
                    link: i64::try_from(link).unwrap_or(i64::MAX),
                    ..CacheInput::default()
                });
            }
        }
        let item = &m.items[i];
        let mut results = Vec::new();
        let best =
            item.results.iter().fold(
                None,
                |best: Option<&(Vec<Digest>, Timestamp)>, r| match best {
                    Some(b) if b.1.unix_nanos() >= r.1.unix_nanos() => Some(b),
                    _ => Some(r),
                },
            );
        if let Some((chain, t)) = best {
            let mut parent = -1;
            for blob in chain {
                let next = i64::try_from(config.layers.len()).unwrap_or(i64::MAX);
                parent = *layer_of.entry((blob.clone(), parent)).or_insert_with(|| {
                    let mut l = CacheLayer::new(blob.clone(), parent);
                    l.annotations = annotations.get(blob).cloned();
                    config.layers.push(l);
                    next
                });
            }
            if parent >= 0 {
                results.push(CacheResult {
                    layer: parent,
                    created_at: *t,
                    ..CacheResult::default()
                });
            }
        }
        config.records.push(CacheRecord {
            digest: item.digest.clone(),
            inputs,
            results,
            ..CacheRecord::default()
        });
    }
    config
}
