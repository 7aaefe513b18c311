//! Queries over the record graph and layer chains that tooling and the
//! cache viewer need: roots and leaves, dependents, the layer chain of a
//! result (base first), the bytes a record needs, and layers shared by
//! several records. Layer chains follow cache-format.md §2.1 (a result is the
//! chain from `layers[layer]` down the `parent`s to `-1`).

use std::collections::HashMap;

use super::CacheConfig;
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};

/// The bytes a record's results need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordSize {
    /// The sum of the sizes of every distinct blob its results use.
    pub total: u64,
    /// The part of `total` that no other record's results use: what
    /// dropping this record alone would free.
    pub unique: u64,
    /// How many distinct blobs its results use.
    pub blobs: usize,
    /// How many of those have no known size (not counted in the sums).
    pub unknown: usize,
}

impl CacheConfig {
    /// Records with no inputs (sources, such as an image pull or a context).
    pub fn roots(&self) -> Vec<usize> {
        (0..self.records.len())
            .filter(|&i| self.records[i].inputs.is_empty())
            .collect()
    }

    /// Records no other record links to (the ends of the build graph).
    pub fn leaves(&self) -> Vec<usize> {
        let mut linked = vec![false; self.records.len()];
        for r in &self.records {
            for input in r.inputs.iter().flatten() {
                if let Ok(i) = usize::try_from(input.link)
                    && i < linked.len()
                {
                    linked[i] = true;
                }
            }
        }
        (0..self.records.len()).filter(|&i| !linked[i]).collect()
    }

    /// The records that list `record` among their inputs, ascending.
    pub fn dependents(&self, record: usize) -> Vec<usize> {
        (0..self.records.len())
            .filter(|&i| {
                self.records[i]
                    .inputs
                    .iter()
                    .flatten()
                    .any(|inp| usize::try_from(inp.link) == Ok(record))
            })
            .collect()
    }

    /// The layer indexes of the chain ending at `layer`, base first;
    /// [`ErrorKind::InvalidLayerIndex`] or [`ErrorKind::LoopingLayer`] for a
    /// broken chain.
    pub fn layer_chain(&self, layer: usize) -> Result<Vec<usize>> {
        let mut chain = Vec::new();
        let mut at = i64::try_from(layer).unwrap_or(i64::MAX);
        while at != -1 {
            let i = usize::try_from(at)
                .ok()
                .filter(|&i| i < self.layers.len())
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidLayerIndex,
                        format!("invalid layer index {at}"),
                    )
                })?;
            // Each layer has one parent, so a chain longer than `layers`
            // has come back to a layer it passed.
            if chain.len() == self.layers.len() {
                return Err(Error::new(
                    ErrorKind::LoopingLayer,
                    format!(
                        "invalid looping layer: the parents of layer {layer} lead back to a layer of the chain"
                    ),
                ));
            }
            chain.push(i);
            at = self.layers[i].parent;
        }
        chain.reverse();
        Ok(chain)
    }

    /// The layer chain (base first) of each result of `record`: its
    /// `layers` results, then its `chains`.
    pub fn result_chains(&self, record: usize) -> Result<Vec<Vec<usize>>> {
        let rec = self.records.get(record).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidRecordIndex,
                format!("invalid record ID: {record}"),
            )
        })?;
        let mut out = Vec::with_capacity(rec.results.len() + rec.chains.len());
        for res in &rec.results {
            let top = usize::try_from(res.layer).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidLayerIndex,
                    format!("invalid layer index {}", res.layer),
                )
            })?;
            out.push(self.layer_chain(top)?);
        }
        for chain in &rec.chains {
            let mut c = Vec::with_capacity(chain.layers.len());
            for &l in &chain.layers {
                c.push(
                    usize::try_from(l)
                        .ok()
                        .filter(|&l| l < self.layers.len())
                        .ok_or_else(|| {
                            Error::new(
                                ErrorKind::InvalidLayerIndex,
                                format!("invalid layer index {l}"),
                            )
                        })?,
                );
            }
            out.push(c);
        }
        Ok(out)
    }

    /// The distinct blobs of `layers`, in order of first appearance.
    pub fn blobs(&self) -> Vec<Digest> {
        let mut seen = std::collections::HashSet::new();
        self.layers
            .iter()
            .filter_map(|l| l.blob.as_ref())
            .filter(|b| seen.insert(*b))
            .cloned()
            .collect()
    }

    /// The distinct blobs each record's results use, by record index.
    fn record_blobs(&self) -> Result<Vec<Vec<&Digest>>> {
        (0..self.records.len())
            .map(|i| {
                let mut blobs: Vec<&Digest> = self
                    .result_chains(i)?
                    .into_iter()
                    .flatten()
                    .filter_map(|l| self.layers[l].blob.as_ref())
                    .collect();
                blobs.sort_unstable();
                blobs.dedup();
                Ok(blobs)
            })
            .collect()
    }

    /// The bytes `record`'s results need, total and unique to it, given
    /// blob sizes (from the manifest's layer descriptors).
    pub fn record_size(&self, record: usize, sizes: &HashMap<Digest, u64>) -> Result<RecordSize> {
        let all = self.record_blobs()?;
        let mine = all.get(record).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidRecordIndex,
                format!("invalid record ID: {record}"),
            )
        })?;
        let mut users: HashMap<&Digest, usize> = HashMap::new();
        for blobs in &all {
            for b in blobs {
                *users.entry(b).or_default() += 1;
            }
        }
        let mut size = RecordSize {
            blobs: mine.len(),
            ..RecordSize::default()
        };
        for b in mine {
            match sizes.get(*b) {
                None => size.unknown += 1,
                Some(&s) => {
                    size.total = size.total.saturating_add(s);
                    if users.get(b) == Some(&1) {
                        size.unique = size.unique.saturating_add(s);
                    }
                }
            }
        }
        Ok(size)
    }

    /// Blobs used by the results of more than one record, each with those
    /// records (ascending), ordered by blob digest.
    pub fn shared_layers(&self) -> Result<Vec<(Digest, Vec<usize>)>> {
        let mut users: HashMap<&Digest, Vec<usize>> = HashMap::new();
        for (i, blobs) in self.record_blobs()?.into_iter().enumerate() {
            for b in blobs {
                users.entry(b).or_default().push(i);
            }
        }
        let mut shared: Vec<(Digest, Vec<usize>)> = users
            .into_iter()
            .filter(|(_, r)| r.len() > 1)
            .map(|(d, r)| (d.clone(), r))
            .collect();
        shared.sort();
        Ok(shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Algorithm, CacheInput, CacheLayer, CacheRecord, CacheResult, digest};

    fn blob(n: u8) -> Digest {
        digest(&[n], Algorithm::Sha256)
    }

    /// Layers 0 <- 1 <- 2 and a lone 3; record 0 a root, record 1 on it
    /// with chain 2, record 2 on both with chain 1 and chain 3.
    fn sample() -> CacheConfig {
        let layers = vec![
            CacheLayer::new(blob(0), -1),
            CacheLayer::new(blob(1), 0),
            CacheLayer::new(blob(2), 1),
            CacheLayer::new(blob(3), -1),
        ];
        let result = |layer| CacheResult {
            layer,
            ..CacheResult::default()
        };
        let link = |link| CacheInput {
            link,
            ..CacheInput::default()
        };
        let records = vec![
            CacheRecord::default(),
            CacheRecord {
                results: vec![result(2)],
                inputs: vec![vec![link(0)]],
                ..CacheRecord::default()
            },
            CacheRecord {
                results: vec![result(1), result(3)],
                inputs: vec![vec![link(0), link(1)]],
                ..CacheRecord::default()
            },
        ];
        CacheConfig {
            layers,
            records,
            ..CacheConfig::default()
        }
    }

    #[test]
    fn graph_queries() {
        let c = sample();
        assert_eq!(
            (c.roots(), c.leaves(), c.dependents(0)),
            (vec![0], vec![2], vec![1, 2])
        );
        assert_eq!(c.layer_chain(2).unwrap(), [0, 1, 2]);
        assert_eq!(c.result_chains(2).unwrap(), [vec![0, 1], vec![3]]);
        assert_eq!(c.blobs(), [blob(0), blob(1), blob(2), blob(3)]);
        let sizes: HashMap<Digest, u64> = (0..3).map(|n| (blob(n), 10 << n)).collect();
        assert_eq!(
            c.record_size(1, &sizes).unwrap(),
            RecordSize {
                total: 70,
                unique: 40,
                blobs: 3,
                unknown: 0
            }
        );
        assert_eq!(
            c.record_size(2, &sizes).unwrap(),
            RecordSize {
                total: 30,
                unique: 0,
                blobs: 3,
                unknown: 1
            }
        );
        let mut shared = vec![(blob(0), vec![1, 2]), (blob(1), vec![1, 2])];
        shared.sort();
        assert_eq!(c.shared_layers().unwrap(), shared);
    }

    #[test]
    fn broken_chains_are_errors() {
        let mut c = sample();
        c.layers[0].parent = 2;
        assert_eq!(
            c.layer_chain(1).unwrap_err().kind(),
            ErrorKind::LoopingLayer
        );
        c.layers[0].parent = 7;
        assert_eq!(
            c.layer_chain(2).unwrap_err().kind(),
            ErrorKind::InvalidLayerIndex
        );
        assert_eq!(
            c.result_chains(9).unwrap_err().kind(),
            ErrorKind::InvalidRecordIndex
        );
        assert!(c.record_size(0, &HashMap::new()).is_err());
    }
}
