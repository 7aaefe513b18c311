//! The checks BuildKit's importer makes on a cache config (cache-format.md
//! §2.2, `v1.ParseConfig`), reported as findings rather than stopping at the
//! first: input `link`s outside `records` (`invalid record ID`), records
//! reaching themselves (`invalid looping record`), empty input slots, layer
//! indexes outside `layers`, looping `parent` chains, and — given the blobs
//! the manifest lists — results whose chains need a blob it does not have
//! (BuildKit silently drops those results, so the cache misses). With
//! `require_annotations` (gha, s3, azblob exports) a layer also needs
//! `annotations` with a `diffID`. Every walk is iterative and linear, so
//! hostile configs cannot exhaust the stack or take quadratic time.

use std::collections::HashSet;

use super::CacheConfig;
use crate::digest::Digest;
use crate::error::ErrorKind;
use crate::finding::Finding;

/// What to check beyond the config's own structure.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidateOptions<'a> {
    /// The blobs available (a manifest's layers): results needing another
    /// blob are [`ErrorKind::MissingBlob`].
    pub blobs: Option<&'a HashSet<Digest>>,
    /// Layers must carry `annotations` with a `diffID`, as gha, s3 and
    /// azblob imports require.
    pub require_annotations: bool,
}

/// Per-layer state of the parent walk.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    Unseen,
    OnPath,
    /// Done; the chain is sound (reaches `-1`) or not.
    Done {
        sound: bool,
    },
}

impl CacheConfig {
    /// The importer's checks on the config alone; an empty list when
    /// BuildKit would import every result.
    pub fn validate(&self) -> Vec<Finding> {
        self.validate_with(&ValidateOptions::default())
    }

    /// The importer's checks, with the blobs that are available and the
    /// annotations gha/s3/azblob need.
    pub fn validate_with(&self, options: &ValidateOptions<'_>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let sound = self.check_layers(options, &mut findings);
        let missing = options.blobs.map(|blobs| self.first_missing(blobs, &sound));
        self.check_records(options.blobs, missing.as_deref(), &mut findings);
        self.check_record_loops(&mut findings);
        findings
    }

    fn layer_index(&self, i: i64) -> Option<usize> {
        usize::try_from(i).ok().filter(|&i| i < self.layers.len())
    }

    fn record_index(&self, i: i64) -> Option<usize> {
        usize::try_from(i).ok().filter(|&i| i < self.records.len())
    }

    /// Per-layer checks and loop detection; returns whether each layer's
    /// parent chain reaches `-1` without a loop or a bad index.
    fn check_layers(&self, options: &ValidateOptions<'_>, out: &mut Vec<Finding>) -> Vec<bool> {
        for (i, l) in self.layers.iter().enumerate() {
            if l.blob.is_none() {
                out.push(Finding::error(
                    ErrorKind::MissingField,
                    format!("layers[{i}].blob"),
                    "layer has no blob",
                ));
            }
            if l.parent != -1 && self.layer_index(l.parent).is_none() {
                out.push(Finding::error(
                    ErrorKind::InvalidLayerIndex,
                    format!("layers[{i}].parent"),
                    format!("invalid layer index {}", l.parent),
                ));
            }
            if options.require_annotations {
                match &l.annotations {
                    None => out.push(Finding::error(
                        ErrorKind::MissingField,
                        format!("layers[{i}].annotations"),
                        "cache layer with missing annotations",
                    )),
                    Some(a) if a.diff_id.is_none() => out.push(Finding::error(
                        ErrorKind::MissingDiffId,
                        format!("layers[{i}].annotations.diffID"),
                        "cache layer with missing diffid",
                    )),
                    Some(_) => {}
                }
            }
        }
        let mut state = vec![Walk::Unseen; self.layers.len()];
        let mut path = Vec::new();
        for start in 0..self.layers.len() {
            let mut at = start;
            path.clear();
            let sound = loop {
                match state[at] {
                    Walk::Done { sound } => break sound,
                    Walk::OnPath => {
                        out.push(Finding::error(
                            ErrorKind::LoopingLayer,
                            format!("layers[{at}].parent"),
                            format!(
                                "invalid looping layer: the parents of layer {at} lead back to it"
                            ),
                        ));
                        break false;
                    }
                    Walk::Unseen => {
                        state[at] = Walk::OnPath;
                        path.push(at);
                        let parent = self.layers[at].parent;
                        if parent == -1 {
                            break true;
                        }
                        match self.layer_index(parent) {
                            Some(p) => at = p,
                            None => break false,
                        }
                    }
                }
            };
            for &p in &path {
                state[p] = Walk::Done { sound };
            }
        }
        state
            .into_iter()
            .map(|s| matches!(s, Walk::Done { sound: true }))
            .collect()
    }

    /// For each layer, the first layer of its chain (itself, then its
    /// parents) whose blob is not in `blobs`; `None` when all are there (or
    /// the chain is broken, which is reported elsewhere).
    fn first_missing(&self, blobs: &HashSet<Digest>, sound: &[bool]) -> Vec<Option<usize>> {
        let has = |i: usize| {
            self.layers[i]
                .blob
                .as_ref()
                .is_some_and(|b| blobs.contains(b))
        };
        let mut memo: Vec<Option<Option<usize>>> = vec![None; self.layers.len()];
        let mut path = Vec::new();
        for start in 0..self.layers.len() {
            if !sound[start] {
                memo[start] = Some(None);
                continue;
            }
            let mut at = start;
            path.clear();
            let mut found = loop {
                if let Some(known) = memo[at] {
                    break known;
                }
                path.push(at);
                match self.layer_index(self.layers[at].parent) {
                    Some(p) => at = p,
                    None => break None,
                }
            };
            for &p in path.iter().rev() {
                if !has(p) {
                    found = Some(p);
                }
                memo[p] = Some(found);
            }
        }
        memo.into_iter().map(Option::flatten).collect()
    }

    fn check_records(
        &self,
        blobs: Option<&HashSet<Digest>>,
        missing: Option<&[Option<usize>]>,
        out: &mut Vec<Finding>,
    ) {
        let blob_name = |i: usize| {
            self.layers[i]
                .blob
                .as_ref()
                .map_or_else(|| "(none)".to_owned(), ToString::to_string)
        };
        for (i, rec) in self.records.iter().enumerate() {
            for (j, slot) in rec.inputs.iter().enumerate() {
                if slot.is_empty() {
                    out.push(Finding::error(
                        ErrorKind::EmptyInput,
                        format!("records[{i}].inputs[{j}]"),
                        format!("invalid empty input for record {i}"),
                    ));
                }
                for (k, input) in slot.iter().enumerate() {
                    if self.record_index(input.link).is_none() {
                        out.push(Finding::error(
                            ErrorKind::InvalidRecordIndex,
                            format!("records[{i}].inputs[{j}][{k}].link"),
                            format!("invalid record ID: {}", input.link),
                        ));
                    }
                }
            }
            for (j, res) in rec.results.iter().enumerate() {
                match self.layer_index(res.layer) {
                    None => out.push(Finding::error(
                        ErrorKind::InvalidLayerIndex,
                        format!("records[{i}].layers[{j}].layer"),
                        format!("invalid layer index {}", res.layer),
                    )),
                    Some(l) => {
                        if let Some(Some(m)) = missing.map(|m| m[l]) {
                            out.push(Finding::error(
                                ErrorKind::MissingBlob,
                                format!("records[{i}].layers[{j}]"),
                                format!(
                                    "the result needs blob {} (layers[{m}]) that the manifest does not list; BuildKit drops the result",
                                    blob_name(m)
                                ),
                            ));
                        }
                    }
                }
            }
            for (j, chain) in rec.chains.iter().enumerate() {
                for (k, &idx) in chain.layers.iter().enumerate() {
                    match self.layer_index(idx) {
                        None => out.push(Finding::error(
                            ErrorKind::InvalidLayerIndex,
                            format!("records[{i}].chains[{j}].layers[{k}]"),
                            format!("invalid layer index {idx}"),
                        )),
                        Some(l) => {
                            let present = self.layers[l]
                                .blob
                                .as_ref()
                                .is_some_and(|b| blobs.is_none_or(|set| set.contains(b)));
                            if blobs.is_some() && !present {
                                out.push(Finding::error(
                                    ErrorKind::MissingBlob,
                                    format!("records[{i}].chains[{j}].layers[{k}]"),
                                    format!(
                                        "the chained result needs blob {} that the manifest does not list; BuildKit drops the result",
                                        blob_name(l)
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Finds records that reach themselves through `link`s (iterative DFS).
    fn check_record_loops(&self, out: &mut Vec<Finding>) {
        const WHITE: u8 = 0;
        const GREY: u8 = 1;
        const BLACK: u8 = 2;
        let n = self.records.len();
        let mut color = vec![WHITE; n];
        // Stack of (record, input slot, alternative) to look at next.
        let mut stack: Vec<(usize, usize, usize)> = Vec::new();
        for root in 0..n {
            if color[root] != WHITE {
                continue;
            }
            color[root] = GREY;
            stack.push((root, 0, 0));
            while let Some(top) = stack.last_mut() {
                let (node, j, k) = *top;
                let inputs = &self.records[node].inputs;
                if j >= inputs.len() {
                    color[node] = BLACK;
                    stack.pop();
                    continue;
                }
                if k >= inputs[j].len() {
                    *top = (node, j + 1, 0);
                    continue;
                }
                *top = (node, j, k + 1);
                let Some(t) = self.record_index(inputs[j][k].link) else {
                    continue;
                };
                match color[t] {
                    WHITE => {
                        color[t] = GREY;
                        stack.push((t, 0, 0));
                    }
                    GREY => out.push(Finding::error(
                        ErrorKind::LoopingRecord,
                        format!("records[{node}].inputs[{j}][{k}].link"),
                        format!(
                            "invalid looping record: record {node} links to record {t}, which leads back to it"
                        ),
                    )),
                    _ => {}
                }
            }
        }
    }
}
