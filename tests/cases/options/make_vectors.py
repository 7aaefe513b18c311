"""Writes the option vectors (tests/cases/options/*.json) from the hand-written
cases below. Every expectation comes from shared/spec/cache-options.md (the
section is named in each case), not from running this library. Run it after
editing: python3 tests/cases/options/make_vectors.py
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
H = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def ok(name, input, expect, **options):
    case = {"name": name, "input": input, "expect": expect}
    if options:
        case["options"] = options
    return case


def err(name, input, code, offset=None, field=None, message=None, **options):
    error = {"code": code}
    if offset is not None:
        error["offset"] = offset
    if field is not None:
        error["field"] = field
    if message is not None:
        error["message"] = message
    case = {"name": name, "input": input, "error": error}
    if options:
        case["options"] = options
    return case


def reg(ref, **more):
    return {"type": "registry", "attrs": {"ref": ref}, **more}


def e(type_, attrs, **more):
    return {"type": type_, "attrs": attrs, **more}


CSV = [
    ok("§2 one trailing newline is removed", "type=local,src=x\n", [e("local", {"src": "x"})]),
    ok("§2 one trailing CRLF is removed", "type=local,src=x\r\n", [e("local", {"src": "x"})]),
    ok("§2 only one trailing newline is removed", "type=local,src=x\n\n", [e("local", {"src": "x\n"})]),
    ok("§2 an embedded newline is data", "type=local,src=a\nb", [e("local", {"src": "a\nb"})]),
    ok("§2 spaces are kept in values", "type=local,src= x ", [e("local", {"src": " x "})]),
    ok("§2 tabs and CR are data", "type=local,src=a\tb\rc", [e("local", {"src": "a\tb\rc"})]),
    ok("§2 a quoted field may hold commas", 'type=local,"src=a,b"', [e("local", {"src": "a,b"}, string='type=local,"src=a,b"')]),
    ok("§2 doubled quotes in a quoted field", 'type=local,"src=say ""hi"""', [e("local", {"src": 'say "hi"'})]),
    ok("§2 a quoted field may hold a newline", 'type=local,"src=a\nb"', [e("local", {"src": "a\nb"})]),
    ok("§2 a quoted type field", '"type=local",src=x', [e("local", {"src": "x"})]),
    ok("§2 UTF-8 passes through", "type=local,src=/tmp/кэш", [e("local", {"src": "/tmp/кэш"})]),
    err("§2/§3 a ref value keeps its '=' and is then refused as a reference", "type=registry,ref=a=b", "INVALID_REFERENCE", field="ref"),
    err("§2 empty input after the newline is EOF", "\n", "INVALID_CSV", 0),
    err("§2 CRLF alone is EOF", "\r\n", "INVALID_CSV", 0),
    err("§2 bare quote: foo,aa\"bb,cc -> column 7", 'foo,aa"bb,cc', "INVALID_CSV", 6, message='parse error on line 1, column 7: bare " in non-quoted-field'),
    err("§2 bare quote: a\"\"b,c -> column 2", 'a""b,c', "INVALID_CSV", 1),
    err("§2 text after the closing quote -> column 4", '"a "word","b"', "INVALID_CSV", 3, message='parse error on line 1, column 4: extraneous or missing " in quoted-field'),
    err("§2 a lone quote -> column 2", '"', "INVALID_CSV", 1),
    err("§2 three quotes -> column 4", '"""', "INVALID_CSV", 3),
    err("§2 a field starting with a space and holding a quote is a bare quote", 'type=local, "src=x"', "INVALID_CSV", 12),
    err("§2 unterminated quote in key=value form", 'type=local,"src=x', "INVALID_CSV", 17),
    err("§2 bare quote inside a value", 'type=local,src=a"b', "INVALID_CSV", 16),
    err("§2 quote after a value", 'type=local,"src=x"y', "INVALID_CSV", 17),
]

ENTRY = [
    ok("§3 the empty string gives no entries", "", []),
    err("§3 a value of one space is a registry ref ' ' (not empty), then refused as a reference", " ", "INVALID_REFERENCE", field="ref"),
    ok("§3 shorthand: one ref", "user/app:cache", [reg("user/app:cache", settings={"ref": "docker.io/user/app:cache"}, string="user/app:cache")]),
    ok("§3 shorthand: trailing newline removed", "user/app:cache\n", [reg("user/app:cache")]),
    ok("§3 shorthand: two refs", "ghcr.io/o/a:1,ghcr.io/o/b:2", [reg("ghcr.io/o/a:1"), reg("ghcr.io/o/b:2")]),
    ok("§3 shorthand: three refs", "a,b,c", [reg("a"), reg("b"), reg("c")]),
    err("§3 shorthand: a trailing comma re-parses an empty field: EOF", "ref1,", "INVALID_CSV"),
    err("§3 shorthand: an empty field in the middle: EOF", "ref1,,ref2", "INVALID_CSV"),
    err("§3 shorthand: a quoted field with a comma re-splits: invalid value a", '"a,b"', "INVALID_FIELD", message="invalid value a"),
    ok("§3 shorthand: a quoted ref", '"user/app:cache"', [reg("user/app:cache")]),
    ok("§3 key=value: registry", "type=registry,ref=user/app:cache", [reg("user/app:cache", string="user/app:cache")]),
    ok("§3 keys are lower-cased", "TYPE=local,SRC=x,Dest=y", [e("local", {"src": "x", "dest": "y"})]),
    ok("§3 values keep their case", "type=local,src=/Tmp/X", [e("local", {"src": "/Tmp/X"})]),
    ok("§3 values may contain spaces and unicode", "type=local,src=a b/ü", [e("local", {"src": "a b/ü"})]),
    err("§3 type=Local is not a known type", "type=Local,src=x", "UNKNOWN_CACHE_TYPE", 5, field="type"),
    ok("§3 the last duplicate key wins", "type=local,src=a,src=b", [e("local", {"src": "b"})]),
    ok("§3 the last duplicate key wins after lower-casing", "type=local,SRC=a,src=b,Src=c", [e("local", {"src": "c"})]),
    ok("§3 the last type wins", "type=gha,type=local,src=x", [e("local", {"src": "x"})]),
    ok("§3 an empty key is kept (and warned about)", "type=local,src=x,=y", [e("local", {"src": "x", "": "y"}, warnings=["UNKNOWN_OPTION:"])]),
    ok("§3 keys are not trimmed", "type=local,src=x, dest=y", [e("local", {"src": "x", " dest": "y"}, warnings=["UNKNOWN_OPTION: dest"])]),
    err("§7 an empty tag= on an import without digest", "type=local,src=x,tag=", "MISSING_OPTION", field="tag", direction="import"),
    err("§3 a field without =: invalid value", "type=local,src", "INVALID_FIELD", 11, message="invalid value src"),
    err("§3 an empty field: invalid value with a trailing space", "type=local,,src=x", "INVALID_FIELD", 11, message="invalid value "),
    err("§3 a trailing comma in key=value form", "type=local,src=x,", "INVALID_FIELD", 17, message="invalid value "),
    err("§3.5 a bare word with key=value fields", "ref1,type=local", "INVALID_FIELD", 0, message="invalid value ref1"),
    err("§3 no type: type required for \"test=test\"", "test=test", "MISSING_TYPE", 0, field="type", message='type required for "test=test"'),
    err("§3 empty type: type required for \"type=\"", "type=", "MISSING_TYPE", message='type required for "type="'),
    err("§3 quoted single field with =: type required", '"a=b"', "MISSING_TYPE", message='type required for "\\"a=b\\""'),
    err("§3 a key=value list without type", "ref=user/app:cache,mode=max", "MISSING_TYPE"),
    err("§8 unknown types are refused up front", "type=nydus,ref=x", "UNKNOWN_CACHE_TYPE", 5, field="type"),
    err("§8 unknown type: s3x", "type=s3x", "UNKNOWN_CACHE_TYPE"),
]

COMMON = [
    ok("§9.1 mode defaults to min", "type=registry,ref=a/b:c", [reg("a/b:c", settings={"export": {"mode": "min", "ignore_error": False}})]),
    ok("§9.1 mode=max", "type=registry,ref=a/b:c,mode=max", [e("registry", {"ref": "a/b:c", "mode": "max"}, settings={"export": {"mode": "max"}})]),
    err("§9.1 mode=maximum is refused (BuildKit would silently use min)", "type=registry,ref=a/b:c,mode=maximum", "INVALID_OPTION_VALUE", 29, field="mode"),
    err("§9.1 mode=MAX is case-sensitive", "type=registry,ref=a/b:c,mode=MAX", "INVALID_OPTION_VALUE", field="mode"),
    err("§9.1 mode= (empty) is refused", "type=local,dest=d,mode=", "INVALID_OPTION_VALUE", field="mode"),
    ok("§9.1 ignore-error=true", "type=local,dest=d,ignore-error=true", [e("local", {"dest": "d", "ignore-error": "true"}, settings={"export": {"ignore_error": True}})]),
    ok("§9 bool: 1", "type=local,dest=d,ignore-error=1", [e("local", {"dest": "d", "ignore-error": "1"}, settings={"export": {"ignore_error": True}})]),
    ok("§9 bool: T", "type=local,dest=d,ignore-error=T", [e("local", {"dest": "d", "ignore-error": "T"}, settings={"export": {"ignore_error": True}})]),
    ok("§9 bool: TRUE", "type=local,dest=d,ignore-error=TRUE", [e("local", {"dest": "d", "ignore-error": "TRUE"}, settings={"export": {"ignore_error": True}})]),
    ok("§9 bool: True", "type=local,dest=d,ignore-error=True", [e("local", {"dest": "d", "ignore-error": "True"}, settings={"export": {"ignore_error": True}})]),
    ok("§9 bool: t", "type=local,dest=d,ignore-error=t", [e("local", {"dest": "d", "ignore-error": "t"}, settings={"export": {"ignore_error": True}})]),
    ok("§9 bool: 0", "type=local,dest=d,ignore-error=0", [e("local", {"dest": "d", "ignore-error": "0"}, settings={"export": {"ignore_error": False}})]),
    ok("§9 bool: f", "type=local,dest=d,ignore-error=f", [e("local", {"dest": "d", "ignore-error": "f"}, settings={"export": {"ignore_error": False}})]),
    ok("§9 bool: F", "type=local,dest=d,ignore-error=F", [e("local", {"dest": "d", "ignore-error": "F"}, settings={"export": {"ignore_error": False}})]),
    ok("§9 bool: FALSE", "type=local,dest=d,ignore-error=FALSE", [e("local", {"dest": "d", "ignore-error": "FALSE"}, settings={"export": {"ignore_error": False}})]),
    ok("§9 bool: False", "type=local,dest=d,ignore-error=False", [e("local", {"dest": "d", "ignore-error": "False"}, settings={"export": {"ignore_error": False}})]),
    err("§9/§12 bool: yes is not a Go bool", "type=local,dest=d,ignore-error=yes", "INVALID_OPTION_VALUE", 31, field="ignore-error"),
    err("§9 bool: on is not a Go bool", "type=local,dest=d,ignore-error=on", "INVALID_OPTION_VALUE", field="ignore-error"),
    err("§9 bool: surrounding spaces are refused", "type=local,dest=d,ignore-error= true", "INVALID_OPTION_VALUE", field="ignore-error"),
    err("§9 bool: tRUE is not a Go bool", "type=local,dest=d,ignore-error=tRUE", "INVALID_OPTION_VALUE", field="ignore-error"),
    ok("§9.1 mode on an import is ignored with a warning", "type=registry,ref=a/b:c,mode=maximum", [e("registry", {"ref": "a/b:c", "mode": "maximum"}, warnings=["OPTION_IGNORED:mode"])], direction="import"),
]

COMPRESSION = [
    ok("§9.2 compression defaults to gzip", "type=registry,ref=a/b", [reg("a/b", settings={"compression": {"compression": "gzip", "level": None, "force": False}})]),
    ok("§9.2 compression=zstd", "type=registry,ref=a/b,compression=zstd", [e("registry", {"ref": "a/b", "compression": "zstd"}, settings={"compression": {"compression": "zstd", "zstd_speed": "default"}})]),
    ok("§9.2 compression=estargz", "type=local,dest=d,compression=estargz", [e("local", {"dest": "d", "compression": "estargz"}, settings={"compression": {"compression": "estargz"}})]),
    ok("§9.2/§12 compression=uncompressed is accepted", "type=local,dest=d,compression=uncompressed", [e("local", {"dest": "d", "compression": "uncompressed"}, settings={"compression": {"compression": "uncompressed"}})]),
    err("§9.2 compression=nydus: unsupported compression type", "type=local,dest=d,compression=nydus", "INVALID_OPTION_VALUE", 30, field="compression", message="unsupported compression type nydus"),
    err("§9.2 compression=GZIP is case-sensitive", "type=local,dest=d,compression=GZIP", "INVALID_OPTION_VALUE", field="compression"),
    ok("§9.2 gzip level 9", "type=local,dest=d,compression-level=9", [e("local", {"dest": "d", "compression-level": "9"}, settings={"compression": {"level": 9}})]),
    ok("§9.2 gzip level -2 (Huffman only)", "type=local,dest=d,compression-level=-2", [e("local", {"dest": "d", "compression-level": "-2"}, settings={"compression": {"level": -2}})]),
    ok("§9.2 gzip level +4 (Go accepts a plus sign)", "type=local,dest=d,compression-level=+4", [e("local", {"dest": "d", "compression-level": "+4"}, settings={"compression": {"level": 4}})]),
    err("§9.2/§12 gzip level 10 is out of -2..9", "type=local,dest=d,compression-level=10", "INVALID_OPTION_VALUE", 36, field="compression-level"),
    err("§9.2 gzip level -3 is out of range", "type=local,dest=d,compression-level=-3", "INVALID_OPTION_VALUE", field="compression-level"),
    err("§9.2 estargz level 12 is out of range", "type=local,dest=d,compression=estargz,compression-level=12", "INVALID_OPTION_VALUE", field="compression-level"),
    err("§9.2 a non-integer level", "type=local,dest=d,compression-level=high", "INVALID_OPTION_VALUE", field="compression-level", message="non-integer value high specified for compression-level"),
    err("§9.2 a fractional level", "type=local,dest=d,compression-level=1.5", "INVALID_OPTION_VALUE", field="compression-level"),
    ok("§9.2 zstd level 1: fastest", "type=registry,ref=a/b,compression=zstd,compression-level=1", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "1"}, settings={"compression": {"level": 1, "zstd_speed": "fastest"}})]),
    ok("§9.2 zstd level 3: default", "type=registry,ref=a/b,compression=zstd,compression-level=3", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "3"}, settings={"compression": {"zstd_speed": "default"}})]),
    ok("§9.2 zstd level 5: default", "type=registry,ref=a/b,compression=zstd,compression-level=5", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "5"}, settings={"compression": {"zstd_speed": "default"}})]),
    ok("§9.2 zstd level 6: better", "type=registry,ref=a/b,compression=zstd,compression-level=6", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "6"}, settings={"compression": {"zstd_speed": "better"}})]),
    ok("§9.2 zstd level 9: better", "type=registry,ref=a/b,compression=zstd,compression-level=9", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "9"}, settings={"compression": {"zstd_speed": "better"}})]),
    ok("§9.2 zstd level 10: best", "type=registry,ref=a/b,compression=zstd,compression-level=10", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "10"}, settings={"compression": {"zstd_speed": "best"}})]),
    ok("§9.2/§12 zstd level 22 is accepted (any integer)", "type=registry,ref=a/b,compression=zstd,compression-level=22", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "22"}, settings={"compression": {"level": 22, "zstd_speed": "best"}})]),
    ok("§9.2 zstd level -5: fastest", "type=registry,ref=a/b,compression=zstd,compression-level=-5", [e("registry", {"ref": "a/b", "compression": "zstd", "compression-level": "-5"}, settings={"compression": {"zstd_speed": "fastest"}})]),
    ok("§9.2 uncompressed ignores the level", "type=local,dest=d,compression=uncompressed,compression-level=5", [e("local", {"dest": "d", "compression": "uncompressed", "compression-level": "5"}, warnings=["OPTION_IGNORED:compression-level"])]),
    ok("§9.2 force-compression with an empty value means true", "type=local,dest=d,force-compression=", [e("local", {"dest": "d", "force-compression": ""}, settings={"compression": {"force": True}})]),
    ok("§9.2 force-compression=false", "type=local,dest=d,force-compression=false", [e("local", {"dest": "d", "force-compression": "false"}, settings={"compression": {"force": False}})]),
    err("§9.2 force-compression=maybe", "type=local,dest=d,force-compression=maybe", "INVALID_OPTION_VALUE", field="force-compression", message="non-bool value maybe specified for force-compression"),
    ok("§9.2 gha ignores compression keys", "type=gha,compression=zstd,token=t,url=u", [e("gha", {"compression": "zstd", "token": "t", "url": "u"}, warnings=["OPTION_IGNORED:compression"])]),
    ok("§9.2 s3 ignores compression keys", "type=s3,bucket=b,region=r,compression-level=3", [e("s3", {"bucket": "b", "region": "r", "compression-level": "3"}, warnings=["OPTION_IGNORED:compression-level"])]),
    ok("§9.2 azblob ignores compression keys", "type=azblob,account_url=https://a.blob.core.windows.net,force-compression=true", [e("azblob", {"account_url": "https://a.blob.core.windows.net", "force-compression": "true"}, warnings=["OPTION_IGNORED:force-compression"])]),
]

REGISTRY = [
    ok("§9.3 ref is normalised: user/app", "type=registry,ref=user/app", [reg("user/app", settings={"ref": "docker.io/user/app:latest"})]),
    ok("§9.3 ref is normalised: alpine", "alpine", [reg("alpine", settings={"ref": "docker.io/library/alpine:latest"})]),
    ok("§9.3 ref with a port", "type=registry,ref=127.0.0.1:5000/cache:max,registry.insecure=true", [e("registry", {"ref": "127.0.0.1:5000/cache:max", "registry.insecure": "true"}, settings={"ref": "127.0.0.1:5000/cache:max", "insecure": True})]),
    ok("§9.3 ref pinned by digest on import", "type=registry,ref=ghcr.io/o/app@sha256:" + H, [reg("ghcr.io/o/app@sha256:" + H, settings={"ref": "ghcr.io/o/app@sha256:" + H})], direction="import"),
    err("§7 registry requires ref", "type=registry", "MISSING_OPTION", field="ref"),
    err("§7 registry with ref= (empty)", "type=registry,ref=", "MISSING_OPTION", field="ref"),
    err("§9.3 an upper-case repository is refused", "type=registry,ref=User/App", "INVALID_REFERENCE", field="ref"),
    err("§9.3 a bad tag is refused", "type=registry,ref=a/b:-x", "INVALID_REFERENCE", field="ref"),
    ok("§9.3 oci-mediatypes and image-manifest default to true", "type=registry,ref=a/b", [reg("a/b", settings={"oci_mediatypes": True, "image_manifest": True})]),
    ok("§9.3/§12 image-manifest defaults to false when oci-mediatypes=false", "type=registry,ref=a/b,oci-mediatypes=false", [e("registry", {"ref": "a/b", "oci-mediatypes": "false"}, settings={"oci_mediatypes": False, "image_manifest": False})]),
    ok("§9.3 image-manifest=false with OCI media types", "type=registry,ref=a/b,image-manifest=false", [e("registry", {"ref": "a/b", "image-manifest": "false"}, settings={"oci_mediatypes": True, "image_manifest": False})]),
    err("§9.3 image-manifest=true needs OCI media types", "type=registry,ref=a/b,oci-mediatypes=false,image-manifest=true", "OPTION_NOT_ALLOWED", field="image-manifest"),
    err("§9.3 oci-mediatypes=nope", "type=registry,ref=a/b,oci-mediatypes=nope", "INVALID_OPTION_VALUE", field="oci-mediatypes"),
    err("§9.3 registry.insecure=sure", "type=registry,ref=a/b,registry.insecure=sure", "INVALID_OPTION_VALUE", field="registry.insecure"),
    ok("§9.3 unknown registry keys are kept and warned about", "type=registry,ref=a/b,foo=bar", [e("registry", {"ref": "a/b", "foo": "bar"}, warnings=["UNKNOWN_OPTION:foo"])]),
    ok("§9.3 oci-mediatypes on an import is ignored", "type=registry,ref=a/b,oci-mediatypes=false", [e("registry", {"ref": "a/b", "oci-mediatypes": "false"}, warnings=["OPTION_IGNORED:oci-mediatypes"])], direction="import"),
    ok("spec example: ghcr ref with mode and compression", "type=registry,ref=ghcr.io/o/app:cache,mode=max,compression=zstd", [e("registry", {"ref": "ghcr.io/o/app:cache", "mode": "max", "compression": "zstd"}, string="type=registry,compression=zstd,mode=max,ref=ghcr.io/o/app:cache", json='{"type":"registry","attrs":{"compression":"zstd","mode":"max","ref":"ghcr.io/o/app:cache"}}')]),
]

LOCAL = [
    ok("§9.4 local export", "type=local,dest=/tmp/cache,mode=max", [e("local", {"dest": "/tmp/cache", "mode": "max"}, settings={"dest": "/tmp/cache", "tag": "latest", "reset": False})], direction="export"),
    ok("§9.4 local import", "type=local,src=/tmp/cache", [e("local", {"src": "/tmp/cache"}, settings={"src": "/tmp/cache", "tag": "latest", "digest": None})], direction="import"),
    ok("§9.4 local import by digest", "type=local,src=./cache,digest=sha256:" + H, [e("local", {"src": "./cache", "digest": "sha256:" + H}, settings={"digest": "sha256:" + H})], direction="import"),
    err("§9.4 a malformed digest is refused (BuildKit skips with a warning)", "type=local,src=./cache,digest=sha256:abc", "INVALID_OPTION_VALUE", 30, field="digest", direction="import"),
    err("§9.4 an upper-case digest is refused", "type=local,src=./cache,digest=sha256:" + H.upper(), "INVALID_OPTION_VALUE", field="digest", direction="import"),
    ok("§9.4 a custom tag", "type=local,dest=d,tag=main", [e("local", {"dest": "d", "tag": "main"}, settings={"tag": "main"})], direction="export"),
    err("§7 local export requires dest", "type=local,src=x", "MISSING_OPTION", field="dest", direction="export"),
    err("§7 local export with dest= (empty)", "type=local,dest=", "MISSING_OPTION", field="dest", direction="export"),
    err("§7 local import requires src", "type=local,dest=x", "MISSING_OPTION", field="src", direction="import"),
    err("§7 local without a direction needs src or dest", "type=local,tag=x", "MISSING_OPTION", field="src"),
    ok("§9.4 src on an export is ignored with a warning", "type=local,dest=d,src=s", [e("local", {"dest": "d", "src": "s"}, warnings=["OPTION_IGNORED:src"])], direction="export"),
    ok("§9.4 dest on an import is ignored with a warning", "type=local,src=s,dest=d", [e("local", {"dest": "d", "src": "s"}, warnings=["OPTION_IGNORED:dest"])], direction="import"),
    ok("§12 ref= on a local import is not read", "type=local,src=s,ref=x", [e("local", {"src": "s", "ref": "x"}, warnings=["UNKNOWN_OPTION:ref"])], direction="import"),
    ok("§9.4 reset=true (v0.31+)", "type=local,dest=d,reset=true", [e("local", {"dest": "d", "reset": "true"}, settings={"reset": True})], direction="export"),
    err("§7 reset=yes does not parse", "type=local,dest=d,reset=yes", "INVALID_OPTION_VALUE", field="reset", direction="export"),
    ok("§7 an empty tag with an explicit digest is fine", "type=local,src=s,tag=,digest=sha256:" + H, [e("local", {"src": "s", "tag": "", "digest": "sha256:" + H})], direction="import"),
    ok("§9.4 local both ways without a direction", "type=local,src=a,dest=b", [e("local", {"src": "a", "dest": "b"}, settings={"src": "a", "dest": "b"})]),
]

INLINE = [
    ok("§9.5 inline export", "type=inline", [e("inline", {}, settings={}, string="type=inline")], direction="export"),
    ok("§9.5 inline ignores mode", "type=inline,mode=max", [e("inline", {"mode": "max"}, warnings=["OPTION_IGNORED:mode"])], direction="export"),
    err("§9.5 there is no inline importer", "type=inline", "OPTION_NOT_ALLOWED", field="type", direction="import"),
    ok("§9.5 inline with an unknown key", "type=inline,ref=x", [e("inline", {"ref": "x"}, warnings=["UNKNOWN_OPTION:ref"])]),
]

GHA_ENV = {"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_CACHE_URL": "https://cache/"}
GHA = [
    ok("§9.6 gha defaults", "type=gha,token=t,url=https://u/", [e("gha", {"token": "t", "url": "https://u/"}, settings={"scope": "buildkit", "timeout_ms": 600000, "version": None}, active=True)]),
    ok("§9.6 gha scope and timeout", "type=gha,scope=main,timeout=1h30m,token=t,url=u", [e("gha", {"scope": "main", "timeout": "1h30m", "token": "t", "url": "u"}, settings={"scope": "main", "timeout_ms": 5400000})]),
    ok("§9.6 gha timeout with a fraction", "type=gha,timeout=1.5s,token=t,url=u", [e("gha", {"timeout": "1.5s", "token": "t", "url": "u"}, settings={"timeout_ms": 1500})]),
    err("§9.6 gha timeout=10 has no unit", "type=gha,timeout=10,token=t,url=u", "INVALID_OPTION_VALUE", 17, field="timeout"),
    err("§9.6 gha timeout=1d: no days in Go", "type=gha,timeout=1d,token=t,url=u", "INVALID_OPTION_VALUE", field="timeout"),
    ok("§9.6 gha version=2", "type=gha,version=2,token=t,url_v2=u", [e("gha", {"version": "2", "token": "t", "url_v2": "u"}, settings={"version": 2}, active=True)]),
    err("§9.6 gha version=0 is not positive", "type=gha,version=0,token=t,url=u", "INVALID_OPTION_VALUE", field="version"),
    err("§9.6 gha version=two", "type=gha,version=two,token=t,url=u", "INVALID_OPTION_VALUE", field="version"),
    ok("§6.1 gha takes token and url from the environment", "type=gha", [e("gha", {}, buildkit_attrs={"token": "tok", "url": "https://cache/"}, active=True)], env=GHA_ENV),
    ok("§6.1 gha without token or url is dropped by buildx", "type=gha", [e("gha", {}, buildkit_attrs={}, active=False)]),
    ok("§6.1 gha with a token but no url is dropped", "type=gha,token=t", [e("gha", {"token": "t"}, active=False)]),
    ok("§6.1 an explicit empty token= blocks the environment", "type=gha,token=", [e("gha", {"token": ""}, buildkit_attrs={"token": "", "url": "https://cache/"}, active=False)], env=GHA_ENV),
    ok("§6.1 url falls back to ACTIONS_RESULTS_URL", "type=gha", [e("gha", {}, buildkit_attrs={"token": "tok", "url": "https://results/"}, active=True)], env={"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_RESULTS_URL": "https://results/"}),
    ok("§6.1 ACTIONS_CACHE_SERVICE_V2=1 adds url_v2 from ACTIONS_RESULTS_URL", "type=gha", [e("gha", {}, buildkit_attrs={"token": "tok", "url": "https://results/", "url_v2": "https://results/"}, active=True)], env={"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_RESULTS_URL": "https://results/", "ACTIONS_CACHE_SERVICE_V2": "1"}),
    ok("§6.1/§12 ACTIONS_CACHE_SERVICE_V2=yes is not true for Go", "type=gha", [e("gha", {}, buildkit_attrs={"token": "tok", "url": "https://results/"})], env={"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_RESULTS_URL": "https://results/", "ACTIONS_CACHE_SERVICE_V2": "yes"}),
    ok("§6.1 an explicit version=1 does not add url_v2", "type=gha,version=1", [e("gha", {"version": "1"}, buildkit_attrs={"version": "1", "token": "tok", "url": "https://results/"})], env={"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_RESULTS_URL": "https://results/", "ACTIONS_CACHE_SERVICE_V2": "true"}),
    ok("§6.1 the entry's own url is kept", "type=gha,url=https://mine/", [e("gha", {"url": "https://mine/"}, buildkit_attrs={"token": "tok", "url": "https://mine/"})], env=GHA_ENV),
    ok("§9.6 repository and ghtoken on export", "type=gha,token=t,url=u,repository=o/r,ghtoken=g", [e("gha", {"token": "t", "url": "u", "repository": "o/r", "ghtoken": "g"}, settings={"repository": "o/r", "ghtoken": "g"})], direction="export"),
    ok("§9.6 repository on an import is ignored", "type=gha,token=t,url=u,repository=o/r", [e("gha", {"token": "t", "url": "u", "repository": "o/r"}, warnings=["OPTION_IGNORED:repository"])], direction="import"),
    err("§3.1 buildctl: gha without url is an error", "type=gha,token=t", "MISSING_OPTION", field="url", dialect="buildctl"),
    err("§3.1 buildctl: gha without token is an error", "type=gha,url=u", "MISSING_OPTION", field="token", dialect="buildctl"),
    ok("§3.1 buildctl: gha from the environment", "type=gha", [e("gha", {}, buildkit_attrs={"token": "tok", "url": "https://cache/"}, active=True)], env=GHA_ENV, dialect="buildctl", direction="import"),
]

AWS = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "SESSION"}
S3 = [
    ok("§9.7 s3 defaults", "type=s3,bucket=b,region=eu-west-1", [e("s3", {"bucket": "b", "region": "eu-west-1"}, settings={"prefix": "", "manifests_prefix": "manifests/", "blobs_prefix": "blobs/", "names": ["buildkit"], "touch_refresh_ms": 86400000, "upload_parallelism": 4, "use_path_style": False, "retry_mode": None})]),
    ok("§9.7 s3 names are ;-separated", "type=s3,bucket=b,region=r,name=main;pr-1", [e("s3", {"bucket": "b", "region": "r", "name": "main;pr-1"}, settings={"names": ["main", "pr-1"]})]),
    ok("§9.7 s3 every key", "type=s3,bucket=b,region=r,prefix=p/,manifests_prefix=m/,blobs_prefix=x/,endpoint_url=http://127.0.0.1:9000,use_path_style=true,upload_parallelism=8,disable_accept_encoding=true,retry_mode=adaptive,retry_max_attempts=5,touch_refresh=1h",
       [e("s3", {"bucket": "b", "region": "r", "prefix": "p/", "manifests_prefix": "m/", "blobs_prefix": "x/", "endpoint_url": "http://127.0.0.1:9000", "use_path_style": "true", "upload_parallelism": "8", "disable_accept_encoding": "true", "retry_mode": "adaptive", "retry_max_attempts": "5", "touch_refresh": "1h"},
          settings={"prefix": "p/", "use_path_style": True, "upload_parallelism": 8, "disable_accept_encoding": True, "retry_mode": "adaptive", "retry_max_attempts": 5, "touch_refresh_ms": 3600000})]),
    err("§9.7 upload_parallelism=0", "type=s3,bucket=b,region=r,upload_parallelism=0", "INVALID_OPTION_VALUE", field="upload_parallelism"),
    err("§9.7 retry_mode=fast", "type=s3,bucket=b,region=r,retry_mode=fast", "INVALID_OPTION_VALUE", field="retry_mode"),
    err("§9.7 retry_max_attempts=0", "type=s3,bucket=b,region=r,retry_max_attempts=0", "INVALID_OPTION_VALUE", field="retry_max_attempts"),
    err("§9.7 touch_refresh=daily (BuildKit ignores it silently)", "type=s3,bucket=b,region=r,touch_refresh=daily", "INVALID_OPTION_VALUE", field="touch_refresh"),
    err("§9.7 use_path_style=yes", "type=s3,bucket=b,region=r,use_path_style=yes", "INVALID_OPTION_VALUE", field="use_path_style"),
    ok("§9.7 s3 export-only keys are read on import too (no warning)", "type=s3,bucket=b,region=r,upload_parallelism=2", [e("s3", {"bucket": "b", "region": "r", "upload_parallelism": "2"}, warnings=[])], direction="import"),
    ok("§6.2 s3 credentials from the environment", "type=s3,bucket=b,region=r", [e("s3", {"bucket": "b", "region": "r"}, buildkit_attrs={"bucket": "b", "region": "r", "access_key_id": "AKID", "secret_access_key": "SECRET", "session_token": "SESSION"})], env=AWS),
    ok("§6.2 both keys given: nothing is added", "type=s3,bucket=b,region=r,access_key_id=A,secret_access_key=S", [e("s3", {"bucket": "b", "region": "r", "access_key_id": "A", "secret_access_key": "S"}, buildkit_attrs={"bucket": "b", "region": "r", "access_key_id": "A", "secret_access_key": "S"})], env=AWS),
    ok("§6.2 one key given: the missing ones come from the environment", "type=s3,bucket=b,region=r,access_key_id=A", [e("s3", {"bucket": "b", "region": "r", "access_key_id": "A"}, buildkit_attrs={"bucket": "b", "region": "r", "access_key_id": "A", "secret_access_key": "SECRET", "session_token": "SESSION"})], env=AWS),
    ok("§6.2 empty environment values are not used", "type=s3,bucket=b,region=r", [e("s3", {"bucket": "b", "region": "r"}, buildkit_attrs={"bucket": "b", "region": "r"})], env={"AWS_ACCESS_KEY_ID": ""}),
    ok("§9.7 s3 bucket from the daemon's environment is allowed to be absent", "type=s3", [e("s3", {}, settings={"bucket": None, "region": None})]),
]

AZBLOB = [
    ok("§9.8 azblob defaults", "type=azblob,account_url=https://acct.blob.core.windows.net", [e("azblob", {"account_url": "https://acct.blob.core.windows.net"}, settings={"container": "buildkit-cache", "prefix": "", "manifests_prefix": "manifests", "blobs_prefix": "blobs", "names": ["buildkit"]})]),
    ok("§9.8 azblob every key", "type=azblob,account_url=https://a.blob.core.windows.net,account_name=a,container=c,prefix=p,manifests_prefix=m,blobs_prefix=b,name=x;y,secret_access_key=k,mode=max",
       [e("azblob", {"account_url": "https://a.blob.core.windows.net", "account_name": "a", "container": "c", "prefix": "p", "manifests_prefix": "m", "blobs_prefix": "b", "name": "x;y", "secret_access_key": "k", "mode": "max"}, settings={"container": "c", "names": ["x", "y"], "export": {"mode": "max"}})]),
    err("§9.8 azblob account_url must be a URL", "type=azblob,account_url=not a url", "INVALID_OPTION_VALUE", field="account_url"),
    ok("§9.8 azblob account_url may come from the daemon", "type=azblob", [e("azblob", {}, settings={"account_url": None})]),
]

BUILDCTL = [
    ok("§3.1 buildctl legacy: the whole value is one ref", "example.com/foo/bar", [e("registry", {"ref": "example.com/foo/bar", "mode": "min"})], dialect="buildctl", direction="export"),
    err("§3.1 buildctl legacy: commas stay in the ref (then refused as a reference)", "a,b", "INVALID_REFERENCE", field="ref", dialect="buildctl", direction="import"),
    ok("§3.1 buildctl export gets mode=min", "type=local,dest=d", [e("local", {"dest": "d", "mode": "min"})], dialect="buildctl", direction="export"),
    ok("§3.1 buildctl export keeps an explicit mode", "type=local,dest=d,mode=max", [e("local", {"dest": "d", "mode": "max"})], dialect="buildctl", direction="export"),
    ok("§3.1 buildctl import gets no mode", "type=local,src=s", [e("local", {"src": "s"})], dialect="buildctl", direction="import"),
    err("§3.1 buildctl export without type", "ref=x,xtype=y", "MISSING_TYPE", message="--export-cache requires type=<type>", dialect="buildctl", direction="export"),
    err("§3.1 buildctl import without type", "xtype=y", "MISSING_TYPE", message="--import-cache requires type=<type>", dialect="buildctl", direction="import"),
    ok("§3.1 buildctl: the buildx shorthand with = is key/value", "type=registry,ref=a/b", [e("registry", {"ref": "a/b", "mode": "min"})], dialect="buildctl", direction="export"),
    err("§3.1 buildctl: an empty value is an empty ref", "", "MISSING_OPTION", field="ref", dialect="buildctl", direction="import"),
    err("§3.1 buildctl keys are split at the first = too", "type=local,src", "INVALID_FIELD", message="invalid value src", dialect="buildctl", direction="import"),
]

STRING = [
    ok("§4 String(): a registry entry with only ref prints the ref", "type=registry,ref=user/app:cache", [reg("user/app:cache", string="user/app:cache")]),
    ok("§4 String(): type first, then sorted keys", "type=local,src=s,dest=d,mode=max", [e("local", {"src": "s", "dest": "d", "mode": "max"}, string="type=local,dest=d,mode=max,src=s")]),
    ok("§4 String(): a pair with a quote is quoted and doubled", 'type=local,"dest=say ""hi"""', [e("local", {"dest": 'say "hi"'}, string='type=local,"dest=say ""hi"""')]),
    ok("§4 String(): spaces are not quoted", "type=local,dest=a b", [e("local", {"dest": "a b"}, string="type=local,dest=a b")]),
    ok("§4 canonical form: a ref with mode is not the bare ref", "type=registry,ref=a/b,mode=max", [e("registry", {"ref": "a/b", "mode": "max"}, string="type=registry,mode=max,ref=a/b")]),
    ok("§4 canonical form: a trailing newline in the last value is quoted", 'type=local,"src=x\n"', [e("local", {"src": "x\n"}, string='type=local,"src=x\n"')]),
    ok("§4 JSON sent to BuildKit: sorted attrs", "type=local,src=s,dest=d", [e("local", {"src": "s", "dest": "d"}, json='{"type":"local","attrs":{"dest":"d","src":"s"}}')]),
    ok("§4 the empty key prints as =value", "type=local,dest=d,=x", [e("local", {"dest": "d", "": "x"}, string="type=local,=x,dest=d")]),
]

FILES = {
    "csv.json": CSV,
    "entry.json": ENTRY,
    "common.json": COMMON,
    "compression.json": COMPRESSION,
    "registry.json": REGISTRY,
    "local.json": LOCAL,
    "inline.json": INLINE,
    "gha.json": GHA,
    "s3.json": S3,
    "azblob.json": AZBLOB,
    "buildctl.json": BUILDCTL,
    "string.json": STRING,
}

total = 0
for name, cases in FILES.items():
    for c in cases:
        assert ("expect" in c) != ("error" in c), c["name"]
    (HERE / name).write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    total += len(cases)
print(f"{total} vectors in {len(FILES)} files")
