//! Reading a cache config the way Go's `json.Unmarshal` fills BuildKit's
//! structs (cache-format.md §2.1, §2.2): unknown keys kept, `null` as the
//! zero value, keys matched ignoring ASCII case, the last duplicate winning.

use super::{
    CacheConfig, CacheInput, CacheLayer, CacheRecord, CacheResult, ChainedResult, LayerAnnotations,
};
use crate::descriptor::read_digest;
use crate::error::{Error, Result};
use crate::json::Extra;
use crate::json::reader::{Reader, is_key};
use crate::time::Timestamp;

fn at(i: usize) -> String {
    format!("[{i}]")
}

pub(super) fn config(r: &mut Reader<'_>) -> Result<CacheConfig> {
    let mut config = CacheConfig::default();
    r.object(|r, key| {
        if r.null()? {
            return Ok(());
        }
        if is_key(&key, "layers") {
            config.layers = layers(r).map_err(|e| e.within("layers"))?;
        } else if is_key(&key, "records") {
            config.records = records(r).map_err(|e| e.within("records"))?;
        } else {
            config.extra.push(&key, r.skip()?);
        }
        Ok(())
    })?;
    Ok(config)
}

fn layers(r: &mut Reader<'_>) -> Result<Vec<CacheLayer>> {
    let mut out = Vec::new();
    r.array(|r, i| {
        out.push(layer(r).map_err(|e| e.within(&at(i)))?);
        Ok(())
    })?;
    Ok(out)
}

fn layer(r: &mut Reader<'_>) -> Result<CacheLayer> {
    let mut l = CacheLayer {
        blob: None,
        parent: 0,
        annotations: None,
        extra: Extra::default(),
    };
    if r.null()? {
        return Ok(l);
    }
    r.object(|r, key| {
        if r.null()? {
            return Ok(());
        }
        if is_key(&key, "blob") {
            l.blob = Some(read_digest(r).map_err(|e| e.within("blob"))?);
        } else if is_key(&key, "parent") {
            l.parent = r.int().map_err(|e| e.within("parent"))?;
        } else if is_key(&key, "annotations") {
            l.annotations = Some(annotations(r).map_err(|e| e.within("annotations"))?);
        } else {
            l.extra.push(&key, r.skip()?);
        }
        Ok(())
    })?;
    Ok(l)
}

fn annotations(r: &mut Reader<'_>) -> Result<LayerAnnotations> {
    let mut a = LayerAnnotations::default();
    r.object(|r, key| {
        if r.null()? {
            return Ok(());
        }
        if is_key(&key, "mediaType") {
            a.media_type = r.string().map_err(|e| e.within("mediaType"))?.into_owned();
        } else if is_key(&key, "diffID") {
            a.diff_id = Some(read_digest(r).map_err(|e| e.within("diffID"))?);
        } else if is_key(&key, "size") {
            a.size = r.size().map_err(|e| e.within("size"))?;
        } else if is_key(&key, "createdAt") {
            a.created_at = time(r).map_err(|e| e.within("createdAt"))?;
        } else {
            a.extra.push(&key, r.skip()?);
        }
        Ok(())
    })?;
    Ok(a)
}

pub(super) fn records(r: &mut Reader<'_>) -> Result<Vec<CacheRecord>> {
    let mut out = Vec::new();
    r.array(|r, i| {
        out.push(record(r).map_err(|e| e.within(&at(i)))?);
        Ok(())
    })?;
    Ok(out)
}

fn record(r: &mut Reader<'_>) -> Result<CacheRecord> {
    let mut rec = CacheRecord::default();
    if r.null()? {
        return Ok(rec);
    }
    r.object(|r, key| {
        if r.null()? {
            return Ok(());
        }
        if is_key(&key, "layers") {
            rec.results = results(r).map_err(|e| e.within("layers"))?;
        } else if is_key(&key, "chains") {
            rec.chains = chains(r).map_err(|e| e.within("chains"))?;
        } else if is_key(&key, "digest") {
            rec.digest = r.string().map_err(|e| e.within("digest"))?.into_owned();
        } else if is_key(&key, "inputs") {
            rec.inputs = inputs(r).map_err(|e| e.within("inputs"))?;
        } else {
            rec.extra.push(&key, r.skip()?);
        }
        Ok(())
    })?;
    Ok(rec)
}

fn time(r: &mut Reader<'_>) -> Result<Timestamp> {
    r.peek();
    let start = r.offset() + 1;
    let s = r.string()?;
    Timestamp::parse(&s).map_err(|e| {
        Error::new(e.kind(), e.message().to_owned()).at_offset(start + e.offset().unwrap_or(0))
    })
}

fn results(r: &mut Reader<'_>) -> Result<Vec<CacheResult>> {
    let mut out = Vec::new();
    r.array(|r, i| {
        let mut res = CacheResult::default();
        if !r.null()? {
            r.object(|r, key| {
                if r.null()? {
                    return Ok(());
                }
                if is_key(&key, "layer") {
                    res.layer = r.int().map_err(|e| e.within("layer"))?;
                } else if is_key(&key, "createdAt") {
                    res.created_at = time(r).map_err(|e| e.within("createdAt"))?;
                } else {
                    res.extra.push(&key, r.skip()?);
                }
                Ok(())
            })
            .map_err(|e| e.within(&at(i)))?;
        }
        out.push(res);
        Ok(())
    })?;
    Ok(out)
}

fn chains(r: &mut Reader<'_>) -> Result<Vec<ChainedResult>> {
    let mut out = Vec::new();
    r.array(|r, i| {
        let mut res = ChainedResult::default();
        if !r.null()? {
            r.object(|r, key| {
                if r.null()? {
                    return Ok(());
                }
                if is_key(&key, "layers") {
                    let mut layers = Vec::new();
                    r.array(|r, j| {
                        let v = if r.null()? {
                            0
                        } else {
                            r.int().map_err(|e| e.within(&at(j)))?
                        };
                        layers.push(v);
                        Ok(())
                    })
                    .map_err(|e| e.within("layers"))?;
                    res.layers = layers;
                } else if is_key(&key, "createdAt") {
                    res.created_at = time(r).map_err(|e| e.within("createdAt"))?;
                } else {
                    res.extra.push(&key, r.skip()?);
                }
                Ok(())
            })
            .map_err(|e| e.within(&at(i)))?;
        }
        out.push(res);
        Ok(())
    })?;
    Ok(out)
}

fn inputs(r: &mut Reader<'_>) -> Result<Vec<Vec<CacheInput>>> {
    let mut out = Vec::new();
    r.array(|r, i| {
        let mut slot = Vec::new();
        if !r.null()? {
            r.array(|r, j| {
                let mut input = CacheInput::default();
                if !r.null()? {
                    r.object(|r, key| {
                        if r.null()? {
                            return Ok(());
                        }
                        if is_key(&key, "selector") {
                            input.selector =
                                r.string().map_err(|e| e.within("selector"))?.into_owned();
                        } else if is_key(&key, "link") {
                            input.link = r.int().map_err(|e| e.within("link"))?;
                        } else {
                            input.extra.push(&key, r.skip()?);
                        }
                        Ok(())
                    })
                    .map_err(|e| e.within(&at(j)))?;
                }
                slot.push(input);
                Ok(())
            })
            .map_err(|e| e.within(&at(i)))?;
        }
        out.push(slot);
        Ok(())
    })?;
    Ok(out)
}
