//! OCI content descriptors (oci-basics.md §2), read tolerantly and written
//! byte-for-byte like Go's image-spec v1.1.1 structs: field order
//! `mediaType`, `digest`, `size`, `urls`, `annotations`, `data`, `platform`,
//! `artifactType`; the first three always written, the rest omitted when
//! empty; annotation keys sorted.

use std::collections::BTreeMap;

use base64::Engine as _;

use crate::digest::{Algorithm, Digest};
use crate::digester::digest;
use crate::error::{Error, ErrorKind, Result};
use crate::finding::Finding;
use crate::json::Extra;
use crate::json::reader::{Reader, document, is_key};
use crate::json::writer::Writer;
use crate::media_type::MediaType;

/// Go's `encoding/base64.StdEncoding` for `[]byte` fields.
pub(crate) const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The platform of an index entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Platform {
    /// CPU architecture, e.g. `amd64`.
    pub architecture: String,
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// `os.version`.
    pub os_version: String,
    /// `os.features`.
    pub os_features: Vec<String>,
    /// CPU variant, e.g. `v8`.
    pub variant: String,
    /// Members this library does not know.
    pub extra: Extra,
}

/// A reference to content: media type, digest and size, with optional
/// annotations and the other OCI descriptor fields.
///
/// ```
/// use ocicache::{Descriptor, MediaType};
///
/// let d = Descriptor::for_content(MediaType::OCI_EMPTY, b"{}");
/// assert_eq!(d.size, 2);
/// assert_eq!(
///     String::from_utf8(d.to_bytes()).unwrap(),
///     r#"{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// The media type of the content.
    pub media_type: String,
    /// The digest of the content.
    pub digest: Digest,
    /// The size of the content in bytes (at most 2^63−1).
    pub size: u64,
    /// Other places to fetch the content from.
    pub urls: Vec<String>,
    /// Annotations, sorted by key.
    pub annotations: BTreeMap<String, String>,
    /// The content itself, embedded (`data`, base64 in JSON).
    pub data: Option<Vec<u8>>,
    /// The platform of an index entry.
    pub platform: Option<Platform>,
    /// `artifactType`.
    pub artifact_type: String,
    /// Members this library does not know.
    pub extra: Extra,
}

impl Descriptor {
    /// A descriptor with only media type, digest and size.
    pub fn new(media_type: impl Into<String>, digest: Digest, size: u64) -> Self {
        Descriptor {
            media_type: media_type.into(),
            digest,
            size,
            urls: Vec::new(),
            annotations: BTreeMap::new(),
            data: None,
            platform: None,
            artifact_type: String::new(),
            extra: Extra::default(),
        }
    }

    /// The descriptor of `content`: its sha256 digest and its length.
    pub fn for_content(media_type: impl Into<String>, content: &[u8]) -> Self {
        Descriptor::new(
            media_type,
            digest(content, Algorithm::Sha256),
            content.len() as u64,
        )
    }

    /// The same descriptor with annotation `key` set to `value`.
    #[must_use]
    pub fn with_annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.annotations.insert(key.into(), value.into());
        self
    }

    /// Reads one descriptor from JSON bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Descriptor> {
        document(bytes, Descriptor::read)
    }

    /// The descriptor as compact JSON, byte-for-byte as Go writes it.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(256);
        self.write(&mut w);
        w.out
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Descriptor> {
        Descriptor::read_fields(r, false)?.ok_or_else(|| {
            Error::new(ErrorKind::MissingField, "descriptor has no digest").in_field("digest")
        })
    }

    /// A descriptor, or `None` for Go's zero descriptor
    /// (`{"mediaType":"","digest":"","size":0}`, what `json.Marshal` writes
    /// for an absent one, such as a manifest's missing `config`).
    pub(crate) fn read_or_zero(r: &mut Reader<'_>) -> Result<Option<Descriptor>> {
        Descriptor::read_fields(r, true)
    }

    fn read_fields(r: &mut Reader<'_>, zero: bool) -> Result<Option<Descriptor>> {
        let mut media_type = String::new();
        let mut digest = None;
        let mut size = 0;
        let mut urls = Vec::new();
        let mut annotations = BTreeMap::new();
        let mut data = None;
        let mut platform = None;
        let mut artifact_type = String::new();
        let mut extra = Extra::default();
        let mut empty_digest = None;
        r.object(|r, key| {
            if r.null()? {
                return Ok(());
            }
            let k = key.as_ref();
            if is_key(k, "mediaType") {
                media_type = r.string().map_err(|e| e.within("mediaType"))?.into_owned();
            } else if is_key(k, "digest") {
                if zero && r.peek() == Some(b'"') {
                    let text = r.string().map_err(|e| e.within("digest"))?;
                    match Digest::parse(&text) {
                        Ok(d) => digest = Some(d),
                        Err(e) if text.is_empty() => empty_digest = Some(e.within("digest")),
                        Err(e) => return Err(e.within("digest")),
                    }
                } else {
                    digest = Some(read_digest(r).map_err(|e| e.within("digest"))?);
                }
            } else if is_key(k, "size") {
                size = r.size().map_err(|e| e.within("size"))?;
            } else if is_key(k, "urls") {
                urls = read_strings(r).map_err(|e| e.within("urls"))?;
            } else if is_key(k, "annotations") {
                annotations = read_string_map(r).map_err(|e| e.within("annotations"))?;
            } else if is_key(k, "data") {
                data = Some(read_base64(r).map_err(|e| e.within("data"))?);
            } else if is_key(k, "platform") {
                platform = Some(Platform::read(r).map_err(|e| e.within("platform"))?);
            } else if is_key(k, "artifactType") {
                artifact_type = r
                    .string()
                    .map_err(|e| e.within("artifactType"))?
                    .into_owned();
            } else {
                extra.push(k, r.skip()?);
            }
            Ok(())
        })?;
        let is_zero = media_type.is_empty()
            && size == 0
            && urls.is_empty()
            && annotations.is_empty()
            && data.is_none()
            && platform.is_none()
            && artifact_type.is_empty()
            && extra.is_empty();
        if let Some(e) = empty_digest {
            return if is_zero { Ok(None) } else { Err(e) };
        }
        let digest = digest.ok_or_else(|| {
            Error::new(ErrorKind::MissingField, "descriptor has no digest").in_field("digest")
        })?;
        Ok(Some(Descriptor {
            media_type,
            digest,
            size,
            urls,
            annotations,
            data: data.filter(|d: &Vec<u8>| !d.is_empty()),
            platform,
            artifact_type,
            extra,
        }))
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.raw(b"{\"mediaType\":");
        w.string(&self.media_type);
        w.raw(b",\"digest\":");
        w.string(self.digest.as_str());
        w.raw(b",\"size\":");
        w.uint(self.size);
        let mut first = false;
        if !self.urls.is_empty() {
            w.key(&mut first, "urls");
            write_strings(w, &self.urls);
        }
        if !self.annotations.is_empty() {
            w.key(&mut first, "annotations");
            w.string_map(self.annotations.iter());
        }
        if let Some(data) = self.data.as_ref().filter(|d| !d.is_empty()) {
            w.key(&mut first, "data");
            w.string(&BASE64.encode(data));
        }
        if let Some(p) = &self.platform {
            w.key(&mut first, "platform");
            p.write(w);
        }
        if !self.artifact_type.is_empty() {
            w.key(&mut first, "artifactType");
            w.string(&self.artifact_type);
        }
        self.extra.write(w, &mut first);
        w.byte(b'}');
    }

    /// Checks the descriptor against the OCI rules, adding findings under
    /// `path`: media type present and RFC 6838, embedded data matching size
    /// and digest, URLs absolute, artifact type well formed.
    pub fn validate_into(&self, path: &str, findings: &mut Vec<Finding>) {
        if self.size > crate::size::MAX_SAFE_INTEGER {
            findings.push(Finding::error(
                ErrorKind::SizeOutOfRange,
                format!("{path}.size"),
                format!(
                    "size {} is above 2^53-1: no blob is that large (reports count it as unknown)",
                    self.size
                ),
            ));
        }
        if self.media_type.is_empty() {
            findings.push(Finding::error(
                ErrorKind::MissingField,
                format!("{path}.mediaType"),
                "descriptor has no mediaType",
            ));
        } else if !MediaType::is_valid(&self.media_type) {
            findings.push(Finding::error(
                ErrorKind::InvalidMediaType,
                format!("{path}.mediaType"),
                format!("{:?} is not an RFC 6838 media type", self.media_type),
            ));
        }
        if let Some(data) = &self.data {
            if data.len() as u64 != self.size {
                findings.push(Finding::error(
                    ErrorKind::SizeMismatch,
                    format!("{path}.data"),
                    format!("data is {} bytes, size says {}", data.len(), self.size),
                ));
            } else if let Err(e) = crate::digester::verify(data, &self.digest, None) {
                findings.push(Finding::error(
                    e.kind(),
                    format!("{path}.data"),
                    e.message(),
                ));
            }
        }
        for (i, url) in self.urls.iter().enumerate() {
            if !is_absolute_uri(url) {
                findings.push(Finding::error(
                    ErrorKind::InvalidField,
                    format!("{path}.urls[{i}]"),
                    format!("{url:?} is not an absolute URI"),
                ));
            }
        }
        if !self.artifact_type.is_empty() && !MediaType::is_valid(&self.artifact_type) {
            findings.push(Finding::error(
                ErrorKind::InvalidMediaType,
                format!("{path}.artifactType"),
                format!("{:?} is not an RFC 6838 media type", self.artifact_type),
            ));
        }
        if let Some(p) = &self.platform
            && (p.architecture.is_empty() || p.os.is_empty())
        {
            findings.push(Finding::error(
                ErrorKind::MissingField,
                format!("{path}.platform"),
                "platform needs architecture and os",
            ));
        }
    }
}

fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let b = scheme.as_bytes();
    !rest.is_empty()
        && !s.contains(char::is_whitespace)
        && b.first().is_some_and(u8::is_ascii_alphabetic)
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

impl Platform {
    fn read(r: &mut Reader<'_>) -> Result<Platform> {
        let mut p = Platform::default();
        r.object(|r, key| {
            if r.null()? {
                return Ok(());
            }
            let k = key.as_ref();
            if is_key(k, "architecture") {
                p.architecture = r.string()?.into_owned();
            } else if is_key(k, "os") {
                p.os = r.string()?.into_owned();
            } else if is_key(k, "os.version") {
                p.os_version = r.string()?.into_owned();
            } else if is_key(k, "os.features") {
                p.os_features = read_strings(r)?;
            } else if is_key(k, "variant") {
                p.variant = r.string()?.into_owned();
            } else {
                p.extra.push(k, r.skip()?);
            }
            Ok(())
        })?;
        Ok(p)
    }

    fn write(&self, w: &mut Writer) {
        w.raw(b"{\"architecture\":");
        w.string(&self.architecture);
        w.raw(b",\"os\":");
        w.string(&self.os);
        let mut first = false;
        if !self.os_version.is_empty() {
            w.key(&mut first, "os.version");
            w.string(&self.os_version);
        }
        if !self.os_features.is_empty() {
            w.key(&mut first, "os.features");
            write_strings(w, &self.os_features);
        }
        if !self.variant.is_empty() {
            w.key(&mut first, "variant");
            w.string(&self.variant);
        }
        self.extra.write(w, &mut first);
        w.byte(b'}');
    }
}

/// Reads a digest string and validates it.
pub(crate) fn read_digest(r: &mut Reader<'_>) -> Result<Digest> {
    r.parsed(Digest::parse)
}

fn read_base64(r: &mut Reader<'_>) -> Result<Vec<u8>> {
    let s = r.string()?;
    let cleaned: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    BASE64.decode(cleaned.as_bytes()).map_err(|e| {
        Error::new(
            ErrorKind::InvalidBase64,
            format!("not padded standard base64: {e}"),
        )
    })
}

pub(crate) fn read_strings(r: &mut Reader<'_>) -> Result<Vec<String>> {
    r.list(|r| {
        Ok(if r.null()? {
            String::new()
        } else {
            r.string()?.into_owned()
        })
    })
}

pub(crate) fn write_strings(w: &mut Writer, items: &[String]) {
    w.byte(b'[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            w.byte(b',');
        }
        w.string(s);
    }
    w.byte(b']');
}

pub(crate) fn read_string_map(r: &mut Reader<'_>) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    r.object(|r, key| {
        let value = if r.null()? {
            String::new()
        } else {
            r.string().map_err(|e| e.within(&key))?.into_owned()
        };
        out.insert(key.into_owned(), value);
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    #[test]
    fn round_trips_every_field_in_go_order() {
        let json = format!(
            r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{D}","size":2,"urls":["https://example.com/x"],"annotations":{{"a":"1","b":"\u003c"}},"data":"e30=","platform":{{"architecture":"arm64","os":"linux","os.version":"1","os.features":["f"],"variant":"v8"}},"artifactType":"a/b","x-extra":[1]}}"#
        );
        let d = Descriptor::from_bytes(json.as_bytes()).unwrap();
        assert_eq!(d.data.as_deref(), Some(&b"{}"[..]));
        assert_eq!(String::from_utf8(d.to_bytes()).unwrap(), json);
        let mut findings = Vec::new();
        d.validate_into("d", &mut findings);
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn reads_tolerantly_and_writes_like_go() {
        let json = format!(
            r#" {{ "Digest" : "{D}", "annotations": {{"b":"2","a":"1"}}, "size": null, "data": "", "mediaType": "x/y" }} "#
        );
        let d = Descriptor::from_bytes(json.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(d.to_bytes()).unwrap(),
            format!(
                r#"{{"mediaType":"x/y","digest":"{D}","size":0,"annotations":{{"a":"1","b":"2"}}}}"#
            )
        );
    }

    #[test]
    fn errors_have_codes_and_paths() {
        let err = |json: &str| Descriptor::from_bytes(json.as_bytes()).unwrap_err();
        let e = err(r#"{"mediaType":"x/y","size":1}"#);
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::MissingField, Some("digest"))
        );
        let e = err(r#"{"digest":"sha256:../../etc/passwd"}"#);
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::InvalidDigest, Some("digest"))
        );
        let e = err(&format!(r#"{{"digest":"{D}","size":9223372036854775808}}"#));
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::SizeOutOfRange, Some("size"))
        );
        let e = err(&format!(r#"{{"digest":"{D}","size":-1}}"#));
        assert_eq!(e.kind(), ErrorKind::SizeOutOfRange);
        let e = err(&format!(r#"{{"digest":"{D}","size":"2"}}"#));
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::InvalidJson, Some("size"))
        );
        let e = err(&format!(r#"{{"digest":"{D}","data":"e30"}}"#));
        assert_eq!(e.kind(), ErrorKind::InvalidBase64);
        let e = err(&format!(r#"{{"digest":"{D}","annotations":{{"a":1}}}}"#));
        assert_eq!(e.field(), Some("annotations.a"));
    }

    #[test]
    fn validation_findings() {
        let mut d = Descriptor::for_content("", b"{}");
        d.data = Some(b"{ }".to_vec());
        d.urls.push("not a url".into());
        d.artifact_type = "bad".into();
        d.platform = Some(Platform::default());
        let mut f = Vec::new();
        d.validate_into("x", &mut f);
        let codes: Vec<_> = f.iter().map(|f| (f.code(), f.path.as_str())).collect();
        assert_eq!(
            codes,
            [
                ("MISSING_FIELD", "x.mediaType"),
                ("SIZE_MISMATCH", "x.data"),
                ("INVALID_FIELD", "x.urls[0]"),
                ("INVALID_MEDIA_TYPE", "x.artifactType"),
                ("MISSING_FIELD", "x.platform"),
            ]
        );
    }
}
