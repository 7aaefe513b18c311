//! Reading a cache config the way Go's `json.Unmarshal` fills BuildKit's
//! structs (cache-format.md §2.1, §2.2): unknown keys kept, `null` as the
//! zero value, keys matched ignoring ASCII case, the last duplicate winning.

use super::{
    CacheConfig, CacheInput, CacheLayer, CacheRecord, CacheResult, ChainedResult, LayerAnnotations,
};
use crate::descriptor::read_digest;
use crate::error::{Error, Result};
use crate::json::reader::{Reader, is_key};
use crate::time::Timestamp;

/// Reads an object (or `null`) into a fresh `T`, calling `member` for each
/// member that is not `null`.
fn object<T: Default>(
    r: &mut Reader<'_>,
    mut member: impl FnMut(&mut Reader<'_>, &str, &mut T) -> Result<()>,
) -> Result<T> {
    let mut value = T::default();
    if !r.null()? {
        r.object(|r, key| {
            if r.null()? {
                return Ok(());
            }
            member(r, &key, &mut value)
        })?;
    }
    Ok(value)
}

/// Reads an array (or `null`), each element by `element`, errors located at
/// the element's index.
fn list<T>(
    r: &mut Reader<'_>,
    mut element: impl FnMut(&mut Reader<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    if !r.null()? {
        r.array(|r, i| {
            out.push(element(r).map_err(|e| e.within(&format!("[{i}]")))?);
            Ok(())
        })?;
    }
    Ok(out)
}

pub(super) fn config(r: &mut Reader<'_>) -> Result<CacheConfig> {
    object(r, |r, key, c: &mut CacheConfig| {
        if is_key(key, "layers") {
            c.layers = list(r, layer).map_err(|e| e.within("layers"))?;
        } else if is_key(key, "records") {
            c.records = records(r).map_err(|e| e.within("records"))?;
        } else {
            c.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn layer(r: &mut Reader<'_>) -> Result<CacheLayer> {
    object(r, |r, key, l: &mut CacheLayer| {
        if is_key(key, "blob") {
            l.blob = Some(read_digest(r).map_err(|e| e.within("blob"))?);
        } else if is_key(key, "parent") {
            l.parent = r.int().map_err(|e| e.within("parent"))?;
        } else if is_key(key, "annotations") {
            l.annotations = Some(annotations(r).map_err(|e| e.within("annotations"))?);
        } else {
            l.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn annotations(r: &mut Reader<'_>) -> Result<LayerAnnotations> {
    object(r, |r, key, a: &mut LayerAnnotations| {
        if is_key(key, "mediaType") {
            a.media_type = r.string().map_err(|e| e.within("mediaType"))?.into_owned();
        } else if is_key(key, "diffID") {
            a.diff_id = Some(read_digest(r).map_err(|e| e.within("diffID"))?);
        } else if is_key(key, "size") {
            a.size = r.size().map_err(|e| e.within("size"))?;
        } else if is_key(key, "createdAt") {
            a.created_at = time(r).map_err(|e| e.within("createdAt"))?;
        } else {
            a.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

/// The `records` array (also the whole of an inline cache).
pub(super) fn records(r: &mut Reader<'_>) -> Result<Vec<CacheRecord>> {
    list(r, record)
}

fn record(r: &mut Reader<'_>) -> Result<CacheRecord> {
    object(r, |r, key, rec: &mut CacheRecord| {
        if is_key(key, "layers") {
            rec.results = list(r, result).map_err(|e| e.within("layers"))?;
        } else if is_key(key, "chains") {
            rec.chains = list(r, chain).map_err(|e| e.within("chains"))?;
        } else if is_key(key, "digest") {
            rec.digest = r.string().map_err(|e| e.within("digest"))?.into_owned();
        } else if is_key(key, "inputs") {
            rec.inputs = list(r, |r| list(r, input)).map_err(|e| e.within("inputs"))?;
        } else {
            rec.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn result(r: &mut Reader<'_>) -> Result<CacheResult> {
    object(r, |r, key, res: &mut CacheResult| {
        if is_key(key, "layer") {
            res.layer = r.int().map_err(|e| e.within("layer"))?;
        } else if is_key(key, "createdAt") {
            res.created_at = time(r).map_err(|e| e.within("createdAt"))?;
        } else {
            res.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn chain(r: &mut Reader<'_>) -> Result<ChainedResult> {
    object(r, |r, key, c: &mut ChainedResult| {
        if is_key(key, "layers") {
            let index = |r: &mut Reader<'_>| if r.null()? { Ok(0) } else { r.int() };
            c.layers = list(r, index).map_err(|e| e.within("layers"))?;
        } else if is_key(key, "createdAt") {
            c.created_at = time(r).map_err(|e| e.within("createdAt"))?;
        } else {
            c.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn input(r: &mut Reader<'_>) -> Result<CacheInput> {
    object(r, |r, key, input: &mut CacheInput| {
        if is_key(key, "selector") {
            input.selector = r.string().map_err(|e| e.within("selector"))?.into_owned();
        } else if is_key(key, "link") {
            input.link = r.int().map_err(|e| e.within("link"))?;
        } else {
            input.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn time(r: &mut Reader<'_>) -> Result<Timestamp> {
    r.peek();
    let start = r.offset() + 1;
    let s = r.string()?;
    Timestamp::parse(&s).map_err(|e| {
        Error::new(e.kind(), e.message().to_owned()).at_offset(start + e.offset().unwrap_or(0))
    })
}
