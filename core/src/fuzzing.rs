//! The bodies of the fuzz targets (`fuzz/fuzz_targets/*.rs`, run with
//! cargo-fuzz on nightly by `scripts/fuzz.sh`), kept here so that
//! `core/tests/fuzz_regressions.rs` replays every committed input on stable.
//! Not part of the API.
//!
//! Each target feeds untrusted bytes to one parser or decoder and checks what
//! must hold whatever the input: no panic, bounded work (decoders run under
//! small [`Limits`]), and where a value parses, that writing it out parses
//! back to the same value.

use crate::compression::{
    Compression, Decoder, Encoder, Limits, decompress, detect_compression, estargz_toc_offset,
};
use crate::layer::LayerDigester;
use crate::{
    CacheConfig, CacheForm, CacheLoader, CacheManifest, Challenge, Descriptor, Dialect, Digest,
    Direction, GcOptions, ImageIndex, ImageManifest, MediaType, OciLayout, ParseOptions, Reference,
    docker_config_credentials, inline_cache, parse_cache_entries_bytes, parse_cache_options_bytes,
    token_from_response,
};

/// The names of the targets, in the order `scripts/fuzz.sh` runs them.
pub const TARGETS: [&str; 14] = [
    "digest",
    "options",
    "reference",
    "cache_config",
    "manifest",
    "index",
    "layout",
    "inline",
    "gzip",
    "zstd",
    "compression",
    "gzip_encoder",
    "www_authenticate",
    "docker_config",
];

/// Runs the target `name` on `data`; `false` for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "digest" => digest(data),
        "options" => options(data),
        "reference" => reference(data),
        "cache_config" => cache_config(data),
        "manifest" => manifest(data),
        "index" => index(data),
        "layout" => layout(data),
        "inline" => inline(data),
        "gzip" => decode(Compression::Gzip, data),
        "zstd" => decode(Compression::Zstd, data),
        "compression" => compression(data),
        "gzip_encoder" => gzip_encoder(data),
        "www_authenticate" => www_authenticate(data),
        "docker_config" => docker_config(data),
        _ => return false,
    }
    true
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Digest strings: what parses prints back as itself.
pub fn digest(data: &[u8]) {
    let s = text(data);
    if let Ok(d) = Digest::parse(&s) {
        assert_eq!(d.to_string(), s);
        let _ = OciLayout::blob_path(&d);
    }
}

/// Option strings, both parsers, both dialects, both directions (from the
/// first byte): every entry's string parses back to the same entry.
pub fn options(data: &[u8]) {
    let Some((&flags, input)) = data.split_first() else {
        return;
    };
    let options = ParseOptions {
        dialect: if flags & 1 == 0 {
            Dialect::Buildx
        } else {
            Dialect::Buildctl
        },
        direction: match flags >> 1 & 3 {
            0 => None,
            1 => Some(Direction::Export),
            _ => Some(Direction::Import),
        },
        ..ParseOptions::default()
    };
    let buildx = options.dialect == Dialect::Buildx;
    if let Ok(entries) = parse_cache_options_bytes(input, &options) {
        for e in entries {
            let _ = (e.to_json(), e.settings_json(crate::KeyCase::Camel));
            if buildx {
                let again =
                    crate::parse_cache_options(&e.to_string(), &options).expect("round trip");
                assert_eq!(
                    (again[0].cache_type, &again[0].attrs),
                    (e.cache_type, &e.attrs)
                );
            }
        }
    }
    if let Ok(entries) = parse_cache_entries_bytes(input, &options) {
        for e in entries {
            let _ = e.to_json();
            if buildx {
                let again =
                    crate::parse_cache_entries(&e.to_string(), &options).expect("round trip");
                assert_eq!(
                    (&again[0].cache_type, &again[0].attrs),
                    (&e.cache_type, &e.attrs)
                );
            }
        }
    }
}

/// Image references: what parses prints back to the same reference.
pub fn reference(data: &[u8]) {
    if let Ok(r) = Reference::parse(&text(data)) {
        let again = Reference::parse(&r.to_string()).expect("round trip");
        assert_eq!(again.to_string(), r.to_string());
    }
}

/// Cache configs: validate, write back to the same value, normalise, query.
pub fn cache_config(data: &[u8]) {
    let Ok(c) = CacheConfig::from_bytes(data) else {
        return;
    };
    let _ = c.validate();
    let bytes = c.to_bytes();
    assert_eq!(CacheConfig::from_bytes(&bytes).expect("round trip"), c);
    if let Ok(n) = c.normalized() {
        let _ = n.to_bytes();
    }
    let _ = (c.roots(), c.leaves(), c.blobs(), c.shared_layers());
    for r in 0..c.records.len().min(64) {
        let _ = c.result_chains(r);
    }
}

/// Cache manifests in any wrapper form, and plain image manifests.
pub fn manifest(data: &[u8]) {
    if let Ok(m) = CacheManifest::from_bytes(data) {
        let _ = m.validate();
        assert_eq!(
            CacheManifest::from_bytes(&m.to_bytes()).expect("round trip"),
            m
        );
        for form in [
            CacheForm::ImageManifest,
            CacheForm::ImageIndex,
            CacheForm::DockerManifestList,
        ] {
            let _ = m.convert(form).to_bytes();
        }
    }
    if let Ok(m) = ImageManifest::from_bytes(data) {
        let _ = m.validate();
        let _ = ImageManifest::from_bytes(&m.to_bytes()).expect("round trip");
    }
}

/// Image indexes and index.json updates.
pub fn index(data: &[u8]) {
    if let Ok(i) = ImageIndex::from_bytes(data) {
        let _ = (i.validate(), i.tags(), i.find_tag("latest"));
        let _ = ImageIndex::from_bytes(&i.to_bytes()).expect("round trip");
    }
    let d = Descriptor::for_content(MediaType::OCI_MANIFEST, b"x");
    let _ = ImageIndex::updated_layout_index(Some(data), "latest", &d);
    let _ = ImageIndex::selected_layout_index(Some(data), "latest");
    let digest = crate::digest(data, crate::Algorithm::Sha256);
    let _ = ImageIndex::pinned_layout_index(data, &digest, "latest");
}

/// A layout: `data` as index.json, and as every blob the loader asks for;
/// then every operation's plan over it.
pub fn layout(data: &[u8]) {
    let _ = OciLayout::check_file(data);
    let _ = OciLayout::digest_from_path(&text(data));
    let mut loader = CacheLoader::new(Some(data));
    for _ in 0..64 {
        let Some(d) = loader.next_needed().cloned() else {
            break;
        };
        let _ = loader.feed(&d.digest, data);
    }
    let cache = loader.finish();
    let _ = cache.inspect(Some(&[])).to_json();
    let _ = cache.verification(&[]).report().to_json();
    let _ = cache.gc_plan(&[], &GcOptions::new(0));
    let _ = cache.recheck(&[]);
    for tag in cache.entries.iter().filter_map(|e| e.tag.clone()) {
        let _ = cache.copy_plan(&tag);
    }
}

/// Inline caches: a manifest and an image config, split at the first NUL.
pub fn inline(data: &[u8]) {
    let at = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    if let Ok(m) = ImageManifest::from_bytes(&data[..at]) {
        let _ = inline_cache(&m, data.get(at + 1..).unwrap_or_default());
    }
}

/// A decoder under small limits, fed in two chunks: the first whole, the
/// second with its output limited to 4 KiB a call.
fn decode(compression: Compression, data: &[u8]) {
    let limits = Limits {
        max_output: 16 << 20,
        max_zstd_window: 8 << 20,
    };
    let mut d = Decoder::new(compression, limits);
    let (a, b) = data.split_at(data.len() / 2);
    let mut sink = |_: &[u8]| Ok(());
    if d.update(a, &mut sink).is_err() {
        return;
    }
    let mut input = b;
    loop {
        match d.update_limited(input, Some(4096), &mut sink) {
            Ok(true) => input = &[],
            Ok(false) => break,
            Err(_) => return,
        }
    }
    let _ = d.finish();
}

/// Detection, the estargz footer, and the one-pass layer digester.
pub fn compression(data: &[u8]) {
    let _ = detect_compression(data);
    let _ = estargz_toc_offset(data);
    let mut l = LayerDigester::new(Limits {
        max_output: 16 << 20,
        max_zstd_window: 8 << 20,
    });
    if l.update(data).is_ok() {
        let _ = l.finalize();
    }
}

/// The gzip encoder: the first byte picks the level (-2 to 9), the second
/// where the rest (at most 128 KiB: two of deflate's 64 KiB windows, so the
/// window slides) is split in two `update`s. What it writes must decode to
/// the input, and at the compressing levels (1 to 9) be the same bytes
/// whether the input came whole or split.
pub fn gzip_encoder(data: &[u8]) {
    let [l, s, input @ ..] = data else {
        return;
    };
    let input = &input[..input.len().min(128 << 10)];
    let level = i32::from(l % 12) - 2;
    let at = input.len() * usize::from(*s) / 255;
    let whole = gzip_encode(level, &[input]);
    let split = gzip_encode(level, &[&input[..at], &input[at..]]);
    assert!(
        !(1..=9).contains(&level) && level != -1 || whole == split,
        "level {level}: a split at {at} changed the output"
    );
    for packed in [whole, split] {
        let back = decompress(&packed, Some(Compression::Gzip), Limits::default());
        assert!(
            back.is_ok_and(|b| b == input),
            "level {level}: no round trip"
        );
    }
}

/// `pieces` gzip-compressed at `level` through the streaming encoder, one
/// `update` each (also the core's tests' way to split an input).
pub(crate) fn gzip_encode(level: i32, pieces: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut sink = |c: &[u8]| {
        out.extend_from_slice(c);
        Ok(())
    };
    let mut e = Encoder::new(Compression::Gzip, Some(level)).expect("levels -2 to 9 exist");
    for piece in pieces {
        e.update(piece, &mut sink).expect("encoding cannot fail");
    }
    e.finish(&mut sink).expect("encoding cannot fail");
    out
}

/// `WWW-Authenticate` headers and token responses.
pub fn www_authenticate(data: &[u8]) {
    if let Ok(challenges) = Challenge::parse(&text(data)) {
        for c in challenges {
            let _ = c.token_url(&["repository:a/b:pull".to_owned()]);
        }
    }
    let _ = token_from_response(data);
}

/// Docker config files.
pub fn docker_config(data: &[u8]) {
    for key in ["https://index.docker.io/v1/", "ghcr.io", ""] {
        let _ = docker_config_credentials(data, key);
    }
}
