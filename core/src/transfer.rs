//! `copy`: what to transfer so that another storage holds the same cache
//! under a tag, with every digest kept (so BuildKit can import the copy).
//!
//! The plan lists every blob the entry reaches, children before the
//! documents that point at them and the entry's own document last — the
//! order BuildKit's registry exporter writes in (layers, then the config,
//! then the manifest) and the order a registry needs, since it checks a
//! manifest's references when the manifest is pushed. The caller skips
//! what the destination already has, copies the rest, then points the
//! tag at [`CopyPlan::descriptor`] (for a layout:
//! [`crate::ImageIndex::updated_layout_index`]). Stopping anywhere leaves
//! the destination's tag as it was, and a second run copies only what is
//! still missing.
//!
//! Spec: `cache-format.md` §3.2 (write order: layers, config, manifest),
//! §4.1 (registry: blobs in the ref's repository, the wrapper as a manifest
//! under its tag), §4.2 (layout: `index.json` last).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::cache::Cache;
use crate::descriptor::Descriptor;
use crate::error::{Error, ErrorKind, Result};
use crate::registry::is_manifest_media_type;

/// What a copy of one tagged entry transfers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyPlan {
    /// The tag copied.
    pub tag: String,
    /// The entry's descriptor: what the destination's tag points at once
    /// every blob is there.
    pub descriptor: Descriptor,
    /// Every blob the entry reaches, once each, children first and the
    /// entry's document last.
    pub blobs: Vec<Descriptor>,
}

/// Bytes a copy keeps in flight when it chooses its own concurrency: enough
/// to hide a remote registry's round trips behind small blobs, without the
/// blobs held whole (up to 8 MiB each) adding up past this.
const COPY_BYTES_IN_FLIGHT: u64 = 32 << 20;

/// The fewest and the most blobs a copy sends at once by its own choice.
const COPY_CONCURRENCY: (usize, usize) = (4, 16);

impl CopyPlan {
    /// The bytes of all the blobs.
    pub fn total_bytes(&self) -> u64 {
        self.blobs.iter().map(|d| d.size).sum()
    }

    /// How many blobs to transfer at once when the host is not told: as
    /// many as keep 32 MiB in flight at the median size of the plan's
    /// non-manifest blobs, from 4 to 16. Small blobs cost their requests'
    /// round trips more than their bytes, so more of them go at once; large
    /// ones are bound by bandwidth, and more at once only add memory
    /// (`python/bench/latency.py`).
    pub fn concurrency(&self) -> usize {
        let mut sizes: Vec<u64> = self
            .blobs
            .iter()
            .filter(|d| !is_manifest_media_type(&d.media_type))
            .map(|d| d.size)
            .collect();
        let (fewest, most) = COPY_CONCURRENCY;
        if sizes.is_empty() {
            return fewest;
        }
        let middle = sizes.len() / 2;
        let median = *sizes.select_nth_unstable(middle).1;
        let wanted = COPY_BYTES_IN_FLIGHT.div_ceil(median.max(1));
        usize::try_from(wanted).map_or(most, |n| n.clamp(fewest, most))
    }

    /// The plan as plain data: `{tag, descriptor, blobs: [{digest,
    /// mediaType, size, manifest}], totalBytes, concurrency}`; `manifest`
    /// says the blob is a manifest or index (a registry stores it under
    /// `/manifests/`).
    pub fn to_json(&self) -> Value {
        json!({
            "tag": self.tag,
            "descriptor": serde_json::from_slice::<Value>(&self.descriptor.to_bytes()).unwrap_or(Value::Null),
            "blobs": self.blobs.iter().map(|d| json!({
                "digest": d.digest.as_str(),
                "mediaType": d.media_type,
                "size": d.size,
                "manifest": is_manifest_media_type(&d.media_type),
            })).collect::<Vec<_>>(),
            "totalBytes": self.total_bytes(),
            "concurrency": self.concurrency(),
        })
    }
}

impl Cache {
    /// Plans copying the entry tagged `tag`. [`ErrorKind::TagNotFound`]
    /// when no entry has it; [`ErrorKind::IncompleteCache`] when a document
    /// it reaches is missing or unreadable (what it points at is unknown,
    /// so a copy would be incomplete).
    pub fn copy_plan(&self, tag: &str) -> Result<CopyPlan> {
        let entry = self.entry(tag)?;
        let unknown = self.unknown_reachable(|e| e.position == entry.position);
        if !unknown.is_empty() {
            let list: Vec<String> = unknown.iter().map(ToString::to_string).collect();
            return Err(Error::new(
                ErrorKind::IncompleteCache,
                format!(
                    "cannot copy {tag:?}: these documents are missing or unreadable: {}",
                    list.join(", ")
                ),
            ));
        }
        // Post-order walk: a document is listed after everything it points at.
        let mut blobs = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![(&entry.descriptor, false)];
        while let Some((d, expanded)) = stack.pop() {
            if expanded {
                blobs.push(d.clone());
                continue;
            }
            if !seen.insert(&d.digest) {
                continue;
            }
            stack.push((d, true));
            if let Some(children) = self.children.get(&d.digest) {
                stack.extend(
                    children
                        .iter()
                        .rev()
                        .filter(|c| !seen.contains(&c.digest))
                        .map(|c| (c, false)),
                );
            }
        }
        Ok(CopyPlan {
            tag: tag.to_owned(),
            descriptor: entry.descriptor.clone(),
            blobs,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        CacheForm, CacheLoader, CacheManifest, Descriptor, ErrorKind, ImageIndex, MediaType,
    };

    #[test]
    fn children_first_entry_last() {
        let config = br#"{"layers":[{"blob":"sha256:0000000000000000000000000000000000000000000000000000000000000000","parent":-1}],"records":[]}"#;
        let layer = Descriptor::for_content(MediaType::OCI_LAYER_GZIP, b"layer");
        let m = CacheManifest::build(
            CacheForm::ImageManifest,
            Descriptor::for_content(MediaType::CACHE_CONFIG, config),
            vec![layer.clone(), layer.clone()],
        );
        let bytes = m.to_bytes();
        let top = Descriptor::for_content(MediaType::OCI_MANIFEST, &bytes);
        let mut index = ImageIndex::new(MediaType::OCI_INDEX, vec![]);
        index.put_tag("t", &top).unwrap();
        let mut loader = CacheLoader::new(Some(&index.to_bytes()));
        while let Some(d) = loader.next_needed().cloned() {
            let blob: &[u8] = if d.media_type == MediaType::CACHE_CONFIG {
                config
            } else {
                &bytes
            };
            loader.feed(&d.digest, blob).unwrap();
        }
        let cache = loader.finish();
        let plan = cache.copy_plan("t").unwrap();
        let digests: Vec<_> = plan.blobs.iter().map(|d| d.digest.clone()).collect();
        assert_eq!(digests.len(), 3, "the twice-listed layer is copied once");
        assert_eq!(digests[2], top.digest);
        assert!(digests.contains(&layer.digest));
        assert_eq!(
            plan.total_bytes(),
            plan.blobs.iter().map(|d| d.size).sum::<u64>()
        );
        assert_eq!(plan.to_json()["blobs"][2]["manifest"], true);
        assert_eq!(plan.to_json()["concurrency"], plan.concurrency());
        assert_eq!(plan.to_json()["blobs"][0]["manifest"], false);
        assert_eq!(
            cache.copy_plan("nope").unwrap_err().kind(),
            ErrorKind::TagNotFound
        );

        let mut loader = CacheLoader::new(Some(&index.to_bytes()));
        let d = loader.next_needed().cloned().unwrap();
        loader.missing(&d.digest).unwrap();
        assert_eq!(
            loader.finish().copy_plan("t").unwrap_err().kind(),
            ErrorKind::IncompleteCache
        );
    }

    fn plan_of(sizes: &[u64]) -> super::CopyPlan {
        let blobs: Vec<Descriptor> = sizes
            .iter()
            .enumerate()
            .map(|(i, &size)| {
                let mut d = Descriptor::for_content(MediaType::OCI_LAYER_GZIP, &i.to_le_bytes());
                d.size = size;
                d
            })
            .collect();
        let manifest = Descriptor::for_content(MediaType::OCI_MANIFEST, b"{}");
        let mut all = blobs;
        all.push(manifest.clone());
        super::CopyPlan {
            tag: "t".into(),
            descriptor: manifest,
            blobs: all,
        }
    }

    #[test]
    fn concurrency_follows_the_median_blob() {
        // Small blobs: as many at once as allowed; large ones: the fewest.
        assert_eq!(plan_of(&[16 << 10; 50]).concurrency(), 16);
        assert_eq!(plan_of(&[400 << 20; 3]).concurrency(), 4);
        // 5 MB layers: 32 MiB / 5 MB = 6.7, so 7 at once.
        assert_eq!(plan_of(&[5_000_000; 200]).concurrency(), 7);
        // The median, not the mean: one huge blob among small ones changes nothing.
        let mut mixed = vec![16 << 10; 99];
        mixed.push(10 << 30);
        assert_eq!(plan_of(&mixed).concurrency(), 16);
        // Empty blobs and a plan of manifests only stay in bounds.
        assert_eq!(plan_of(&[0; 3]).concurrency(), 16);
        assert_eq!(plan_of(&[]).concurrency(), 4);
    }
}
