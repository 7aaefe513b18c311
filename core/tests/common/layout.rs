//! A BuildKit local export held in memory, with the host side of the
//! operations (load, list, verify, write) done the way the drivers do them.

use std::collections::BTreeMap;

use ocicache::{Cache, CacheLoader, Digest, ImageIndex, OciLayout, StoredBlob};

/// A layout in memory: relative path → bytes.
#[derive(Clone)]
pub struct Layout(pub BTreeMap<String, Vec<u8>>);

impl Layout {
    pub fn read(name: &str) -> Layout {
        let root = super::tests_dir()
            .join("fixtures/buildkit")
            .join(name)
            .join("cache");
        let mut files = BTreeMap::new();
        for sub in ["index.json", "oci-layout"] {
            files.insert(sub.to_owned(), std::fs::read(root.join(sub)).unwrap());
        }
        for e in std::fs::read_dir(root.join("blobs/sha256")).unwrap() {
            let e = e.unwrap();
            files.insert(
                format!("blobs/sha256/{}", e.file_name().to_str().unwrap()),
                std::fs::read(e.path()).unwrap(),
            );
        }
        Layout(files)
    }

    pub fn load(&self) -> Cache {
        let mut loader = CacheLoader::new(self.0.get("index.json").map(Vec::as_slice));
        while let Some(d) = loader.next_needed().cloned() {
            match self.0.get(&OciLayout::blob_path(&d.digest)) {
                Some(b) => loader.feed(&d.digest, b).unwrap(),
                None => loader.missing(&d.digest).unwrap(),
            }
        }
        loader.finish()
    }

    pub fn stored(&self) -> Vec<StoredBlob> {
        self.0
            .iter()
            .filter(|(p, _)| p.starts_with("blobs/"))
            .map(|(p, b)| StoredBlob {
                path: p.clone(),
                size: b.len() as u64,
                modified_ms: Some(0),
                file_type: None,
            })
            .collect()
    }

    pub fn verify(&self) -> ocicache::VerifyReport {
        let cache = self.load();
        let mut v = cache.verification(&self.stored());
        for check in v.checks().to_vec() {
            let mut b = ocicache::BlobVerifier::new(&check);
            for chunk in self.0[&check.path].chunks(4096) {
                b.update(chunk);
            }
            v.record(&check.digest, &b.finalize()).unwrap();
        }
        v.report()
    }

    pub fn codes(&self) -> Vec<&'static str> {
        let r = self.verify();
        r.findings
            .iter()
            .filter(|f| f.severity == ocicache::Severity::Error)
            .map(ocicache::Finding::code)
            .collect()
    }

    pub fn put(&mut self, bytes: Vec<u8>) -> Digest {
        let d = ocicache::digest(&bytes, ocicache::Algorithm::Sha256);
        self.0.insert(OciLayout::blob_path(&d), bytes);
        d
    }

    pub fn write(&mut self, w: &ocicache::CacheWrite, tag: &str) {
        self.put(w.config_bytes.clone());
        self.put(w.manifest_bytes.clone());
        let index = ImageIndex::updated_layout_index(
            self.0.get("index.json").map(Vec::as_slice),
            tag,
            &w.descriptor,
        );
        self.0.insert("index.json".into(), index.unwrap());
    }
}
