//! Property: for generated cache configs and manifests,
//! `from_bytes(to_bytes(x)) == x` and `to_bytes` is stable; normalising
//! twice changes nothing more than normalising once.
use ocicache::{
    Algorithm, CacheConfig, CacheForm, CacheInput, CacheLayer, CacheManifest, CacheRecord,
    CacheResult, ChainedResult, Descriptor, LayerAnnotations, MediaType, Timestamp, digest,
};
use proptest::prelude::*;

/// Text with everything Go escapes: quotes, controls, `<>&`, U+2028, unicode.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "[a-z0-9 \"\\\\/<>&\u{1}\u{8}\u{c}\n\r\té€\u{2028}\u{2029}\u{1F600}]{0,10}",
    )
    .unwrap()
}

fn blob() -> impl Strategy<Value = ocicache::Digest> {
    any::<u16>().prop_map(|n| digest(&n.to_le_bytes(), Algorithm::Sha256))
}

fn time() -> impl Strategy<Value = Timestamp> {
    (
        0u16..=9999,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        0u8..60,
        0u32..1_000_000_000,
        -1439i16..=1439,
    )
        .prop_map(|(y, mo, d, h, mi, s, ns, off)| {
            let sign = if off < 0 { '-' } else { '+' };
            let a = off.unsigned_abs();
            let text = format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ns:09}{sign}{:02}:{:02}",
                a / 60,
                a % 60
            );
            Timestamp::parse(&text).unwrap()
        })
}

fn index() -> impl Strategy<Value = i64> {
    prop_oneof![-2i64..8, Just(i64::MIN), Just(i64::MAX)]
}

fn layer() -> impl Strategy<Value = CacheLayer> {
    (
        prop::option::of(blob()),
        index(),
        prop::option::of((text(), prop::option::of(blob()), any::<u32>(), time())),
    )
        .prop_map(|(blob, parent, ann)| CacheLayer {
            blob,
            parent,
            annotations: ann.map(|(media_type, diff_id, size, created_at)| LayerAnnotations {
                media_type,
                diff_id,
                size: u64::from(size),
                created_at,
                ..LayerAnnotations::default()
            }),
            extra: ocicache::Extra::default(),
        })
}

fn record() -> impl Strategy<Value = CacheRecord> {
    (
        prop::collection::vec((index(), time()), 0..3),
        prop::collection::vec((prop::collection::vec(index(), 0..3), time()), 0..2),
        text(),
        prop::collection::vec(prop::collection::vec((text(), index()), 0..3), 0..3),
    )
        .prop_map(|(results, chains, digest, inputs)| CacheRecord {
            results: results
                .into_iter()
                .map(|(layer, created_at)| CacheResult {
                    layer,
                    created_at,
                    ..CacheResult::default()
                })
                .collect(),
            chains: chains
                .into_iter()
                .map(|(layers, created_at)| ChainedResult {
                    layers,
                    created_at,
                    ..ChainedResult::default()
                })
                .collect(),
            digest,
            inputs: inputs
                .into_iter()
                .map(|slot| {
                    slot.into_iter()
                        .map(|(selector, link)| CacheInput {
                            selector,
                            link,
                            ..CacheInput::default()
                        })
                        .collect()
                })
                .collect(),
            ..CacheRecord::default()
        })
}

fn config() -> impl Strategy<Value = CacheConfig> {
    (
        prop::collection::vec(layer(), 0..6),
        prop::collection::vec(record(), 0..6),
    )
        .prop_map(|(layers, records)| CacheConfig {
            layers,
            records,
            ..CacheConfig::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn cache_config_round_trips(config in config()) {
        let bytes = config.to_bytes();
        let read = CacheConfig::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&read, &config);
        prop_assert_eq!(read.to_bytes(), bytes);
        // Validation and queries never panic, whatever the indexes.
        let _ = config.validate();
        for i in 0..config.records.len() {
            let _ = config.result_chains(i);
        }
        // Normalising twice changes nothing when the blob order is total.
        // (sortConfig breaks ties between equal blobs by the old parent
        // index, which the sort itself renumbers, so configs with a blob on
        // two parents may flip on every pass, in BuildKit as here.)
        let blobs: std::collections::BTreeSet<_> = config.layers.iter().filter_map(|l| l.blob.as_ref()).collect();
        if blobs.len() == config.layers.len()
            && let Ok(n) = config.normalized()
        {
            prop_assert_eq!(n.normalized().unwrap().to_bytes(), n.to_bytes());
        }
    }

    #[test]
    fn cache_manifest_round_trips(layers in prop::collection::vec((blob(), any::<u32>(), text(), time()), 0..5), form in 0usize..4) {
        let form = [CacheForm::ImageManifest, CacheForm::ImageIndex, CacheForm::DockerManifestList, CacheForm::DockerManifest][form];
        let layers = layers.into_iter().map(|(d, size, note, t)| {
            Descriptor::new(MediaType::OCI_LAYER_ZSTD, d.clone(), u64::from(size))
                .with_annotation("containerd.io/uncompressed", d.to_string())
                .with_annotation("buildkit/createdat", t.to_string())
                .with_annotation("x-note", note)
        }).collect();
        let m = CacheManifest::build(form, Descriptor::for_content(MediaType::CACHE_CONFIG, b"{}"), layers);
        let bytes = m.to_bytes();
        let read = CacheManifest::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&read, &m);
        prop_assert_eq!(read.to_bytes(), bytes);
        prop_assert!(read.validate().iter().all(|f| f.code() == "MISSING_FIELD" && f.path == "layers"), "{:?}", read.validate());
    }
}
