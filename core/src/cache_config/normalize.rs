//! BuildKit's normalisation of a config built from scratch
//! (cache-format.md §2.3 step 5, `sortConfig`): `layers` sorted by `blob`,
//! ties by the old `parent`; `records` sorted by `digest`, then input slot
//! count, then per slot the alternative count, then per alternative the
//! `selector` and the linked record's digest; then every `parent`, result
//! `layer` and input `link` remapped and each slot's alternatives sorted by
//! new `link`. Like BuildKit, `chains` entries are not remapped (they index
//! an image's layers in an inline cache). Our sorts are stable, so records
//! BuildKit would order arbitrarily keep their relative order.

use std::cmp::Ordering;

use super::CacheConfig;
use crate::error::{Error, ErrorKind, Result};

impl CacheConfig {
    /// A normalised copy (see [`CacheConfig::normalize`]).
    pub fn normalized(&self) -> Result<CacheConfig> {
        let mut copy = self.clone();
        copy.normalize()?;
        Ok(copy)
    }

    /// Sorts and remaps the config like BuildKit's exporter, so that the
    /// same content always gives the same bytes. Every `parent`, result
    /// `layer` and input `link` must be in range (else
    /// [`ErrorKind::InvalidLayerIndex`] / [`ErrorKind::InvalidRecordIndex`],
    /// and the config is left as it was).
    pub fn normalize(&mut self) -> Result<()> {
        self.check_indexes()?;
        let nl = self.layers.len();
        let nr = self.records.len();
        // Indexes are checked above, so these conversions cannot fail.
        let idx = |i: i64| usize::try_from(i).unwrap_or(0);
        let back = |i: usize| i64::try_from(i).unwrap_or(i64::MAX);

        let mut order: Vec<usize> = (0..nl).collect();
        order.sort_by(|&a, &b| {
            let (la, lb) = (&self.layers[a], &self.layers[b]);
            layer_blob(la)
                .cmp(layer_blob(lb))
                .then(la.parent.cmp(&lb.parent))
        });
        let mut new_layer = vec![0; nl];
        for (new, &old) in order.iter().enumerate() {
            new_layer[old] = new;
        }

        let records = &self.records;
        let mut rorder: Vec<usize> = (0..nr).collect();
        rorder.sort_by(|&a, &b| {
            let (ra, rb) = (&records[a], &records[b]);
            ra.digest
                .cmp(&rb.digest)
                .then(ra.inputs.len().cmp(&rb.inputs.len()))
                .then_with(|| {
                    for (sa, sb) in ra.inputs.iter().zip(&rb.inputs) {
                        let o = sa.len().cmp(&sb.len());
                        if o != Ordering::Equal {
                            return o;
                        }
                        for (ia, ib) in sa.iter().zip(sb) {
                            let o = ia.selector.cmp(&ib.selector).then_with(|| {
                                records[idx(ia.link)]
                                    .digest
                                    .cmp(&records[idx(ib.link)].digest)
                            });
                            if o != Ordering::Equal {
                                return o;
                            }
                        }
                    }
                    Ordering::Equal
                })
        });
        let mut new_record = vec![0; nr];
        for (new, &old) in rorder.iter().enumerate() {
            new_record[old] = new;
        }

        let mut old_layers = std::mem::take(&mut self.layers);
        self.layers = order
            .iter()
            .map(|&old| {
                let mut l = std::mem::replace(
                    &mut old_layers[old],
                    super::CacheLayer {
                        blob: None,
                        parent: 0,
                        annotations: None,
                        extra: crate::json::Extra::default(),
                    },
                );
                if l.parent != -1 {
                    l.parent = back(new_layer[idx(l.parent)]);
                }
                l
            })
            .collect();
        let mut old_records = std::mem::take(&mut self.records);
        self.records = rorder
            .iter()
            .map(|&old| {
                let mut r = std::mem::take(&mut old_records[old]);
                for res in &mut r.results {
                    res.layer = back(new_layer[idx(res.layer)]);
                }
                for slot in &mut r.inputs {
                    for input in slot.iter_mut() {
                        input.link = back(new_record[idx(input.link)]);
                    }
                    slot.sort_by_key(|input| input.link);
                }
                r
            })
            .collect();
        Ok(())
    }

    /// Every `parent`, result `layer` and input `link` in range.
    fn check_indexes(&self) -> Result<()> {
        let nl = self.layers.len();
        let nr = self.records.len();
        let layer_ok = |i: i64| usize::try_from(i).is_ok_and(|i| i < nl);
        for (i, l) in self.layers.iter().enumerate() {
            if l.parent != -1 && !layer_ok(l.parent) {
                return Err(Error::new(
                    ErrorKind::InvalidLayerIndex,
                    format!("invalid layer index {}", l.parent),
                )
                .in_field(format!("layers[{i}].parent")));
            }
        }
        for (i, r) in self.records.iter().enumerate() {
            for (j, res) in r.results.iter().enumerate() {
                if !layer_ok(res.layer) {
                    return Err(Error::new(
                        ErrorKind::InvalidLayerIndex,
                        format!("invalid layer index {}", res.layer),
                    )
                    .in_field(format!("records[{i}].layers[{j}].layer")));
                }
            }
            for (j, slot) in r.inputs.iter().enumerate() {
                for (k, input) in slot.iter().enumerate() {
                    if !usize::try_from(input.link).is_ok_and(|l| l < nr) {
                        return Err(Error::new(
                            ErrorKind::InvalidRecordIndex,
                            format!("invalid record ID: {}", input.link),
                        )
                        .in_field(format!("records[{i}].inputs[{j}][{k}].link")));
                    }
                }
            }
        }
        Ok(())
    }
}

fn layer_blob(l: &super::CacheLayer) -> &str {
    l.blob.as_ref().map_or("", |d| d.as_str())
}
