//! Reads stay bounded and typed: what the loader asks a driver to read at
//! most, documents whose descriptor is over the limit or whose blob is
//! longer, and paths that are not regular files (`NOT_A_FILE`), in verify
//! and gc.
mod common;

use std::collections::BTreeMap;

use common::layout::Layout;

use ocicache::{
    Cache, CacheLoader, DEFAULT_MAX_DOCUMENT_SIZE, Descriptor, ErrorKind, GcOptions, OciLayout,
    Severity, StoredBlob,
};

/// The bundled `small-max` export: path → bytes.
fn layout() -> BTreeMap<String, Vec<u8>> {
    Layout::read("small-max").0
}

/// Loads `files`, reading each document only up to the loader's limit, as
/// a driver must; `read` may stand in for the driver.
fn load(
    files: &BTreeMap<String, Vec<u8>>,
    mut read: impl FnMut(&mut CacheLoader, &Descriptor, &[u8]),
) -> Cache {
    let mut loader = CacheLoader::new(files.get("index.json").map(Vec::as_slice));
    while let Some(d) = loader.next_needed().cloned() {
        let limit = usize::try_from(loader.read_limit()).unwrap();
        assert_eq!(limit as u64, d.size + 1, "{}", d.digest);
        let bytes = &files[&OciLayout::blob_path(&d.digest)];
        read(&mut loader, &d, &bytes[..bytes.len().min(limit)]);
    }
    loader.finish()
}

fn stored(files: &BTreeMap<String, Vec<u8>>) -> Vec<StoredBlob> {
    Layout(files.clone()).stored()
}

fn feed(loader: &mut CacheLoader, d: &Descriptor, bytes: &[u8]) {
    loader.feed(&d.digest, bytes).unwrap();
}

fn gc_options() -> GcOptions {
    GcOptions {
        keep_tags: None,
        drop_tags: Vec::new(),
        grace_period_ms: 0,
        now_ms: 1,
    }
}

#[test]
fn a_document_longer_than_its_descriptor_is_read_one_byte_past_it() {
    let mut files = layout();
    let manifest = ocicache::ImageIndex::from_bytes(&files["index.json"])
        .unwrap()
        .manifests[0]
        .clone();
    // A gigantic tail is never read: the loader stops one byte past.
    files
        .get_mut(&OciLayout::blob_path(&manifest.digest))
        .unwrap()
        .extend(std::iter::repeat_n(b' ', 1 << 20));
    let cache = load(&files, feed);
    let f = &cache.findings[0];
    assert_eq!(
        (f.kind, f.severity),
        (ErrorKind::SizeMismatch, Severity::Error)
    );
    assert!(!cache.is_complete());
    let err = cache.gc_plan(&stored(&files), &gc_options()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IncompleteCache);
}

#[test]
fn a_descriptor_over_the_document_limit_is_not_read() {
    let mut files = layout();
    let mut index: serde_json::Value = serde_json::from_slice(&files["index.json"]).unwrap();
    index["manifests"][0]["size"] = serde_json::json!(DEFAULT_MAX_DOCUMENT_SIZE + 1);
    files.insert("index.json".into(), serde_json::to_vec(&index).unwrap());
    let mut loader = CacheLoader::new(Some(&files["index.json"]));
    let d = loader.next_needed().cloned().unwrap();
    assert_eq!(loader.read_limit(), 0);
    loader.feed(&d.digest, &[]).unwrap();
    let cache = loader.finish();
    assert_eq!(cache.findings[0].kind, ErrorKind::SizeLimitExceeded);
    assert!(!cache.is_complete());
}

#[test]
fn a_document_that_is_not_a_file_is_a_finding_and_gc_refuses() {
    let files = layout();
    let cache = load(&files, |loader, d, bytes| {
        if d.media_type == ocicache::MediaType::CACHE_CONFIG {
            loader
                .failed(&d.digest, ErrorKind::NotAFile, "a directory")
                .unwrap();
        } else {
            loader.feed(&d.digest, bytes).unwrap();
        }
    });
    let codes: Vec<_> = cache.findings.iter().map(ocicache::Finding::code).collect();
    assert_eq!(codes, ["NOT_A_FILE"]);
    let err = cache.gc_plan(&stored(&files), &gc_options()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IncompleteCache);
    // A blob that was not asked for is the caller's mistake.
    let mut loader = CacheLoader::new(Some(&files["index.json"]));
    let other = ocicache::digest(b"x", ocicache::Algorithm::Sha256);
    assert!(loader.failed(&other, ErrorKind::NotAFile, "x").is_err());
}

#[test]
fn a_path_that_is_not_a_file_is_never_checked_nor_deleted() {
    let mut files = layout();
    let cache = load(&files, feed);
    let junk = ocicache::digest(b"junk", ocicache::Algorithm::Sha256);
    files.insert(OciLayout::blob_path(&junk), Vec::new());
    let mut listing = stored(&files);
    let layer = cache.entries[0]
        .manifest
        .as_ref()
        .unwrap()
        .layers()
        .next()
        .unwrap()
        .digest
        .clone();
    for s in &mut listing {
        if s.path == OciLayout::blob_path(&layer) {
            s.file_type = Some("fifo".into());
        }
        if s.path == OciLayout::blob_path(&junk) {
            s.file_type = Some("directory".into());
        }
    }
    let v = cache.verification(&listing);
    assert!(
        v.checks()
            .iter()
            .all(|c| c.digest != layer && c.digest != junk)
    );
    let report = v.report();
    let found: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.code(), f.severity, f.path.clone()))
        .collect();
    assert!(
        found.contains(&("NOT_A_FILE", Severity::Error, layer.to_string())),
        "{found:?}"
    );
    assert!(
        found.contains(&("NOT_A_FILE", Severity::Warning, junk.to_string())),
        "{found:?}"
    );
    assert!(!report.ok());
    let plan = cache.gc_plan(&listing, &gc_options()).unwrap();
    assert!(plan.delete.is_empty());
    assert_eq!(plan.ignored.len(), 2);
    assert!(
        plan.to_text(false)
            .contains("left alone (a directory, not a file)")
    );
}

#[test]
fn listings_say_what_is_not_a_file() {
    let json = br#"[{"path":"blobs/sha256/a","size":0,"type":"fifo"},
        {"path":"blobs/sha256/b","size":1,"type":"file"},{"path":"blobs/sha256/c","size":1}]"#;
    let list = StoredBlob::list_from_json(json).unwrap();
    let types: Vec<_> = list.iter().map(|b| b.file_type.as_deref()).collect();
    assert_eq!(types, [Some("fifo"), None, None]);
    let bad = StoredBlob::list_from_json(br#"[{"path":"p","size":0,"type":3}]"#).unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        ErrorKind::from_code("NOT_A_FILE").unwrap(),
        ErrorKind::NotAFile
    );
    let e = ErrorKind::from_code("nope").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn listings_take_modified_in_whole_or_fractional_milliseconds() {
    // Node's Stats.mtimeMs has a fraction; a driver may pass it as it is.
    let json = br#"[{"path":"blobs/sha256/a","size":0,"modified":1700000000123.75},
        {"path":"blobs/sha256/b","size":0,"modified":1700000000123},
        {"path":"blobs/sha256/c","size":0,"modified":-0.5},{"path":"blobs/sha256/d","size":0}]"#;
    let list = StoredBlob::list_from_json(json).unwrap();
    let modified: Vec<_> = list.iter().map(|b| b.modified_ms).collect();
    assert_eq!(
        modified,
        [
            Some(1_700_000_000_123),
            Some(1_700_000_000_123),
            Some(-1),
            None
        ]
    );
    for bad in [r#""1""#, "1e300", "true", "[]"] {
        let json = format!(r#"[{{"path":"p","size":0,"modified":{bad}}}]"#);
        let e = StoredBlob::list_from_json(json.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad}");
        assert!(e.to_string().contains("modified must be a number"), "{e}");
    }
}
