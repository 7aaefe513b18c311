//! Layers are hashed in bounded memory: the heap a verify's layer digester
//! uses (blob digest, decoding, diffID) stays flat whatever the layer's
//! uncompressed size, for every decoder, bombs included. Measured with a
//! counting allocator over the whole test binary (so the tests of this file
//! run one at a time).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use ocicache::{Compression, LayerDigester, Limits};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: u64 = 1 << 20;

/// A zstd frame of `size` zero bytes (a multiple of 128 KiB) made of RLE
/// blocks: 4 bytes of input for every 128 KiB of output, a "bomb".
fn zstd_zeros(size: u64) -> Vec<u8> {
    // Magic; no content size, no checksum; a 128 KiB window.
    let mut out = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
    let blocks = size / (128 << 10);
    for i in 0..blocks {
        let last = u32::from(i + 1 == blocks);
        let header = (128 << 10) << 3 | 1 << 1 | last;
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.push(0);
    }
    out
}

/// A gzip stream of `size` zero bytes (a multiple of 1 MiB): members of
/// 1 MiB each, one after the other.
fn gzip_zeros(size: u64) -> Vec<u8> {
    let (member, _) = ocicache::compress(&vec![0; 1 << 20], Compression::Gzip, None).unwrap();
    member.repeat(usize::try_from(size / MIB).unwrap())
}

/// The peak heap, above what was in use before, of digesting `blob` as a
/// layer fed in 64 KiB chunks (decoders may hold a chunk of input, so the
/// same size for every layer), or with `zeros`, an uncompressed layer of
/// that many zero bytes fed in 1 MiB chunks; and the uncompressed size
/// found.
fn peak(blob: &[u8], zeros: u64) -> (usize, u64) {
    let chunk = vec![0u8; 1 << 20];
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut d = LayerDigester::new(Limits::default());
    for c in blob.chunks(64 << 10) {
        d.update(c).unwrap();
    }
    for _ in 0..zeros / MIB {
        d.update(&chunk).unwrap();
    }
    let digests = d.finalize().unwrap();
    let used = PEAK.load(Ordering::Relaxed) - base;
    (used, digests.uncompressed_size)
}

/// Checks that digesting a layer of 64 MiB and one of `large` uses the same
/// heap, give or take 1 MiB, and less than 8 MiB.
fn flat(what: &str, large: u64, make: impl Fn(u64) -> (Vec<u8>, u64)) {
    let _one = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (blob, zeros) = make(64 * MIB);
    let (small, n) = peak(&blob, zeros);
    assert_eq!(n, 64 * MIB);
    drop(blob);
    let (blob, zeros) = make(large);
    let (big, n) = peak(&blob, zeros);
    assert_eq!(n, large);
    eprintln!(
        "{what}: peak heap {small} bytes for 64 MiB, {big} for {} MiB",
        large / MIB
    );
    assert!(
        big < 8 << 20,
        "{what}: {big} bytes of heap for {} MiB",
        large / MIB
    );
    assert!(
        big <= small + (1 << 20),
        "{what}: {small} bytes for 64 MiB, {big} for {} MiB",
        large / MIB
    );
}

#[test]
fn zstd_layers_hash_in_flat_memory_a_4_gib_bomb_included() {
    flat("zstd", 4096 * MIB, |n| (zstd_zeros(n), 0));
}

#[test]
fn gzip_layers_hash_in_flat_memory() {
    flat("gzip", 1024 * MIB, |n| (gzip_zeros(n), 0));
}

#[test]
fn uncompressed_layers_hash_in_flat_memory() {
    flat("uncompressed", 1024 * MIB, |n| (Vec::new(), n));
}
