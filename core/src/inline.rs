//! Inline cache: the records BuildKit embeds in an image config under
//! `moby.buildkit.cache.v0` (cache-format.md §5), decoded into the same
//! model as an exported cache. The image's layers become the config's
//! `layers` (layer i on top of layer i−1), annotated with the diffIDs and the
//! creation times and commands of the non-empty history entries.

use crate::CacheLayer;
use crate::cache_config::CacheConfig;
use crate::cache_manifest::{
    ANNOTATION_CREATED_AT, ANNOTATION_DESCRIPTION, ANNOTATION_UNCOMPRESSED,
};
use crate::descriptor::{BASE64, Descriptor, read_digest};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::json::reader::{Reader, document, is_key};
use crate::manifest::ImageManifest;
use crate::time::Timestamp;

use base64::Engine as _;

/// The image config key holding an inline cache.
pub const INLINE_CACHE_KEY: &str = "moby.buildkit.cache.v0";

/// A cache read from an image: its config (records over the image's layers)
/// and the layer descriptors, annotated as BuildKit's importer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineCache {
    /// The records, with `layers` synthesised from the image's layers.
    pub config: CacheConfig,
    /// The image's layer descriptors with `containerd.io/uncompressed`,
    /// `buildkit/createdat` and `buildkit/description` added.
    pub layers: Vec<Descriptor>,
}

#[derive(Default)]
struct History {
    created: Option<String>,
    created_by: String,
    empty_layer: bool,
}

/// What the inline cache needs of an image config.
#[derive(Default)]
struct ImageConfig {
    diff_ids: Vec<Digest>,
    history: Vec<History>,
    cache: Option<String>,
}

/// The diffIDs, history and inline cache value of an image config.
fn read_image_config(bytes: &[u8]) -> Result<ImageConfig> {
    document(bytes, |r| {
        r.object_into(|r, key, c: &mut ImageConfig| {
            if key == INLINE_CACHE_KEY {
                let value = r.string().map_err(|e| e.within(INLINE_CACHE_KEY))?;
                c.cache = Some(value.into_owned());
            } else if is_key(key, "rootfs") {
                c.diff_ids = r
                    .object_into(|r, key, ids: &mut Vec<Digest>| {
                        if is_key(key, "diff_ids") {
                            *ids = r.list(read_digest).map_err(|e| e.within("diff_ids"))?;
                        } else {
                            r.skip()?;
                        }
                        Ok(())
                    })
                    .map_err(|e| e.within("rootfs"))?;
            } else if is_key(key, "history") {
                c.history = r.list(history).map_err(|e| e.within("history"))?;
            } else {
                r.skip()?;
            }
            Ok(())
        })
    })
}

fn history(r: &mut Reader<'_>) -> Result<History> {
    r.object_into(|r, key, h: &mut History| {
        if is_key(key, "created") {
            h.created = Some(r.string()?.into_owned());
        } else if is_key(key, "created_by") {
            h.created_by = r.string()?.into_owned();
        } else if is_key(key, "empty_layer") && matches!(r.peek(), Some(b't' | b'f')) {
            h.empty_layer = r.skip()? == b"true";
        } else {
            r.skip()?;
        }
        Ok(())
    })
}

/// Reads the inline cache of an image from its manifest and config bytes:
/// `Ok(None)` when the config has no `moby.buildkit.cache.v0`;
/// [`ErrorKind::LayerCountMismatch`] when `rootfs.diff_ids` and the layers
/// differ in number (BuildKit skips such an image);
/// [`ErrorKind::InvalidBase64`] or a config error for a bad value.
pub fn inline_cache(manifest: &ImageManifest, image_config: &[u8]) -> Result<Option<InlineCache>> {
    let ImageConfig {
        diff_ids,
        history,
        cache,
    } = read_image_config(image_config)?;
    let Some(cache) = cache else {
        return Ok(None);
    };
    if diff_ids.len() != manifest.layers.len() {
        return Err(Error::new(
            ErrorKind::LayerCountMismatch,
            format!(
                "image config lists {} diff_ids for {} layers",
                diff_ids.len(),
                manifest.layers.len()
            ),
        )
        .in_field("rootfs.diff_ids"));
    }
    let records = BASE64.decode(cache.as_bytes()).map_err(|e| {
        Error::new(
            ErrorKind::InvalidBase64,
            format!("{INLINE_CACHE_KEY} is not base64: {e}"),
        )
        .in_field(INLINE_CACHE_KEY)
    })?;
    let mut config =
        CacheConfig::from_records_bytes(&records).map_err(|e| e.within(INLINE_CACHE_KEY))?;
    let made: Vec<&History> = history.iter().filter(|h| !h.empty_layer).collect();
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (i, (layer, diff_id)) in manifest.layers.iter().zip(&diff_ids).enumerate() {
        let parent = i64::try_from(i).unwrap_or(i64::MAX) - 1;
        config
            .layers
            .push(CacheLayer::new(layer.digest.clone(), parent));
        let mut d = layer.clone();
        d.annotations
            .insert(ANNOTATION_UNCOMPRESSED.to_owned(), diff_id.to_string());
        if let Some(h) = made.get(i) {
            if let Some(t) = h.created.as_deref().and_then(|t| Timestamp::parse(t).ok()) {
                d.annotations
                    .insert(ANNOTATION_CREATED_AT.to_owned(), t.to_string());
            }
            if !h.created_by.is_empty() {
                d.annotations
                    .insert(ANNOTATION_DESCRIPTION.to_owned(), h.created_by.clone());
            }
        }
        layers.push(d);
    }
    Ok(Some(InlineCache { config, layers }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaType;

    fn image(n: usize) -> ImageManifest {
        let config = Descriptor::for_content(MediaType::OCI_IMAGE_CONFIG, b"{}");
        let layers = (0..n)
            .map(|i| Descriptor::for_content(MediaType::OCI_LAYER_GZIP, format!("l{i}").as_bytes()))
            .collect();
        ImageManifest::new(MediaType::OCI_MANIFEST, config, layers)
    }

    fn diff(i: usize) -> String {
        crate::digest(format!("u{i}").as_bytes(), crate::Algorithm::Sha256).to_string()
    }

    #[test]
    fn decodes_records_over_image_layers() {
        let records = br#"[{"layers":[{"layer":1,"createdAt":"2024-01-01T00:00:00Z"}],"digest":"sha256:aa"},{"chains":[{"layers":[0,1],"createdAt":"2024-01-01T00:00:00Z"}],"digest":"sha256:bb","inputs":[[{"link":0}]]}]"#;
        let config = format!(
            r#"{{"architecture":"amd64","rootfs":{{"type":"layers","diff_ids":["{}","{}"]}},"history":[{{"created":"2024-01-01T00:00:00Z","created_by":"ADD a"}},{{"created_by":"ENV x","empty_layer":true}},{{"created":"2024-01-02T00:00:00.5+01:00","created_by":"RUN b"}}],"{INLINE_CACHE_KEY}":"{}"}}"#,
            diff(0),
            diff(1),
            BASE64.encode(records)
        );
        let m = image(2);
        let c = inline_cache(&m, config.as_bytes()).unwrap().unwrap();
        assert_eq!(c.config.records.len(), 2);
        assert_eq!(c.config.layers[0].parent, -1);
        assert_eq!(c.config.layers[1].parent, 0);
        assert_eq!(c.config.layer_chain(1).unwrap(), [0, 1]);
        assert_eq!(c.config.records_to_bytes(), records);
        assert_eq!(c.layers[1].annotations[ANNOTATION_UNCOMPRESSED], diff(1));
        assert_eq!(
            c.layers[1].annotations[ANNOTATION_CREATED_AT],
            "2024-01-02T00:00:00.5+01:00"
        );
        assert_eq!(c.layers[1].annotations[ANNOTATION_DESCRIPTION], "RUN b");
        assert!(c.config.validate().is_empty());
    }

    #[test]
    fn absent_mismatched_and_bad() {
        assert_eq!(
            inline_cache(&image(1), br#"{"rootfs":{"diff_ids":[]}}"#).unwrap(),
            None
        );
        let two = format!(
            r#"{{"rootfs":{{"diff_ids":["{}"]}},"{INLINE_CACHE_KEY}":"W10="}}"#,
            diff(0)
        );
        assert_eq!(
            inline_cache(&image(2), two.as_bytes()).unwrap_err().kind(),
            ErrorKind::LayerCountMismatch
        );
        let bad = format!(
            r#"{{"rootfs":{{"diff_ids":["{}"]}},"{INLINE_CACHE_KEY}":"W10"}}"#,
            diff(0)
        );
        assert_eq!(
            inline_cache(&image(1), bad.as_bytes()).unwrap_err().kind(),
            ErrorKind::InvalidBase64
        );
        let not_json = format!(
            r#"{{"rootfs":{{"diff_ids":["{}"]}},"{INLINE_CACHE_KEY}":"e30="}}"#,
            diff(0)
        );
        let e = inline_cache(&image(1), not_json.as_bytes()).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::InvalidJson, Some(INLINE_CACHE_KEY))
        );
    }
}
