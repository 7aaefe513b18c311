//! Layer digests in one pass: the compressed blob's digest and size, its
//! compression, and the diffID (the digest of the uncompressed tar) with
//! the uncompressed size; and the reverse, for export.
//!
//! Spec: `cache-format.md` ("Layer blobs"; every layer descriptor's
//! `containerd.io/uncompressed` annotation is the diffID), `oci-basics.md`
//! §1.4 (digests of the exact bytes).

use crate::compression::{
    Compression, DETECT_LEN, Decoder, Encoder, Limits, Sink, detect_compression, unknown,
};
use crate::digest::{Algorithm, Digest};
use crate::digester::Digester;
use crate::error::{Error, Result};

/// What one pass over a layer blob yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerDigests {
    /// The blob's compression.
    pub compression: Compression,
    /// The digest of the compressed blob.
    pub digest: Digest,
    /// The size of the compressed blob.
    pub size: u64,
    /// The digest of the uncompressed tar (`containerd.io/uncompressed`).
    pub diff_id: Digest,
    /// The size of the uncompressed tar.
    pub uncompressed_size: u64,
}

/// A streaming layer digester: push the compressed blob in chunks, get
/// [`LayerDigests`]. The compression is detected from the first bytes.
pub struct LayerDigester {
    blob: Digester,
    diff: Digester,
    prefix: Vec<u8>,
    decoder: Option<Decoder>,
    compression: Option<Compression>,
    uncompressed_size: u64,
    limits: Limits,
    /// The first decoding error, once [`LayerDigester::update_tolerant`]
    /// met one (the blob is still hashed).
    failed: Option<Error>,
}

impl LayerDigester {
    /// A digester (sha256) with `limits` for the decoding.
    pub fn new(limits: Limits) -> Self {
        LayerDigester::with_algorithm(Algorithm::Sha256, limits)
    }

    /// A digester hashing the blob with `algorithm` (the diffID is always
    /// sha256).
    pub(crate) fn with_algorithm(algorithm: Algorithm, limits: Limits) -> Self {
        LayerDigester {
            blob: Digester::new(algorithm),
            diff: Digester::new(Algorithm::Sha256),
            prefix: Vec::new(),
            decoder: None,
            compression: None,
            uncompressed_size: 0,
            limits,
            failed: None,
        }
    }

    fn feed(&mut self, data: &[u8]) -> Result<()> {
        let (diff, size) = (&mut self.diff, &mut self.uncompressed_size);
        let mut sink = |chunk: &[u8]| {
            diff.update(chunk);
            *size += chunk.len() as u64;
            Ok(())
        };
        match &mut self.decoder {
            Some(d) => d.update(data, &mut sink),
            None => Ok(()),
        }
    }

    fn start(&mut self) -> Result<()> {
        let compression = detect_compression(&self.prefix).ok_or_else(unknown)?;
        self.compression = Some(compression);
        self.decoder = Some(Decoder::new(compression, self.limits));
        let prefix = std::mem::take(&mut self.prefix);
        self.feed(&prefix)
    }

    /// Push the next chunk of the compressed blob.
    pub fn update(&mut self, chunk: &[u8]) -> Result<()> {
        self.blob.update(chunk);
        if self.decoder.is_some() {
            return self.feed(chunk);
        }
        self.prefix.extend_from_slice(chunk);
        let decided = self.prefix.len() >= DETECT_LEN
            || matches!(
                detect_compression(&self.prefix),
                Some(Compression::Gzip | Compression::Zstd)
            );
        if decided { self.start() } else { Ok(()) }
    }

    /// [`LayerDigester::update`] that never stops hashing the blob: the
    /// first decoding error is kept for [`LayerDigester::finalize_tolerant`]
    /// and decoding stops there.
    pub(crate) fn update_tolerant(&mut self, chunk: &[u8]) {
        if self.failed.is_some() {
            self.blob.update(chunk);
        } else if let Err(e) = self.update(chunk) {
            self.failed = Some(e);
            self.decoder = None;
        }
    }

    /// End of a blob fed through [`LayerDigester::update_tolerant`]: its
    /// digest and size, its diffID and uncompressed size or the first
    /// decoding error, and the compression its bytes are in (when known).
    pub(crate) fn finalize_tolerant(
        mut self,
    ) -> (Digest, u64, Result<(Digest, u64)>, Option<Compression>) {
        let diff_id = match self.failed.take() {
            Some(e) => Err(e),
            None => self
                .finish_decoding()
                .map(|()| (self.diff.finalize(), self.diff.size())),
        };
        (
            self.blob.finalize(),
            self.blob.size(),
            diff_id,
            self.compression,
        )
    }

    fn finish_decoding(&mut self) -> Result<()> {
        if self.decoder.is_none() {
            self.start()?;
        }
        match &mut self.decoder {
            Some(d) => d.finish(),
            None => Ok(()),
        }
    }

    /// End of the blob: check the stream is complete and return the digests.
    pub fn finalize(mut self) -> Result<LayerDigests> {
        self.finish_decoding()?;
        Ok(LayerDigests {
            compression: self.compression.unwrap_or(Compression::Uncompressed),
            digest: self.blob.finalize(),
            size: self.blob.size(),
            diff_id: self.diff.finalize(),
            uncompressed_size: self.uncompressed_size,
        })
    }
}

/// The [`LayerDigests`] of a whole blob.
///
/// ```
/// use ocicache::{Compression, Limits, compress, digest, layer_digests, Algorithm};
///
/// let tar = vec![0u8; 1024]; // an empty tar
/// let (blob, _) = compress(&tar, Compression::Gzip, None)?;
/// let d = layer_digests(&blob, Limits::default())?;
/// assert_eq!(d.compression, Compression::Gzip);
/// assert_eq!(d.diff_id, digest(&tar, Algorithm::Sha256));
/// assert_eq!(d.uncompressed_size, 1024);
/// # Ok::<(), ocicache::Error>(())
/// ```
pub fn layer_digests(blob: &[u8], limits: Limits) -> Result<LayerDigests> {
    let mut d = LayerDigester::new(limits);
    d.update(blob)?;
    d.finalize()
}

/// What compressing a tar for export yields: the digests of both sides and
/// the level really used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompressedLayer {
    /// The digests (compressed blob and diffID) and sizes.
    pub digests: LayerDigests,
    /// The compression level really applied (`None` for uncompressed).
    pub level: Option<i32>,
}

/// A streaming layer compressor: push a tar in chunks, get the compressed
/// blob through a sink, then its digest, size and diffID.
pub struct LayerCompressor {
    encoder: Encoder,
    compression: Compression,
    blob: Digester,
    diff: Digester,
}

impl LayerCompressor {
    /// A compressor for `compression` at `level` (see [`Encoder::new`]).
    pub fn new(compression: Compression, level: Option<i32>) -> Result<Self> {
        Ok(LayerCompressor {
            encoder: Encoder::new(compression, level)?,
            compression,
            blob: Digester::new(Algorithm::Sha256),
            diff: Digester::new(Algorithm::Sha256),
        })
    }

    /// Push the next chunk of the tar; compressed bytes go to `sink`.
    pub fn update(&mut self, tar: &[u8], sink: &mut Sink<'_>) -> Result<()> {
        self.diff.update(tar);
        let blob = &mut self.blob;
        self.encoder.update(tar, &mut |out| {
            blob.update(out);
            sink(out)
        })
    }

    /// End of the tar: the last compressed bytes go to `sink`.
    pub fn finalize(mut self, sink: &mut Sink<'_>) -> Result<CompressedLayer> {
        let blob = &mut self.blob;
        self.encoder.finish(&mut |out| {
            blob.update(out);
            sink(out)
        })?;
        Ok(CompressedLayer {
            digests: LayerDigests {
                compression: self.compression,
                digest: self.blob.finalize(),
                size: self.blob.size(),
                diff_id: self.diff.finalize(),
                uncompressed_size: self.diff.size(),
            },
            level: self.encoder.level(),
        })
    }
}
