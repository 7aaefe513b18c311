//! Reading a cache config the way Go's `json.Unmarshal` fills BuildKit's
//! structs (cache-format.md §2.1, §2.2): unknown keys kept, `null` as the
//! zero value, keys matched ignoring ASCII case, the last duplicate winning.

use super::{
    CacheConfig, CacheInput, CacheLayer, CacheRecord, CacheResult, ChainedResult, LayerAnnotations,
};
use crate::descriptor::read_digest;
use crate::error::Result;
use crate::json::reader::{Reader, is_key};
use crate::time::Timestamp;

pub(super) fn config(r: &mut Reader<'_>) -> Result<CacheConfig> {
    r.object_into(|r, key, c: &mut CacheConfig| {
        if is_key(key, "layers") {
            c.layers = r.list(layer).map_err(|e| e.within("layers"))?;
        } else if is_key(key, "records") {
            c.records = records(r).map_err(|e| e.within("records"))?;
        } else {
            c.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn layer(r: &mut Reader<'_>) -> Result<CacheLayer> {
    r.object_into(|r, key, l: &mut CacheLayer| {
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
    r.object_into(|r, key, a: &mut LayerAnnotations| {
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
    r.list(record)
}

fn record(r: &mut Reader<'_>) -> Result<CacheRecord> {
    r.object_into(|r, key, rec: &mut CacheRecord| {
        if is_key(key, "layers") {
            rec.results = r.list(result).map_err(|e| e.within("layers"))?;
        } else if is_key(key, "chains") {
            rec.chains = r.list(chain).map_err(|e| e.within("chains"))?;
        } else if is_key(key, "digest") {
            rec.digest = r.string().map_err(|e| e.within("digest"))?.into_owned();
        } else if is_key(key, "inputs") {
            rec.inputs = r.list(|r| r.list(input)).map_err(|e| e.within("inputs"))?;
        } else {
            rec.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn result(r: &mut Reader<'_>) -> Result<CacheResult> {
    r.object_into(|r, key, res: &mut CacheResult| {
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
    r.object_into(|r, key, c: &mut ChainedResult| {
        if is_key(key, "layers") {
            let index = |r: &mut Reader<'_>| if r.null()? { Ok(0) } else { r.int() };
            c.layers = r.list(index).map_err(|e| e.within("layers"))?;
        } else if is_key(key, "createdAt") {
            c.created_at = time(r).map_err(|e| e.within("createdAt"))?;
        } else {
            c.extra.push(key, r.skip()?);
        }
        Ok(())
    })
}

fn input(r: &mut Reader<'_>) -> Result<CacheInput> {
    r.object_into(|r, key, input: &mut CacheInput| {
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
    r.parsed(Timestamp::parse)
}
