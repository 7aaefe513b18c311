//! `inspect`: what a cache holds — its tags, each with the wrapper form and
//! media types, records, layers, blob sizes, compression mix and `createdAt`
//! range, and the record graph as JSON and as a text tree.
//!
//! Spec: `cache-format.md` §2.1 (records, inputs, results, layer chains),
//! §3 (wrapper forms), §4.2 (tags in `index.json`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::cache::{Cache, CacheEntry, StoredBlob};
use crate::cache_config::CacheConfig;
use crate::digest::Digest;
use crate::media_type::MediaType;
use crate::time::Timestamp;

mod cost;

/// What [`Cache::inspect`] found, as JSON (`to_json`) or text (`to_text`).
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    json: Value,
}

impl Cache {
    /// Describes this cache; `stored` (the blobs the storage holds, when
    /// known) adds the stored and unreachable totals.
    pub fn inspect(&self, stored: Option<&[StoredBlob]>) -> Inspection {
        let reach: Vec<BTreeMap<Digest, u64>> = self
            .entries
            .iter()
            .map(|e| {
                self.reachable(|x| x.position == e.position)
                    .into_iter()
                    .map(|(d, desc)| (d, desc.size))
                    .collect()
            })
            .collect();
        let tags: Vec<Value> = self
            .entries
            .iter()
            .enumerate()
            .map(|(n, e)| {
                let others: BTreeSet<&Digest> = reach
                    .iter()
                    .enumerate()
                    .filter(|(m, _)| *m != n)
                    .flat_map(|(_, r)| r.keys())
                    .collect();
                let unique = bytes(
                    reach[n]
                        .iter()
                        .filter(|(d, _)| !others.contains(d))
                        .map(|(_, s)| *s),
                );
                entry_json(e, bytes(reach[n].values().copied()), unique)
            })
            .collect();
        let all = self.reachable(|_| true);
        let mut blobs =
            json!({"reachable": all.len(), "reachableBytes": bytes(all.values().map(|d| d.size))});
        if let Some(stored) = stored {
            let (mut n, mut bytes, mut un, mut un_bytes) = (0u64, 0u64, 0u64, 0u64);
            for s in stored {
                n += 1;
                bytes += s.size;
                if s.digest().is_ok_and(|d| !all.contains_key(&d)) {
                    un += 1;
                    un_bytes += s.size;
                }
            }
            blobs["stored"] = json!(n);
            blobs["storedBytes"] = json!(bytes);
            blobs["unreachable"] = json!(un);
            blobs["unreachableBytes"] = json!(un_bytes);
        }
        Inspection {
            json: json!({
                "tags": tags,
                "blobs": blobs,
                "findings": self.findings.iter().map(crate::Finding::to_json).collect::<Vec<_>>(),
            }),
        }
    }
}

/// A size, or a sum of sizes, as JSON: the number, or `null` when it is
/// above 2^53−1 — no blob is that large, the descriptor claiming it is a
/// `SIZE_OUT_OF_RANGE` finding, and every binding reads the same report.
fn bytes(sizes: impl IntoIterator<Item = u64>) -> Value {
    let mut total: u64 = 0;
    for s in sizes {
        match total.checked_add(s) {
            Some(t) if t <= crate::size::MAX_SAFE_INTEGER => total = t,
            _ => return Value::Null,
        }
    }
    json!(total)
}

/// A number of the report in text: `?` where it is unknown (`null`).
fn shown(v: &Value) -> String {
    if v.is_null() {
        "?".to_owned()
    } else {
        v.to_string()
    }
}

fn entry_json(e: &CacheEntry, reachable: Value, unique: Value) -> Value {
    let mut v = json!({
        "tag": e.tag,
        "digest": e.descriptor.digest.to_string(),
        "mediaType": e.descriptor.media_type,
        "size": bytes([e.descriptor.size]),
    });
    v["bytes"] = reachable;
    v["uniqueBytes"] = unique;
    let Some(m) = &e.manifest else {
        v["cache"] = json!(false);
        return v;
    };
    v["cache"] = json!(true);
    v["form"] = json!(m.form().as_str());
    v["config"] =
        json!({"digest": m.config().digest.to_string(), "size": bytes([m.config().size])});
    let mut media_types: BTreeMap<&str, u64> = BTreeMap::new();
    let mut compression: BTreeMap<&str, u64> = BTreeMap::new();
    let mut layer_sizes = Vec::new();
    let mut distinct = BTreeSet::new();
    for d in m.layers() {
        if distinct.insert(&d.digest) {
            layer_sizes.push(d.size);
        }
        *media_types.entry(&d.media_type).or_default() += 1;
        let c = MediaType::layer_compression(&d.media_type).map_or("unknown", |c| c.as_str());
        *compression.entry(c).or_default() += 1;
    }
    v["layerMediaTypes"] = json!(media_types);
    v["compression"] = json!(compression);
    v["blobs"] = json!(distinct.len());
    v["layerBytes"] = bytes(layer_sizes);
    if let Some(c) = &e.config {
        v["records"] = json!(c.records.len());
        v["layers"] = json!(c.layers.len());
        let times: Vec<&Timestamp> = c
            .records
            .iter()
            .flat_map(|r| {
                r.results
                    .iter()
                    .map(|x| &x.created_at)
                    .chain(r.chains.iter().map(|x| &x.created_at))
            })
            .filter(|t| !t.is_zero())
            .collect();
        let first = times.iter().min_by_key(|t| t.unix_nanos());
        let last = times.iter().max_by_key(|t| t.unix_nanos());
        v["createdAt"] = json!({
            "first": first.map(ToString::to_string),
            "last": last.map(ToString::to_string),
        });
        v["graph"] = graph_json(c, &m.blob_sizes());
    }
    v
}

fn graph_json(c: &CacheConfig, sizes: &HashMap<Digest, u64>) -> Value {
    let (costs, layers, mode_min) = cost::costs(c, sizes);
    let records: Vec<Value> = c
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let chains = c.result_chains(i).unwrap_or_default();
            let results: Vec<Value> = chains
                .iter()
                .zip(r.results.iter().map(|x| &x.created_at).chain(r.chains.iter().map(|x| &x.created_at)))
                .map(|(chain, t)| {
                    json!({
                        "createdAt": t.to_string(),
                        "blobs": chain.iter().map(|l| c.layers[*l].blob.as_ref().map(ToString::to_string)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "index": i,
                "digest": r.digest,
                "inputs": r.inputs.iter().map(|slot| slot.iter().map(|x| json!({"link": x.link, "selector": x.selector})).collect::<Vec<_>>()).collect::<Vec<_>>(),
                "results": results,
                "cost": costs[i],
            })
        })
        .collect();
    json!({"roots": c.roots(), "leaves": c.leaves(), "records": records, "layers": layers, "modeMin": mode_min})
}

impl Inspection {
    /// The report as JSON.
    pub fn to_json(&self) -> &Value {
        &self.json
    }

    /// The report as text: a summary per tag and its record graph as a tree
    /// from the leaves (the final steps) down to the roots (the sources).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let j = &self.json;
        for t in j["tags"].as_array().into_iter().flatten() {
            let name = t["tag"]
                .as_str()
                .map_or_else(|| "(untagged)".to_owned(), |s| format!("tag {s}"));
            let _ = writeln!(
                out,
                "{name}  {}  {} bytes",
                t["digest"].as_str().unwrap_or_default(),
                shown(&t["size"])
            );
            if t["cache"] != json!(true) {
                let _ = writeln!(
                    out,
                    "  not a cache manifest ({})",
                    t["mediaType"].as_str().unwrap_or_default()
                );
                continue;
            }
            let _ = writeln!(
                out,
                "  form {} ({})",
                t["form"].as_str().unwrap_or_default(),
                t["mediaType"].as_str().unwrap_or_default()
            );
            let mix: Vec<String> = t["compression"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let _ = writeln!(
                out,
                "  {} records, {} layers, {} blobs ({}), {} bytes reachable, {} only from this tag",
                t["records"],
                t["layers"],
                t["blobs"],
                mix.join(", "),
                shown(&t["bytes"]),
                shown(&t["uniqueBytes"])
            );
            if let Some(first) = t["createdAt"]["first"].as_str() {
                let _ = writeln!(
                    out,
                    "  created {first} .. {}",
                    t["createdAt"]["last"].as_str().unwrap_or_default()
                );
            }
            for line in cost::text(t, 5) {
                out.push_str(&line);
                out.push('\n');
            }
            tree(&mut out, &t["graph"]);
        }
        let b = &j["blobs"];
        let _ = write!(
            out,
            "{} blobs reachable ({} bytes)",
            b["reachable"],
            shown(&b["reachableBytes"])
        );
        if b.get("stored").is_some() {
            let _ = write!(
                out,
                "; {} stored ({} bytes), {} unreachable ({} bytes)",
                b["stored"], b["storedBytes"], b["unreachable"], b["unreachableBytes"]
            );
        }
        out.push('\n');
        for f in j["findings"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "{} {}  {}: {}",
                f["severity"].as_str().unwrap_or_default(),
                f["code"].as_str().unwrap_or_default(),
                f["path"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default()
            );
        }
        out
    }
}

/// The record graph from each leaf down its inputs; a record already shown
/// is named, not repeated. Iterative, so deep graphs cannot overflow.
fn tree(out: &mut String, graph: &Value) {
    let Some(records) = graph["records"].as_array() else {
        return;
    };
    let mut shown = vec![false; records.len()];
    let leaves: Vec<usize> = graph["leaves"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .filter_map(|v| usize::try_from(v).ok())
        .collect();
    let mut stack: Vec<(usize, String, String)> = leaves
        .iter()
        .rev()
        .map(|l| (*l, "  ".to_owned(), String::new()))
        .collect();
    while let Some((i, indent, label)) = stack.pop() {
        let Some(r) = records.get(i) else { continue };
        let digest = r["digest"].as_str().unwrap_or_default();
        let short = digest.get(..19).unwrap_or(digest);
        let result = match r["results"].as_array().and_then(|a| a.first()) {
            Some(x) => format!(
                ", result of {} layers",
                x["blobs"].as_array().map_or(0, Vec::len)
            ),
            None => String::new(),
        };
        if shown[i] {
            let _ = writeln!(out, "{indent}{label}record {i} {short}… (above)");
            continue;
        }
        shown[i] = true;
        let _ = writeln!(out, "{indent}{label}record {i} {short}…{result}");
        let inputs = r["inputs"].as_array().cloned().unwrap_or_default();
        for (slot, alts) in inputs.iter().enumerate().rev() {
            for alt in alts.as_array().into_iter().flatten().rev() {
                if let Some(link) = alt["link"].as_u64() {
                    let sel = alt["selector"]
                        .as_str()
                        .filter(|s| !s.is_empty())
                        .map(|s| match s.get(..19) {
                            Some(short) if s.len() > 19 => format!(" {short}…"),
                            _ => format!(" {s}"),
                        })
                        .unwrap_or_default();
                    stack.push((
                        usize::try_from(link).unwrap_or(usize::MAX),
                        format!("{indent}  "),
                        format!("[{slot}{sel}] "),
                    ));
                }
            }
        }
    }
}
