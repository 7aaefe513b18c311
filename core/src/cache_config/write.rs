//! Writing a cache config with Go's `json.Marshal` bytes (cache-format.md
//! §2.4): `layers` then `records`; layer `blob`, `parent` (0 omitted),
//! `annotations`; record `layers`, `chains`, `digest`, `inputs`; `link` and
//! `layer` always written; `createdAt` always written.

use super::{CacheConfig, CacheLayer, CacheRecord, LayerAnnotations};
use crate::json::writer::Writer;

pub(super) fn config(c: &CacheConfig) -> Vec<u8> {
    let mut w = Writer::with_capacity(16 + c.layers.len() * 100 + c.records.len() * 220);
    w.byte(b'{');
    let mut first = true;
    if !c.layers.is_empty() {
        w.key(&mut first, "layers");
        w.byte(b'[');
        for (i, l) in c.layers.iter().enumerate() {
            if i > 0 {
                w.byte(b',');
            }
            layer(&mut w, l);
        }
        w.byte(b']');
    }
    if !c.records.is_empty() {
        w.key(&mut first, "records");
        records_array(&mut w, &c.records);
    }
    c.extra.write(&mut w, &mut first);
    w.byte(b'}');
    w.out
}

pub(super) fn records(c: &CacheConfig) -> Vec<u8> {
    let mut w = Writer::with_capacity(16 + c.records.len() * 220);
    if c.records.is_empty() {
        // A nil slice, as BuildKit marshals an empty inline cache.
        w.raw(b"null");
    } else {
        records_array(&mut w, &c.records);
    }
    w.out
}

fn records_array(w: &mut Writer, records: &[CacheRecord]) {
    w.byte(b'[');
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            w.byte(b',');
        }
        record(w, r);
    }
    w.byte(b']');
}

fn layer(w: &mut Writer, l: &CacheLayer) {
    w.byte(b'{');
    let mut first = true;
    if let Some(blob) = &l.blob {
        w.key(&mut first, "blob");
        w.string(blob.as_str());
    }
    if l.parent != 0 {
        w.key(&mut first, "parent");
        w.int(l.parent);
    }
    if let Some(a) = &l.annotations {
        w.key(&mut first, "annotations");
        annotations(w, a);
    }
    l.extra.write(w, &mut first);
    w.byte(b'}');
}

fn annotations(w: &mut Writer, a: &LayerAnnotations) {
    w.byte(b'{');
    if !a.media_type.is_empty() {
        w.raw(b"\"mediaType\":");
        w.string(&a.media_type);
        w.byte(b',');
    }
    if let Some(d) = &a.diff_id {
        w.raw(b"\"diffID\":");
        w.string(d.as_str());
        w.byte(b',');
    }
    if a.size != 0 {
        w.raw(b"\"size\":");
        w.uint(a.size);
        w.byte(b',');
    }
    w.raw(b"\"createdAt\":");
    a.created_at.write_json(&mut w.out);
    let mut first = false;
    a.extra.write(w, &mut first);
    w.byte(b'}');
}

fn record(w: &mut Writer, r: &CacheRecord) {
    w.byte(b'{');
    let mut first = true;
    if !r.results.is_empty() {
        w.key(&mut first, "layers");
        w.byte(b'[');
        for (i, res) in r.results.iter().enumerate() {
            if i > 0 {
                w.byte(b',');
            }
            w.raw(b"{\"layer\":");
            w.int(res.layer);
            w.raw(b",\"createdAt\":");
            res.created_at.write_json(&mut w.out);
            let mut f = false;
            res.extra.write(w, &mut f);
            w.byte(b'}');
        }
        w.byte(b']');
    }
    if !r.chains.is_empty() {
        w.key(&mut first, "chains");
        w.byte(b'[');
        for (i, c) in r.chains.iter().enumerate() {
            if i > 0 {
                w.byte(b',');
            }
            w.raw(b"{\"layers\":");
            w.byte(b'[');
            for (j, l) in c.layers.iter().enumerate() {
                if j > 0 {
                    w.byte(b',');
                }
                w.int(*l);
            }
            w.byte(b']');
            w.raw(b",\"createdAt\":");
            c.created_at.write_json(&mut w.out);
            let mut f = false;
            c.extra.write(w, &mut f);
            w.byte(b'}');
        }
        w.byte(b']');
    }
    if !r.digest.is_empty() {
        w.key(&mut first, "digest");
        w.string(&r.digest);
    }
    if !r.inputs.is_empty() {
        w.key(&mut first, "inputs");
        w.byte(b'[');
        for (i, slot) in r.inputs.iter().enumerate() {
            if i > 0 {
                w.byte(b',');
            }
            w.byte(b'[');
            for (j, input) in slot.iter().enumerate() {
                if j > 0 {
                    w.byte(b',');
                }
                w.byte(b'{');
                if !input.selector.is_empty() {
                    w.raw(b"\"selector\":");
                    w.string(&input.selector);
                    w.byte(b',');
                }
                w.raw(b"\"link\":");
                w.int(input.link);
                let mut f = false;
                input.extra.write(w, &mut f);
                w.byte(b'}');
            }
            w.byte(b']');
        }
        w.byte(b']');
    }
    r.extra.write(w, &mut first);
    w.byte(b'}');
}
