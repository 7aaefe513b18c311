#!/usr/bin/env python3
"""Writes the format vectors (tests/cases/{cache_config,manifest,layout}/*.json).

Every expectation here is written by hand from ../shared/spec/cache-format.md and
oci-basics.md (section named in each case) or checked against a digest the spec
gives; none is produced by ocicache. Run it after editing; commit its output.

Case shape: {name, spec, input: {utf8 | hex | concat | repeat}, options?, expect | error}.
"""
import hashlib, json, pathlib

HERE = pathlib.Path(__file__).parent
def sha(s): return "sha256:" + hashlib.sha256(s.encode() if isinstance(s, str) else s).hexdigest()
def u(s): return {"utf8": s}
T = "2024-01-01T00:00:00Z"
D0, D1, U0, U1 = sha("d0"), sha("d1"), sha("u0"), sha("u1")
FOO, BAR, BAZ = sha(sha("foo") + "@0"), sha(sha("bar") + "@1"), sha(sha("baz") + "@0")
A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
C = "sha256:" + "c" * 64
D = "sha256:" + "d" * 64

# §2.3 TestSimpleMarshal, the spec's 570 bytes.
SIMPLE = ('{"layers":[{"blob":"%s","parent":-1},{"blob":"%s"}],"records":[{"layers":[{"layer":1,"createdAt":"%s"}],'
          '"digest":"%s","inputs":[[{"link":1}],[{"selector":"sel0","link":2}]]},{"digest":"%s"},{"digest":"%s"}]}') % (D0, D1, T, BAZ, FOO, BAR)
assert len(SIMPLE) == 570 and sha(SIMPLE) == "sha256:1928a88c343fe2d59ce9a1fc0ee84cdc13660d078510b58745fb1eab4d786db9"

def cfg(layers, records):
    """Compact JSON in Go's field order, empty lists omitted (omitempty)."""
    doc = {k: v for k, v in (("layers", layers), ("records", records)) if v}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)

def ok(name, spec, text, bytes_=None, findings=(), options=None, **extra):
    c = {"name": name, "spec": spec, "input": u(text) if isinstance(text, str) else text,
         "expect": {"findings": [{"code": f[0], "path": f[1]} for f in findings], **extra}}
    if bytes_ is not None: c["expect"]["bytes"] = bytes_
    if options: c["options"] = options
    return c

def err(name, spec, text, code, field=None, options=None):
    c = {"name": name, "spec": spec, "input": u(text) if isinstance(text, str) else text, "error": {"code": code}}
    if field is not None: c["error"]["field"] = field
    if options: c["options"] = options
    return c

R0 = {"digest": A}
config_cases = [
    ok("TestSimpleMarshal bytes", "cache-format.md §2.3", SIMPLE, digest="sha256:1928a88c343fe2d59ce9a1fc0ee84cdc13660d078510b58745fb1eab4d786db9", records=3, layers=2),
    ok("normalising a config built from scratch gives BuildKit's sorted bytes", "cache-format.md §2.3 step 5",
       '{"layers":[{"blob":"%s","parent":1},{"blob":"%s","parent":-1}],"records":[{"digest":"%s"},{"digest":"%s"},{"layers":[{"layer":0,"createdAt":"%s"}],"digest":"%s","inputs":[[{"link":0}],[{"selector":"sel0","link":1}]]}]}' % (D1, D0, FOO, BAR, T, BAZ),
       bytes_=SIMPLE, options={"normalize": True}),
    ok("alternatives inside a slot are sorted by new link", "cache-format.md §2.3 step 5",
       cfg([], [{"digest": B, "inputs": [[{"link": 1}, {"selector": "s", "link": 2}]]}, {"digest": D}, {"digest": C}]),
       bytes_=cfg([], [{"digest": B, "inputs": [[{"selector": "s", "link": 1}, {"link": 2}]]}, {"digest": C}, {"digest": D}]),
       options={"normalize": True}),
    ok("an empty config is {}", "cache-format.md §2.1 (omitempty)", "{}", records=0, layers=0),
    ok("whitespace, key order and null are read like Go and written compactly", "cache-format.md §2.4",
       ' { "records" : [ { "inputs" : null , "digest" : "%s" , "layers": null } ] , "layers" : null } ' % A,
       bytes_='{"records":[{"digest":"%s"}]}' % A),
    ok("keys match ignoring ASCII case, as in Go", "cache-format.md §2.2 (Go decoding)",
       '{"Records":[{"DIGEST":"%s"}]}' % A, bytes_='{"records":[{"digest":"%s"}]}' % A),
    ok("the last duplicate key wins", "cache-format.md §2.2 (Go decoding)",
       '{"records":[{"digest":"x","digest":"%s"}]}' % A, bytes_='{"records":[{"digest":"%s"}]}' % A),
    ok("unknown keys are kept, after the known ones", "cache-format.md §2.2 (tolerated)",
       '{"future":{"a" : [1, 2]},"records":[{"x":1,"digest":"%s"}],"layers":[{"y":true,"blob":"%s","parent":-1}]}' % (A, D0),
       bytes_='{"layers":[{"blob":"%s","parent":-1,"y":true}],"records":[{"digest":"%s","x":1}],"future":{"a":[1,2]}}' % (D0, A)),
    ok("parent 0 is omitted, -1 is written", "cache-format.md §2.1",
       '{"layers":[{"blob":"%s","parent":-1},{"blob":"%s","parent":0}]}' % (D0, D1),
       bytes_='{"layers":[{"blob":"%s","parent":-1},{"blob":"%s"}]}' % (D0, D1)),
    ok("a missing parent means 0: one layer without parent loops on itself", "cache-format.md §2.1",
       '{"layers":[{"blob":"%s"}],"records":[{"layers":[{"layer":0,"createdAt":"%s"}],"digest":"%s"}]}' % (D0, T, A),
       findings=[("LOOPING_LAYER", "layers[0].parent")]),
    ok("looping parents", "cache-format.md §2.2 (invalid looping layer)",
       cfg([{"blob": D0, "parent": 1}, {"blob": D1}], [{"layers": [{"layer": 0, "createdAt": T}], "digest": A}]),
       findings=[("LOOPING_LAYER", "layers[0].parent")]),
    ok("a parent outside layers", "cache-format.md §2.2 (invalid layer index)",
       cfg([{"blob": D0, "parent": -1}, {"blob": D1, "parent": 2}], []), findings=[("INVALID_LAYER_INDEX", "layers[1].parent")]),
    ok("a parent of -2", "cache-format.md §2.2 (invalid layer index)",
       cfg([{"blob": D0, "parent": -2}], []), findings=[("INVALID_LAYER_INDEX", "layers[0].parent")]),
    ok("a result layer outside layers", "cache-format.md §2.2 (invalid layer index)",
       cfg([{"blob": D0, "parent": -1}], [{"layers": [{"layer": 1, "createdAt": T}], "digest": A}]),
       findings=[("INVALID_LAYER_INDEX", "records[0].layers[0].layer")]),
    ok("a chain entry outside layers", "cache-format.md §2.2 (invalid layer index)",
       cfg([{"blob": D0, "parent": -1}], [{"chains": [{"layers": [0, -1], "createdAt": T}], "digest": A}]),
       findings=[("INVALID_LAYER_INDEX", "records[0].chains[0].layers[1]")]),
    ok("a link outside records", "cache-format.md §2.2 (invalid record ID)",
       cfg([], [{"digest": A, "inputs": [[{"link": 1}]]}]), findings=[("INVALID_RECORD_INDEX", "records[0].inputs[0][0].link")]),
    ok("a negative link", "cache-format.md §2.2 (invalid record ID)",
       cfg([], [R0, {"digest": B, "inputs": [[{"link": 0}, {"link": -1}]]}]), findings=[("INVALID_RECORD_INDEX", "records[1].inputs[0][1].link")]),
    ok("a record linking to itself", "cache-format.md §2.2 (invalid looping record)",
       cfg([], [{"digest": A, "inputs": [[{"link": 0}]]}]), findings=[("LOOPING_RECORD", "records[0].inputs[0][0].link")]),
    ok("two records linking to each other", "cache-format.md §2.2 (invalid looping record)",
       cfg([], [{"digest": A, "inputs": [[{"link": 1}]]}, {"digest": B, "inputs": [[{"link": 0}]]}]),
       findings=[("LOOPING_RECORD", "records[1].inputs[0][0].link")]),
    ok("an empty input slot", "cache-format.md §2.2 (invalid empty input)",
       cfg([], [R0, {"digest": B, "inputs": [[{"link": 0}], []]}]), findings=[("EMPTY_INPUT", "records[1].inputs[1]")]),
    ok("a result whose top blob the manifest lacks", "cache-format.md §2.2 (result dropped)",
       cfg([{"blob": D0, "parent": -1}, {"blob": D1}], [{"layers": [{"layer": 1, "createdAt": T}], "digest": A}]),
       findings=[("MISSING_BLOB", "records[0].layers[0]")], options={"blobs": [D0]}),
    ok("a result whose base blob the manifest lacks", "cache-format.md §2.2 (result dropped)",
       cfg([{"blob": D0, "parent": -1}, {"blob": D1}], [{"layers": [{"layer": 1, "createdAt": T}], "digest": A}, {"layers": [{"layer": 0, "createdAt": T}], "digest": B}]),
       findings=[("MISSING_BLOB", "records[0].layers[0]"), ("MISSING_BLOB", "records[1].layers[0]")], options={"blobs": [D1]}),
    ok("every blob present", "cache-format.md §2.2",
       cfg([{"blob": D0, "parent": -1}, {"blob": D1}], [{"layers": [{"layer": 1, "createdAt": T}], "digest": A}]), options={"blobs": [D0, D1]}),
    ok("a layer without blob", "cache-format.md §2.1 (blob omitempty)",
       cfg([{"parent": -1}], []), findings=[("MISSING_FIELD", "layers[0].blob")]),
    ok("gha/s3 layer annotations round trip", "cache-format.md §2.1 (LayerAnnotations)",
       '{"layers":[{"blob":"%s","parent":-1,"annotations":{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","diffID":"%s","size":2,"createdAt":"2024-01-01T00:00:00.5Z"}}]}' % (D0, U0),
       options={"requireAnnotations": True}),
    ok("annotations need a diffID for gha/s3 imports", "cache-format.md §4.3",
       '{"layers":[{"blob":"%s","parent":-1,"annotations":{"createdAt":"0001-01-01T00:00:00Z"}},{"blob":"%s","parent":-1}]}' % (D0, D1),
       findings=[("MISSING_DIFF_ID", "layers[0].annotations.diffID"), ("MISSING_FIELD", "layers[1].annotations")], options={"requireAnnotations": True}),
    ok("an absent createdAt is written as Go's zero time", "cache-format.md §2.1 (createdAt always written)",
       '{"records":[{"layers":[{"layer":0}],"digest":"%s"}],"layers":[{"blob":"%s","parent":-1}]}' % (A, D0),
       bytes_='{"layers":[{"blob":"%s","parent":-1}],"records":[{"layers":[{"layer":0,"createdAt":"0001-01-01T00:00:00Z"}],"digest":"%s"}]}' % (D0, A)),
    ok("times are written the way Go writes them", "cache-format.md §2.4 (times)",
       cfg([{"blob": D0, "parent": -1}], [{"layers": [{"layer": 0, "createdAt": "2024-01-01T00:00:00.500000000+00:00"}, {"layer": 0, "createdAt": "2022-03-13T08:13:28.292012782+01:00"}], "digest": A}]),
       bytes_=cfg([{"blob": D0, "parent": -1}], [{"layers": [{"layer": 0, "createdAt": "2024-01-01T00:00:00.5Z"}, {"layer": 0, "createdAt": "2022-03-13T08:13:28.292012782+01:00"}], "digest": A}])),
    ok("strings are escaped the Go way", "cache-format.md §2.4 (strings)",
       cfg([], [{"digest": A, "inputs": [[{"selector": "<a&b>\u2028\u2029\t\u0001\"\\/é", "link": 0}]]}]).replace("\\u2028", "\u2028").replace("\\u2029", "\u2029").replace("\\u00e9", "é"),
       bytes_='{"records":[{"digest":"%s","inputs":[[{"selector":"\\u003ca\\u0026b\\u003e\\u2028\\u2029\\t\\u0001\\"\\\\/é","link":0}]]}]}' % A,
       findings=[("LOOPING_RECORD", "records[0].inputs[0][0].link")]),
    ok("invalid UTF-8 becomes U+FFFD byte by byte", "cache-format.md §2.4 (strings)",
       {"hex": ('{"records":[{"digest":"x').encode().hex() + "e280" + ('y"}]}').encode().hex()},
       bytes_='{"records":[{"digest":"x\ufffd\ufffdy"}]}'),
    ok("a 50 MB config is read (over BuildKit's 1 MiB, under our default limit)", "cache-format.md §6 step 1",
       {"concat": [u('{"records":['), {"repeat": {"utf8": '{"digest":"%s"},' % A, "count": 650000}}, u('{"digest":"%s"}]}' % B)]},
       records=650001, layers=0),
    err("the same 50 MB config over a 1 MiB limit of our own", "cache-format.md §6 step 1",
        {"concat": [u('{"records":['), {"repeat": {"utf8": '{"digest":"%s"},' % A, "count": 650000}}, u('{"digest":"%s"}]}' % B)]},
        "SIZE_LIMIT_EXCEEDED", options={"maxSize": 1048576}),
    err("100 000 nested arrays stop at Go's depth limit", "cache-format.md §2.2 (Go JSON error)",
        {"concat": [u('{"x":'), {"repeat": {"utf8": "[", "count": 100000}}, {"repeat": {"utf8": "]", "count": 100000}}, u("}")]}, "INVALID_JSON"),
    err("a blob digest with path characters", "oci-basics.md §1.1", cfg([{"blob": "sha256:../../etc/passwd", "parent": -1}], []), "INVALID_DIGEST", "layers[0].blob"),
    err("an unregistered digest algorithm", "oci-basics.md §1.2", cfg([{"blob": "md5:abc", "parent": -1}], []), "UNSUPPORTED_ALGORITHM", "layers[0].blob"),
    err("an annotation size of 2^63", "oci-basics.md §2 (int64)",
        '{"layers":[{"blob":"%s","annotations":{"size":9223372036854775808}}]}' % D0, "SIZE_OUT_OF_RANGE", "layers[0].annotations.size"),
    err("a parent of 2^63", "cache-format.md §2.1 (int)", '{"layers":[{"blob":"%s","parent":9223372036854775808}]}' % D0, "INVALID_JSON", "layers[0].parent"),
    err("a fractional link", "cache-format.md §2.1 (int)", '{"records":[{"inputs":[[{"link":1.5}]]}]}', "INVALID_JSON", "records[0].inputs[0][0].link"),
    err("a string where an integer belongs", "cache-format.md §2.1 (int)", '{"records":[{"layers":[{"layer":"1"}]}]}', "INVALID_JSON", "records[0].layers[0].layer"),
    err("records that is an object", "cache-format.md §2.1", '{"records":{}}', "INVALID_JSON", "records"),
    err("an invalid createdAt", "cache-format.md §2.4 (times)", '{"records":[{"layers":[{"layer":0,"createdAt":"2023-02-29T00:00:00Z"}]}]}', "INVALID_TIME", "records[0].layers[0].createdAt"),
    err("a createdAt without zone", "cache-format.md §2.4 (times)", '{"records":[{"layers":[{"createdAt":"2024-01-01T00:00:00"}]}]}', "INVALID_TIME", "records[0].layers[0].createdAt"),
    err("text after the document", "cache-format.md §2.2 (Go JSON error)", "{} {}", "INVALID_JSON"),
    err("an empty document", "cache-format.md §2.2 (Go JSON error)", "", "INVALID_JSON"),
    err("a top-level array", "cache-format.md §2.2 (Go JSON error)", "[]", "INVALID_JSON"),
    err("an unterminated string", "cache-format.md §2.2 (Go JSON error)", '{"records":[{"digest":"abc', "INVALID_JSON"),
    err("a trailing comma", "cache-format.md §2.2 (Go JSON error)", '{"records":[],}', "INVALID_JSON"),
]

# §3.5: the image-manifest, index and Docker list forms of the TestSimpleMarshal config.
ANN = lambda c, uu: '"annotations":{"buildkit/createdat":"%s","containerd.io/uncompressed":"%s"}' % (c, uu)
def layer(mt, d, uu): return '{"mediaType":"%s","digest":"%s","size":2,%s}' % (mt, d, ANN(T, uu))
OCI_GZ, DOCKER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip"
CFG = '{"mediaType":"application/vnd.buildkit.cacheconfig.v0","digest":"%s","size":570}' % sha(SIMPLE)
MANIFEST = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s,%s]}' % (CFG, layer(OCI_GZ, D0, U0), layer(OCI_GZ, D1, U1))
INDEX = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s,%s,%s]}' % (layer(OCI_GZ, D0, U0), layer(OCI_GZ, D1, U1), CFG)
DLIST = '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[%s,%s,%s]}' % (layer(DOCKER_GZ, D0, U0), layer(DOCKER_GZ, D1, U1), CFG)
assert (len(MANIFEST), sha(MANIFEST)) == (876, "sha256:17d6c23b3bc0dbb05db9c947a8c534ead5bb7e59f83670acbd7a288576c49742")
assert (len(INDEX), sha(INDEX)) == (867, "sha256:5ebf64a0d497c640d6025973038c279aaf7145b8fb5e58c10aaf100128502dd2")
assert (len(DLIST), sha(DLIST)) == (897, "sha256:a33b9eeb11f99d51b157322d2c070106f847d5dc2001c3609ac694b1d0892468")

def mok(name, spec, text, form=None, findings=(), **extra):
    e = {"findings": [{"code": f[0], "path": f[1]} for f in findings], **extra}
    if form: e["form"] = form
    return {"name": name, "spec": spec, "input": u(text), "expect": e}

def replace_layer(doc, old, new): return doc.replace(old, new, 1)
manifest_cases = [
    mok("image-manifest form (the default)", "cache-format.md §3.2, §3.5", MANIFEST, "image-manifest", config=sha(SIMPLE), layers=[D0, D1], digest=sha(MANIFEST),
        convert={"image-index": INDEX, "docker-manifest-list": DLIST, "image-manifest": MANIFEST}),
    mok("OCI index form", "cache-format.md §3.3, §3.5", INDEX, "image-index", config=sha(SIMPLE), layers=[D0, D1], digest=sha(INDEX),
        convert={"image-manifest": MANIFEST, "docker-manifest-list": DLIST}),
    mok("Docker manifest-list form", "cache-format.md §3.3, §3.5", DLIST, "docker-manifest-list", config=sha(SIMPLE), layers=[D0, D1], digest=sha(DLIST),
        convert={"image-manifest": MANIFEST, "image-index": INDEX}),
    mok("a Docker manifest carrying a cache config is read", "cache-format.md §6 step 2",
        MANIFEST.replace("application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"), "docker-manifest", layers=[D0, D1]),
    mok("in an index the last cache config wins", "cache-format.md §6 step 3",
        INDEX.replace('"manifests":[', '"manifests":[' + CFG.replace(sha(SIMPLE), A) + ","), "image-index", config=sha(SIMPLE), layers=[D0, D1]),
    mok("an unknown wrapper mediaType is ignored when reading and reported by validate", "cache-format.md §6 step 2",
        MANIFEST.replace("application/vnd.oci.image.manifest.v1+json", "application/x-unknown"), "docker-manifest",
        findings=[("INVALID_MEDIA_TYPE", "mediaType")]),
    mok("a manifest without mediaType", "oci-basics.md §7 (warning)", MANIFEST.replace('"mediaType":"application/vnd.oci.image.manifest.v1+json",', ""), "docker-manifest",
        findings=[("MISSING_FIELD", "mediaType")]),
    mok("schemaVersion must be 2", "oci-basics.md §3", MANIFEST.replace('"schemaVersion":2', '"schemaVersion":1'), "image-manifest",
        findings=[("INVALID_SCHEMA_VERSION", "schemaVersion")]),
    mok("a layer without containerd.io/uncompressed", "cache-format.md §2.2 (missing uncompressed annotation)",
        MANIFEST.replace(',"containerd.io/uncompressed":"%s"' % U1, ""), "image-manifest",
        findings=[("MISSING_DIFF_ID", "layers[1].annotations.containerd.io/uncompressed")]),
    mok("a layer with a malformed diffID", "cache-format.md §2.2 (failed to parse diffID)",
        MANIFEST.replace(U1, "sha256:xyz"), "image-manifest", findings=[("MISSING_DIFF_ID", "layers[1].annotations.containerd.io/uncompressed")]),
    mok("a layer with a bad buildkit/createdat", "cache-format.md §2.2 (RFC 3339)",
        INDEX.replace(T, "yesterday", 1), "image-index", findings=[("INVALID_TIME", "manifests[0].annotations.buildkit/createdat")]),
    mok("a config over BuildKit's 1 MiB import limit is a warning", "cache-format.md §6 step 1",
        MANIFEST.replace('"size":570', '"size":1048577'), "image-manifest", findings=[("BLOB_TOO_LARGE", "config.size")]),
    mok("a layer media type that is not RFC 6838", "oci-basics.md §2", MANIFEST.replace(OCI_GZ, "gzip", 1), "image-manifest",
        findings=[("INVALID_MEDIA_TYPE", "layers[0].mediaType")]),
    err("a document with config and manifests", "cache-format.md §6 step 2", MANIFEST[:-1] + ',"manifests":[]}', "AMBIGUOUS_MANIFEST"),
    err("manifest content with an index mediaType", "cache-format.md §6 step 2",
        MANIFEST.replace("application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json"), "MEDIA_TYPE_MISMATCH", "mediaType"),
    err("index content with a manifest mediaType", "cache-format.md §6 step 2",
        INDEX.replace("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json"), "MEDIA_TYPE_MISMATCH", "mediaType"),
    err("an image manifest (no cache config)", "cache-format.md §6 step 4",
        MANIFEST.replace("application/vnd.buildkit.cacheconfig.v0", "application/vnd.oci.image.config.v1+json"), "MISSING_CACHE_CONFIG"),
    err("an index without a cache config", "cache-format.md §6 step 4",
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}', "MISSING_CACHE_CONFIG"),
    err("a layer digest with path characters", "oci-basics.md §1.1", MANIFEST.replace(D1, "sha256:../../../x"), "INVALID_DIGEST", "layers[1].digest"),
    err("a size of 2^63", "oci-basics.md §2", MANIFEST.replace('"size":570', '"size":9223372036854775808'), "SIZE_OUT_OF_RANGE", "config.size"),
    err("a negative size", "oci-basics.md §2", MANIFEST.replace('"size":570', '"size":-1'), "SIZE_OUT_OF_RANGE", "config.size"),
    err("a descriptor without digest", "oci-basics.md §2", MANIFEST.replace('"digest":"%s",' % D0, ""), "MISSING_FIELD", "layers[0].digest"),
    err("data that is not padded base64", "oci-basics.md §2 (data)", MANIFEST.replace('"size":570', '"size":570,"data":"e30"'), "INVALID_BASE64", "config.data"),
    err("annotations that are not strings", "oci-basics.md §5", MANIFEST.replace('"buildkit/createdat":"%s"' % T, '"buildkit/createdat":1', 1), "INVALID_JSON", "layers[0].annotations.buildkit/createdat"),
    err("not JSON", "oci-basics.md §7", "{", "INVALID_JSON"),
]

ENTRY = '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":876,"annotations":{"org.opencontainers.image.ref.name":"%s"}}'
NEW = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(MANIFEST), "size": 876}
def idx(*entries): return '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' % ",".join(entries)
layout_cases = [
    {"name": "index.json after one default export", "spec": "cache-format.md §4.2", "op": "putTag", "current": None, "tag": "latest", "descriptor": NEW,
     "expect": idx(ENTRY % (sha(MANIFEST), "latest"))},
    {"name": "an empty index.json counts as none", "spec": "cache-format.md §4.2 step 3", "op": "putTag", "current": "", "tag": "latest", "descriptor": NEW,
     "expect": idx(ENTRY % (sha(MANIFEST), "latest"))},
    {"name": "a new export replaces its tag and keeps others, appending at the end", "spec": "cache-format.md §4.2 steps 5-6", "op": "putTag",
     "current": idx(ENTRY % (A, "latest"), ENTRY % (B, "main")), "tag": "latest", "descriptor": NEW,
     "expect": idx(ENTRY % (B, "main"), ENTRY % (sha(MANIFEST), "latest"))},
    {"name": "entries with io.containerd.image.name are kept", "spec": "cache-format.md §4.2 step 5", "op": "putTag",
     "current": idx('{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"annotations":{"io.containerd.image.name":"x","org.opencontainers.image.ref.name":"latest"}}' % A),
     "tag": "latest", "descriptor": NEW,
     "expect": idx('{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"annotations":{"io.containerd.image.name":"x","org.opencontainers.image.ref.name":"latest"}}' % A, ENTRY % (sha(MANIFEST), "latest"))},
    {"name": "defaults and dropped unknown members", "spec": "cache-format.md §4.2 steps 3-4", "op": "putTag",
     "current": '{"manifests":[],"x":1}', "tag": "v1", "descriptor": NEW, "expect": idx(ENTRY % (sha(MANIFEST), "v1"))},
    {"name": "a malformed index.json is an error", "spec": "cache-format.md §4.2 step 3", "op": "putTag", "current": "{", "tag": "latest", "descriptor": NEW, "error": {"code": "INVALID_JSON"}},
    {"name": "a tag with path characters", "spec": "oci-basics.md §5", "op": "putTag", "current": None, "tag": "../x", "descriptor": NEW, "error": {"code": "INVALID_TAG", "field": "tag"}},
    {"name": "find by tag", "spec": "cache-format.md §4.2 (import)", "op": "findTag", "current": idx(ENTRY % (A, "a"), ENTRY % (B, "b")), "tag": "b", "expect": B},
    {"name": "io.containerd.image.name wins over ref.name", "spec": "cache-format.md §4.2 (import)", "op": "findTag",
     "current": idx(ENTRY % (A, "x"), '{"mediaType":"m/t","digest":"%s","size":1,"annotations":{"io.containerd.image.name":"x"}}' % B), "tag": "x", "expect": B},
    {"name": "a missing tag", "spec": "cache-format.md §4.2 (import)", "op": "findTag", "current": idx(ENTRY % (A, "a")), "tag": "latest", "error": {"code": "TAG_NOT_FOUND", "field": "tag"}},
    {"name": "blob path of a digest", "spec": "oci-basics.md §6", "op": "blobPath", "digest": A, "expect": "blobs/sha256/" + "a" * 64},
    {"name": "digest of a blob path", "spec": "oci-basics.md §6", "op": "digestFromPath", "path": "blobs/sha256/" + "a" * 64, "expect": A},
    {"name": "a blob path escaping the layout", "spec": "oci-basics.md §6", "op": "digestFromPath", "path": "blobs/sha256/../../../etc/passwd", "error": {"code": "INVALID_DIGEST"}},
    {"name": "a blob path with a sub-directory", "spec": "oci-basics.md §6", "op": "digestFromPath", "path": "blobs/sha256/%s/x" % ("a" * 64), "error": {"code": "INVALID_DIGEST"}},
    {"name": "a blob path outside blobs/", "spec": "oci-basics.md §6", "op": "digestFromPath", "path": "index.json", "error": {"code": "INVALID_DIGEST"}},
    {"name": "the oci-layout BuildKit writes", "spec": "oci-basics.md §6", "op": "checkFile", "content": '{"imageLayoutVersion":"1.0.0"}', "expect": True},
    {"name": "an oci-layout of another version", "spec": "oci-basics.md §6", "op": "checkFile", "content": '{"imageLayoutVersion":"2.0.0"}', "error": {"code": "INVALID_LAYOUT"}},
    {"name": "an oci-layout that is not JSON", "spec": "oci-basics.md §6", "op": "checkFile", "content": "1.0.0", "error": {"code": "INVALID_LAYOUT"}},
]

# §5: inline cache in an image config.
import base64
L0, L1 = sha("layer0"), sha("layer1")
IMG = '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":2},"layers":[{"mediaType":"%s","digest":"%s","size":1},{"mediaType":"%s","digest":"%s","size":1}]}' % (C, OCI_GZ, L0, OCI_GZ, L1)
RECORDS = '[{"layers":[{"layer":1,"createdAt":"%s"}],"digest":"%s","inputs":[[{"link":1}]]},{"chains":[{"layers":[0],"createdAt":"%s"}],"digest":"%s"}]' % (T, A, T, B)
def image_config(records, diff_ids=(U0, U1), key="moby.buildkit.cache.v0"):
    doc = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
           "history": [{"created": "2024-01-01T00:00:00.100Z", "created_by": "ADD a /"}, {"created_by": "ENV x=1", "empty_layer": True}, {"created": T, "created_by": "RUN b"}]}
    if records is not None:
        doc[key] = records if key != "moby.buildkit.cache.v0" else base64.b64encode(records.encode()).decode()
    return json.dumps(doc, separators=(",", ":"))
inline_cases = [
    {"name": "records over the image's layers", "spec": "cache-format.md §5", "manifest": IMG, "imageConfig": image_config(RECORDS),
     "expect": {"records": RECORDS, "parents": [-1, 0], "findings": [],
                "annotations": [{"buildkit/createdat": "2024-01-01T00:00:00.1Z", "buildkit/description": "ADD a /", "containerd.io/uncompressed": U0},
                                {"buildkit/createdat": T, "buildkit/description": "RUN b", "containerd.io/uncompressed": U1}]}},
    {"name": "an image without inline cache", "spec": "cache-format.md §5", "manifest": IMG, "imageConfig": image_config(None), "expect": None},
    {"name": "diff_ids and layers differ in number", "spec": "cache-format.md §5 (skipped with a warning)", "manifest": IMG,
     "imageConfig": image_config(RECORDS, diff_ids=(U0,)), "error": {"code": "LAYER_COUNT_MISMATCH", "field": "rootfs.diff_ids"}},
    {"name": "a value that is not base64", "spec": "cache-format.md §5", "manifest": IMG,
     "imageConfig": image_config("not base64!", key="raw").replace('"raw"', '"moby.buildkit.cache.v0"'), "error": {"code": "INVALID_BASE64", "field": "moby.buildkit.cache.v0"}},
    {"name": "records that are not a JSON array", "spec": "cache-format.md §5", "manifest": IMG,
     "imageConfig": image_config('{"records":[]}'), "error": {"code": "INVALID_JSON", "field": "moby.buildkit.cache.v0"}},
    {"name": "a diff_id with path characters", "spec": "oci-basics.md §1.1", "manifest": IMG,
     "imageConfig": image_config(RECORDS, diff_ids=(U0, "sha256:../x")), "error": {"code": "INVALID_DIGEST", "field": "rootfs.diff_ids[1]"}},
]

for folder, cases in [("cache_config", config_cases), ("manifest", manifest_cases), ("layout", layout_cases), ("inline", inline_cases)]:
    (HERE / folder / "cases.json").write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n")
    print(folder, len(cases))
