//! The operations (inspect, verify, gc, merge, convert) carried out over an
//! in-memory copy of every bundled BuildKit export, and the corruption cases.
mod common;

use std::collections::BTreeMap;

use common::layout::Layout;
use ocicache::{
    CacheForm, Compression, Conversion, Decoder, Digest, ImageIndex, LayerCompressor, Limits,
    OciLayout, is_join, merge,
};

const LAYOUTS: [&str; 7] = [
    "compression-zstd",
    "image-manifest-false",
    "local-max",
    "local-min",
    "oci-mediatypes-false",
    "small-max",
    "twice",
];

#[test]
fn every_bundled_export_inspects_and_verifies_clean() {
    for name in LAYOUTS {
        let layout = Layout::read(name);
        let report = layout.verify();
        assert!(report.findings.is_empty(), "{name}: {:?}", report.findings);
        assert!(report.ok());
        let inspection = layout.load().inspect(Some(&layout.stored()));
        let j = inspection.to_json();
        assert_eq!(j["tags"][0]["cache"], true, "{name}");
        assert!(
            inspection.to_text().contains("record 0"),
            "{name}: {}",
            inspection.to_text()
        );
    }
}

#[test]
fn twice_gc_deletes_exactly_the_seven_unreachable_blobs() {
    let layout = Layout::read("twice");
    let case = common::load("fixtures/buildkit/twice/case.json");
    let unreachable: Vec<String> = case["blobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["reachable_from_index_json"] == false)
        .map(|b| format!("blobs/sha256/{}", &b["digest"].as_str().unwrap()[7..]))
        .collect();
    assert_eq!(unreachable.len(), 7);
    let plan = layout
        .load()
        .gc_plan(&layout.stored(), &ocicache::GcOptions::new(3_600_000))
        .unwrap();
    let deleted: Vec<String> = plan.delete.iter().map(|b| b.path.clone()).collect();
    assert_eq!(deleted, unreachable);
    let mut after = layout.clone();
    for p in &deleted {
        after.0.remove(p);
    }
    assert!(after.verify().findings.is_empty());
    let stored_before: u64 = layout.stored().iter().map(|b| b.size).sum();
    let stored_after: u64 = after.stored().iter().map(|b| b.size).sum();
    assert_eq!(stored_before - stored_after, plan.freed_bytes());
    // Within the grace period nothing goes.
    let young = layout
        .load()
        .gc_plan(&layout.stored(), &ocicache::GcOptions::new(60_000))
        .unwrap();
    assert!(young.delete.is_empty());
    assert_eq!(young.young.len(), 7);
}

/// gc's second look: a concurrent export that points `index.json` at the
/// first export again makes its blobs reachable, so they go back; a
/// document that cannot be read makes everything go back.
#[test]
fn the_recheck_puts_back_what_index_json_reaches_now() {
    let layout = Layout::read("twice");
    let plan = layout
        .load()
        .gc_plan(&layout.stored(), &ocicache::GcOptions::new(3_600_000))
        .unwrap();
    let moved: Vec<Digest> = plan.delete.iter().map(|b| b.digest().unwrap()).collect();
    // Nothing changed meanwhile: all of it goes.
    let again = layout.load().recheck(&moved);
    assert_eq!((again.restore.len(), again.delete.len()), (0, 7));
    // An export re-tagged the first manifest meanwhile (BuildKit reuses the
    // blobs it finds): they are reachable again.
    let first =
        Digest::parse("sha256:4892b92ffdab938e771562ea1dbe78b8b5fab518a220177552a998f42b15695e")
            .unwrap();
    let mut changed = layout.clone();
    let descriptor = ocicache::Descriptor::new(
        ocicache::MediaType::OCI_MANIFEST,
        first.clone(),
        changed.0[&OciLayout::blob_path(&first)].len() as u64,
    );
    let index =
        ImageIndex::updated_layout_index(Some(&changed.0["index.json"]), "first", &descriptor)
            .unwrap();
    changed.0.insert("index.json".into(), index);
    let again = changed.load().recheck(&moved);
    assert_eq!(again.delete.len(), 0, "{again:?}");
    assert_eq!(again.restore.len(), 7);
    let mut settled = plan.clone();
    settled.settle(&again.restore, true);
    assert_eq!(
        (
            settled.delete.len(),
            settled.restored.len(),
            settled.freed_bytes()
        ),
        (0, 7, 0)
    );
    assert_eq!(
        settled.to_json(true)["restored"].as_array().unwrap().len(),
        7
    );
    assert!(
        settled
            .to_text(true)
            .contains("kept (reachable again when gc looked again)")
    );
    let mut unsettled = plan.clone();
    unsettled.settle(&moved, false);
    assert!(unsettled.unsettled && unsettled.to_text(true).contains("could not look again"));
    // A manifest that cannot be read: nothing is known, everything goes back.
    let mut broken = changed.clone();
    broken.0.remove(&OciLayout::blob_path(&first));
    let again = broken.load().recheck(&moved);
    assert_eq!((again.restore.len(), again.delete.len()), (7, 0));
}

/// The index.json gc writes when it drops a tag is the one on disk then,
/// without exactly the entry it dropped: a tag exported meanwhile stays.
#[test]
fn dropping_a_tag_keeps_entries_added_since_the_plan() {
    let mut layout = Layout::read("twice");
    let latest = ImageIndex::from_bytes(&layout.0["index.json"])
        .unwrap()
        .manifests[0]
        .clone();
    let index =
        ImageIndex::updated_layout_index(Some(&layout.0["index.json"]), "main", &latest).unwrap();
    layout.0.insert("index.json".into(), index);
    let mut options = ocicache::GcOptions::new(3_600_000);
    options.drop_tags = vec!["main".into()];
    let plan = layout.load().gc_plan(&layout.stored(), &options).unwrap();
    assert_eq!(plan.dropped_tags, ["main"]);
    let meanwhile =
        ImageIndex::updated_layout_index(Some(&layout.0["index.json"]), "feature", &latest)
            .unwrap();
    let after =
        ImageIndex::from_bytes(&plan.index_after(Some(&meanwhile)).unwrap().unwrap()).unwrap();
    assert_eq!(after.tags(), ["latest", "feature"]);
    // Already gone (another gc dropped it): nothing to write.
    assert!(plan.index_after(Some(&after.to_bytes())).unwrap().is_none());
    assert!(plan.index_after(None).unwrap().is_none());
}

#[test]
fn corruptions_each_have_their_own_code() {
    let base = Layout::read("small-max");
    let cache = base.load();
    let entry = &cache.entries[0];
    let manifest = entry.manifest.clone().unwrap();
    let layer = manifest.layers().next().unwrap().digest.clone();

    let mut flipped = base.clone();
    let bytes = flipped.0.get_mut(&OciLayout::blob_path(&layer)).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    assert_eq!(flipped.codes(), ["DIGEST_MISMATCH"]);

    let mut missing = base.clone();
    missing.0.remove(&OciLayout::blob_path(&layer));
    assert_eq!(missing.codes(), ["MISSING_BLOB"]);

    let mut truncated = base.clone();
    let index = truncated.0.get_mut("index.json").unwrap();
    index.truncate(index.len() / 2);
    assert_eq!(truncated.codes(), ["INVALID_JSON"]);
    assert_eq!(
        truncated
            .load()
            .gc_plan(&truncated.stored(), &ocicache::GcOptions::new(i64::MAX))
            .unwrap_err()
            .kind()
            .code(),
        "INCOMPLETE_CACHE"
    );

    // A looping parent: layer 0's parent is itself, under a re-digested config.
    let mut config = entry.config.clone().unwrap();
    config.layers[0].parent = 0;
    let mut looping = base.clone();
    let w = rewrite(&manifest, config, |_| {});
    looping.write(&w, "latest");
    assert!(
        looping.codes().contains(&"LOOPING_LAYER"),
        "{:?}",
        looping.codes()
    );

    let mut unknown = base.clone();
    let w = rewrite(&manifest, entry.config.clone().unwrap(), |layers| {
        layers[0].media_type = "application/x-foo".into();
    });
    unknown.write(&w, "latest");
    assert_eq!(unknown.codes(), ["UNKNOWN_MEDIA_TYPE"]);
}

/// `manifest` with `config` and its layer descriptors edited.
fn rewrite(
    manifest: &ocicache::CacheManifest,
    config: ocicache::CacheConfig,
    edit: impl FnOnce(&mut Vec<ocicache::Descriptor>),
) -> ocicache::CacheWrite {
    let config_bytes = config.to_bytes();
    let mut layers: Vec<_> = manifest.layers().cloned().collect();
    edit(&mut layers);
    let cd = ocicache::Descriptor::for_content(ocicache::MediaType::CACHE_CONFIG, &config_bytes);
    let m = ocicache::CacheManifest::build(manifest.form(), cd, layers);
    let manifest_bytes = m.to_bytes();
    let descriptor =
        ocicache::Descriptor::for_content(manifest.form().media_type(), &manifest_bytes);
    ocicache::CacheWrite {
        config,
        config_bytes,
        manifest: m,
        manifest_bytes,
        descriptor,
    }
}

#[test]
fn merging_two_exports_keeps_the_records_of_both_and_verifies() {
    let (a, b) = (Layout::read("local-max"), Layout::read("twice"));
    let (ca, cb) = (a.load(), b.load());
    let (ea, eb) = (&ca.entries[0], &cb.entries[0]);
    let sources = [
        (ea.manifest.as_ref().unwrap(), ea.config.as_ref().unwrap()),
        (eb.manifest.as_ref().unwrap(), eb.config.as_ref().unwrap()),
    ];
    let w = merge(&sources, CacheForm::ImageManifest).unwrap();
    let mut out = a.clone();
    for (p, bytes) in &b.0 {
        if p.starts_with("blobs/") {
            out.0.insert(p.clone(), bytes.clone());
        }
    }
    out.write(&w, "merged");
    assert!(
        out.verify().findings.is_empty(),
        "{:?}",
        out.verify().findings
    );
    for (_, c) in sources {
        for r in &c.records {
            assert!(
                w.config.records.iter().any(|m| m.digest == r.digest),
                "{} lost",
                r.digest
            );
        }
    }
    // Two builds' graphs end in two leaves: a join record makes them one,
    // the only record BuildKit never wrote (see merge/join.rs).
    let joins: Vec<_> = w.config.records.iter().filter(|r| is_join(r)).collect();
    assert_eq!(joins.len(), 1);
    assert_eq!(w.config.leaves().len(), 1);
    assert!(is_join(&w.config.records[w.config.leaves()[0]]));
    assert_eq!(
        joins[0].inputs[0].len(),
        2,
        "one link per source's final record"
    );
    // Merging the merged cache again rebuilds the same join.
    let again = merge(
        &[(&w.manifest, &w.config), sources[0]],
        CacheForm::ImageManifest,
    )
    .unwrap();
    assert_eq!(again.config_bytes, w.config_bytes);
    // Merging a cache with itself changes nothing.
    let same = merge(&[sources[1], sources[1]], CacheForm::ImageManifest).unwrap();
    assert_eq!(same.config_bytes, eb.config.as_ref().unwrap().to_bytes());
    assert_eq!(
        same.manifest_bytes,
        eb.manifest.as_ref().unwrap().to_bytes()
    );
}

/// Converts the layout's `latest` to `compression`, writing new blobs.
fn convert(layout: &mut Layout, compression: Compression, form: Option<CacheForm>) {
    let cache = layout.load();
    let e = &cache.entries[0];
    let mut c = Conversion::new(
        e.manifest.as_ref().unwrap(),
        e.config.as_ref().unwrap(),
        form,
        Some(compression),
    )
    .unwrap();
    for d in c.layers_to_recompress().to_vec() {
        let blob = &layout.0[&OciLayout::blob_path(&d.digest)];
        let from = ocicache::detect_compression(blob).unwrap();
        let mut dec = Decoder::new(from, Limits::default());
        let mut enc = LayerCompressor::new(compression, None).unwrap();
        let mut out = Vec::new();
        let mut tar = Vec::new();
        dec.update(blob, &mut |c: &[u8]| {
            tar.extend_from_slice(c);
            Ok(())
        })
        .unwrap();
        dec.finish().unwrap();
        enc.update(&tar, &mut |c: &[u8]| {
            out.extend_from_slice(c);
            Ok(())
        })
        .unwrap();
        let done = enc
            .finalize(&mut |c: &[u8]| {
                out.extend_from_slice(c);
                Ok(())
            })
            .unwrap();
        layout.put(out);
        c.record(&d.digest, &done.digests).unwrap();
    }
    let w = c.finish().unwrap();
    layout.write(&w, "latest");
}

#[test]
fn converting_to_zstd_and_back_keeps_every_diff_id() {
    let mut layout = Layout::read("small-max");
    let diff_ids = |l: &Layout| -> Vec<String> {
        let c = l.load();
        let mut v: Vec<String> = c.entries[0]
            .manifest
            .as_ref()
            .unwrap()
            .layers()
            .map(|d| d.annotations["containerd.io/uncompressed"].clone())
            .collect();
        v.sort();
        v
    };
    let before = diff_ids(&layout);
    convert(&mut layout, Compression::Zstd, Some(CacheForm::ImageIndex));
    assert!(
        layout.verify().findings.is_empty(),
        "{:?}",
        layout.verify().findings
    );
    let j = layout.load().inspect(None);
    assert_eq!(j.to_json()["tags"][0]["compression"]["zstd"], before.len());
    assert_eq!(j.to_json()["tags"][0]["form"], "image-index");
    assert_eq!(diff_ids(&layout), before);
    convert(
        &mut layout,
        Compression::Gzip,
        Some(CacheForm::ImageManifest),
    );
    assert!(layout.verify().findings.is_empty());
    assert_eq!(diff_ids(&layout), before);
}

mod gc_property {
    use super::*;
    use ocicache::{Descriptor, GcOptions, ImageManifest, MediaType};
    use proptest::prelude::*;

    /// The media type a document's descriptor claims: its own, or (odd) the
    /// other document kind's, or one nothing knows — gc must follow each by
    /// what the document is.
    fn claimed(own: &str, odd: u8) -> String {
        match odd % 4 {
            0 | 1 => own.to_owned(),
            2 if own == MediaType::OCI_INDEX => MediaType::OCI_MANIFEST.to_owned(),
            2 => MediaType::OCI_INDEX.to_owned(),
            _ => "application/x-odd".to_owned(),
        }
    }

    /// A layout of `leaves` layer blobs, manifests each naming some of them
    /// (and maybe one earlier manifest through an index), and tagged entries;
    /// the documents' descriptors claim the media types `odd` picks.
    fn layout(
        leaves: usize,
        manifests: &[Vec<usize>],
        tags: &[usize],
        odd: &[u8],
    ) -> (Layout, Vec<Vec<Digest>>) {
        let mut l = Layout(BTreeMap::new());
        let blobs: Vec<Descriptor> = (0..leaves)
            .map(|i| {
                let bytes = format!("layer {i}").into_bytes();
                l.put(bytes.clone());
                Descriptor::for_content(MediaType::OCI_LAYER_GZIP, &bytes)
            })
            .collect();
        let mut docs: Vec<(Descriptor, Vec<Digest>)> = Vec::new();
        for (n, picks) in manifests.iter().enumerate() {
            let config = format!("config {n}").into_bytes();
            l.put(config.clone());
            let cd = Descriptor::for_content("application/vnd.test.config", &config);
            let layers: Vec<Descriptor> =
                picks.iter().map(|&p| blobs[p % leaves].clone()).collect();
            let mut reach: Vec<Digest> = layers.iter().map(|d| d.digest.clone()).collect();
            reach.push(cd.digest.clone());
            let bytes = ImageManifest::new(MediaType::OCI_MANIFEST, cd, layers).to_bytes();
            let mut d = Descriptor::for_content(MediaType::OCI_MANIFEST, &bytes);
            d.media_type = claimed(MediaType::OCI_MANIFEST, odd[2 * n % odd.len()]);
            l.put(bytes);
            reach.push(d.digest.clone());
            // Every other manifest is wrapped in an index with the previous one.
            if n % 2 == 1 {
                let (prev, prev_reach) = docs[n - 1].clone();
                let index = ImageIndex::new(MediaType::OCI_INDEX, vec![prev, d]).to_bytes();
                let mut id = Descriptor::for_content(MediaType::OCI_INDEX, &index);
                id.media_type = claimed(MediaType::OCI_INDEX, odd[(2 * n + 1) % odd.len()]);
                l.put(index);
                reach.extend(prev_reach);
                reach.push(id.digest.clone());
                docs.push((id, reach));
            } else {
                docs.push((d, reach));
            }
        }
        let mut index = ImageIndex::new(MediaType::OCI_INDEX, vec![]);
        let mut reach_by_tag = Vec::new();
        for (t, &m) in tags.iter().enumerate() {
            let (d, reach) = &docs[m % docs.len()];
            index.put_tag(&format!("t{t}"), d).unwrap();
            reach_by_tag.push(reach.clone());
        }
        l.0.insert("index.json".into(), index.to_bytes());
        (l, reach_by_tag)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn gc_never_deletes_a_blob_a_kept_tag_reaches(
            leaves in 1usize..12,
            manifests in prop::collection::vec(prop::collection::vec(0usize..12, 0..5), 1..6),
            tags in prop::collection::vec(0usize..6, 1..5),
            keep in prop::collection::vec(any::<bool>(), 5),
            odd in prop::collection::vec(any::<u8>(), 12),
        ) {
            let (l, reach) = layout(leaves, &manifests, &tags, &odd);
            let kept: Vec<String> = (0..tags.len()).filter(|t| keep[*t]).map(|t| format!("t{t}")).collect();
            let mut options = GcOptions::new(i64::MAX);
            options.keep_tags = Some(kept.clone());
            let plan = l.load().gc_plan(&l.stored(), &options).unwrap();
            for (t, r) in reach.iter().enumerate() {
                if keep[t] {
                    for d in r {
                        prop_assert!(!plan.delete.iter().any(|b| b.path == OciLayout::blob_path(d)), "{d} deleted");
                    }
                }
            }
            // Everything not reached by a kept tag goes.
            let all_kept: std::collections::BTreeSet<String> =
                reach.iter().enumerate().filter(|(t, _)| keep[*t]).flat_map(|(_, r)| r.iter().map(OciLayout::blob_path)).collect();
            prop_assert_eq!(plan.delete.len() + all_kept.len(), l.stored().len());
        }
    }
}

#[test]
fn a_layer_that_does_not_decompress_still_gets_its_blob_digest() {
    let (blob, _) = ocicache::compress(&[7u8; 4096], Compression::Gzip, None).unwrap();
    let cut = &blob[..blob.len() - 6];
    let digest = ocicache::digest(cut, ocicache::Algorithm::Sha256);
    let check = ocicache::BlobCheck {
        digest: digest.clone(),
        path: String::new(),
        size: 0,
        layer: true,
    };
    let mut v = ocicache::BlobVerifier::new(&check);
    for chunk in cut.chunks(100) {
        v.update(chunk);
    }
    let got = v.finalize();
    assert_eq!((got.digest, got.size), (digest, cut.len() as u64));
    assert_eq!(
        got.diff_id.unwrap().unwrap_err().kind().code(),
        "TRUNCATED_DATA"
    );
    // Bytes that are no layer at all: the error comes at once, hashing goes on.
    let junk = b"not a layer, just text that is long enough to decide".repeat(20);
    let check = ocicache::BlobCheck {
        digest: ocicache::digest(&junk, ocicache::Algorithm::Sha256),
        ..check
    };
    let mut v = ocicache::BlobVerifier::new(&check);
    v.update(&junk);
    let got = v.finalize();
    assert_eq!(got.digest, check.digest);
    assert_eq!(
        got.diff_id.unwrap().unwrap_err().kind().code(),
        "UNKNOWN_COMPRESSION"
    );
}

#[test]
fn every_copy_plan_lists_what_buildkit_marked_reachable_children_first() {
    for name in LAYOUTS {
        let layout = Layout::read(name);
        let cache = layout.load();
        let plan = cache.copy_plan("latest").unwrap();
        let case = common::load(&format!("fixtures/buildkit/{name}/case.json"));
        let mut want: Vec<String> = case["blobs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["reachable_from_index_json"] == true)
            .map(|b| b["digest"].as_str().unwrap().to_owned())
            .collect();
        want.sort();
        let mut got: Vec<String> = plan.blobs.iter().map(|d| d.digest.to_string()).collect();
        let order = got.clone();
        got.sort();
        assert_eq!(got, want, "{name}");
        assert_eq!(
            order.last(),
            Some(&plan.descriptor.digest.to_string()),
            "{name}: the entry's document is last"
        );
        assert_eq!(
            plan.total_bytes(),
            plan.blobs
                .iter()
                .map(|d| layout.0[&OciLayout::blob_path(&d.digest)].len() as u64)
                .sum::<u64>(),
            "{name}: sizes are the blobs' own"
        );
    }
}

#[test]
fn verify_reports_each_layers_uncompressed_size() {
    for name in LAYOUTS {
        let layout = Layout::read(name);
        let report = layout.verify().to_json();
        let mut layers = 0;
        for c in report["checked"].as_array().unwrap() {
            if c["role"] != "layer" {
                assert!(c.get("uncompressedSize").is_none(), "{name}: {c}");
                continue;
            }
            layers += 1;
            let digest = Digest::parse(c["blob"].as_str().unwrap()).unwrap();
            let blob = &layout.0[&OciLayout::blob_path(&digest)];
            let content = ocicache::decompress(blob, None, Limits::default()).unwrap();
            assert_eq!(c["uncompressedSize"], content.len() as u64, "{name}: {c}");
        }
        assert!(layers > 0, "{name}");
    }
}
