//! Round trips, chunking and corruption for gzip and zstd.
#![allow(clippy::cast_possible_truncation)] // checksums are truncated on purpose

use super::*;

fn samples() -> Vec<Vec<u8>> {
    let mut x = 0x1234_5678u32;
    let random: Vec<u8> = (0..300_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    vec![Vec::new(), vec![42], b"hello, layer".repeat(10_000), random]
}

fn decode_in_chunks(data: &[u8], compression: Compression, chunk: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut d = Decoder::new(compression, Limits::default());
    for piece in data.chunks(chunk.max(1)) {
        d.update(piece, &mut |c| {
            out.extend_from_slice(c);
            Ok(())
        })?;
    }
    d.finish()?;
    Ok(out)
}

#[test]
fn round_trips_in_any_chunking() {
    for compression in [
        Compression::Gzip,
        Compression::Zstd,
        Compression::Uncompressed,
    ] {
        for data in samples() {
            let (packed, _) = compress(&data, compression, None).unwrap();
            for chunk in [1, 7, 4096, usize::MAX] {
                let chunk = chunk.min(packed.len().max(1));
                if chunk == 1 && packed.len() > 100_000 {
                    continue;
                }
                let back = decode_in_chunks(&packed, compression, chunk).unwrap();
                assert_eq!(back, data, "{compression:?} in chunks of {chunk}");
            }
        }
    }
}

#[test]
fn gzip_levels_and_reported_level() {
    let data = b"abcabcabc".repeat(1000);
    for level in -2..=9 {
        let (packed, used) = compress(&data, Compression::Gzip, Some(level)).unwrap();
        assert_eq!(used, Some(if level == -1 { 6 } else { level }));
        assert_eq!(decompress(&packed, None, Limits::default()).unwrap(), data);
    }
    assert_eq!(
        Encoder::new(Compression::Gzip, Some(10))
            .err()
            .unwrap()
            .kind(),
        ErrorKind::InvalidArgument
    );
    let (_, used) = compress(&data, Compression::Zstd, Some(19)).unwrap();
    assert_eq!(used, Some(1), "ruzstd encodes at its fastest level only");
}

#[test]
fn gzip_bytes_do_not_depend_on_how_the_input_came() {
    // Text and incompressible runs mixed, as in layers: zlib-rs's own
    // levels 5 and 6 wrote other bytes for other splits of this.
    let mut data = Vec::new();
    for (i, sample) in samples().iter().enumerate().cycle().take(12) {
        data.extend_from_slice(&sample[..sample.len().min(40_000 + i * 1000)]);
    }
    for level in -1..=9 {
        let whole = crate::fuzzing::gzip_encode(level, &[&data]);
        for chunk in [1000, 4096, 65_537] {
            let pieces: Vec<&[u8]> = data.chunks(chunk).collect();
            let split = crate::fuzzing::gzip_encode(level, &pieces);
            assert!(
                level == 0 || split == whole,
                "level {level}: pieces of {chunk} gave other bytes"
            );
        }
    }
}

#[test]
fn gzip_multi_member_and_header_fields() {
    let (a, _) = compress(b"first ", Compression::Gzip, None).unwrap();
    let (b, _) = compress(b"second", Compression::Gzip, None).unwrap();
    let joined = [a.clone(), b].concat();
    assert_eq!(
        decompress(&joined, None, Limits::default()).unwrap(),
        b"first second"
    );
    // FEXTRA + FNAME + FCOMMENT + FHCRC around the same deflate body.
    let mut header = vec![0x1f, 0x8b, 8, 0x04 | 0x08 | 0x10 | 0x02, 0, 0, 0, 0, 0, 3];
    header.extend_from_slice(&[4, 0, b'A', b'B', 0, 0]);
    header.extend_from_slice(b"name.tar\0comment\0");
    let crc = zlib_rs::crc32::crc32(0, &header);
    header.extend_from_slice(&(crc as u16).to_le_bytes());
    let fancy = [header.clone(), a[10..].to_vec()].concat();
    for chunk in [1, 3, 1000] {
        assert_eq!(
            decode_in_chunks(&fancy, Compression::Gzip, chunk).unwrap(),
            b"first "
        );
    }
    let mut bad_hcrc = fancy.clone();
    bad_hcrc[header.len() - 1] ^= 1;
    assert_eq!(
        decompress(&bad_hcrc, None, Limits::default())
            .unwrap_err()
            .kind(),
        ErrorKind::ChecksumMismatch
    );
}

#[test]
fn gzip_corruption_has_codes() {
    let (packed, _) = compress(&b"some layer data ".repeat(500), Compression::Gzip, None).unwrap();
    let n = packed.len();
    let code = |data: &[u8]| {
        decompress(data, Some(Compression::Gzip), Limits::default())
            .unwrap_err()
            .code()
    };
    let mut bad_crc = packed.clone();
    bad_crc[n - 8] ^= 1;
    assert_eq!(code(&bad_crc), "CHECKSUM_MISMATCH");
    let mut bad_isize = packed.clone();
    bad_isize[n - 4] ^= 1;
    assert_eq!(code(&bad_isize), "LENGTH_MISMATCH");
    assert_eq!(code(&packed[..n - 3]), "TRUNCATED_DATA");
    assert_eq!(code(&packed[..n / 2]), "TRUNCATED_DATA");
    assert_eq!(code(&packed[..5]), "TRUNCATED_DATA");
    assert_eq!(code(b""), "TRUNCATED_DATA");
    let mut wrong_magic = packed.clone();
    wrong_magic[1] = 0;
    assert_eq!(code(&wrong_magic), "INVALID_COMPRESSED_DATA");
    let mut reserved = packed.clone();
    reserved[3] = 0x80;
    assert_eq!(code(&reserved), "INVALID_COMPRESSED_DATA");
    let mut body = packed.clone();
    body[10] = 0xff; // a reserved deflate block type
    assert!(["INVALID_COMPRESSED_DATA", "CHECKSUM_MISMATCH"].contains(&code(&body)));
    assert_eq!(
        code(&[packed.clone(), b"garbage".to_vec()].concat()),
        "TRAILING_DATA"
    );
    assert_eq!(
        code(&[packed.clone(), vec![0x1f]].concat()),
        "TRAILING_DATA"
    );
    assert_eq!(code(&[packed, vec![0; 8]].concat()), "TRAILING_DATA");
}

#[test]
fn corrupt_deflate_data_says_why_and_where() {
    // A member whose deflate stream is one final block of the reserved
    // type 3 (BFINAL = 1, BTYPE = 11).
    let mut member = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x07];
    member.extend_from_slice(&[0; 8]);
    let err = decompress(&member, Some(Compression::Gzip), Limits::default()).unwrap_err();
    assert_eq!(err.code(), "INVALID_COMPRESSED_DATA");
    assert!(
        err.to_string()
            .contains("corrupt deflate data (invalid block type)"),
        "{err}"
    );
    assert_eq!(err.offset(), Some(11));
}

#[test]
fn bombs_stop_at_the_limit() {
    let zeros = vec![0u8; 8 << 20];
    let limits = Limits {
        max_output: 1 << 20,
        ..Limits::default()
    };
    for compression in [
        Compression::Gzip,
        Compression::Zstd,
        Compression::Uncompressed,
    ] {
        let (packed, _) = compress(&zeros, compression, None).unwrap();
        let err = decompress(&packed, Some(compression), limits).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SizeLimitExceeded, "{compression:?}");
    }
}

#[test]
fn zstd_frames_skippable_frames_and_errors() {
    let (a, _) = compress(b"one ", Compression::Zstd, None).unwrap();
    let (b, _) = compress(b"two", Compression::Zstd, None).unwrap();
    let skippable = [0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9].to_vec();
    let stream = [skippable.clone(), a.clone(), skippable, b].concat();
    assert_eq!(detect_compression(&stream), Some(Compression::Zstd));
    for chunk in [1, 5, 100_000] {
        assert_eq!(
            decode_in_chunks(&stream, Compression::Zstd, chunk).unwrap(),
            b"one two"
        );
    }
    let code = |data: &[u8]| {
        decompress(data, Some(Compression::Zstd), Limits::default())
            .unwrap_err()
            .code()
    };
    assert_eq!(code(&a[..a.len() - 1]), "TRUNCATED_DATA");
    assert_eq!(code(b""), "TRUNCATED_DATA");
    assert_eq!(
        code(&[a.clone(), b"junk".to_vec()].concat()),
        "TRAILING_DATA"
    );
    let mut wrong = a.clone();
    wrong[0] = 0;
    assert_eq!(code(&wrong), "INVALID_COMPRESSED_DATA");
    // A frame header asking for a 1 GiB window (Window_Descriptor exponent 20).
    let big_window = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0x01, 0x00, 0x00];
    assert_eq!(code(&big_window), "WINDOW_TOO_LARGE");
}

#[test]
fn zstd_checksum_is_checked() {
    // zstd CLI output of "hello\n" with a content checksum (flag 0x04).
    let mut frame = vec![
        0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x06, 0x31, 0x00, 0x00, b'h', b'e', b'l', b'l', b'o', b'\n',
    ];
    let checksum = {
        use std::hash::Hasher;
        let mut h = twox_hash_stub::XxHash64::default();
        h.write(b"hello\n");
        h.finish() as u32
    };
    frame.extend_from_slice(&checksum.to_le_bytes());
    assert_eq!(
        decompress(&frame, None, Limits::default()).unwrap(),
        b"hello\n"
    );
    let n = frame.len();
    frame[n - 1] ^= 1;
    assert_eq!(
        decompress(&frame, None, Limits::default())
            .unwrap_err()
            .code(),
        "CHECKSUM_MISMATCH"
    );
}

/// XXH64 with seed 0, enough for the checksum test (reference algorithm).
mod twox_hash_stub {
    const P1: u64 = 0x9E37_79B1_85EB_CA87;
    const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    const P3: u64 = 0x1656_67B1_9E37_79F9;
    const P4: u64 = 0x85EB_CA77_C2B2_AE63;
    const P5: u64 = 0x27D4_EB2F_1656_67C5;

    #[derive(Default)]
    pub struct XxHash64(Vec<u8>);

    impl std::hash::Hasher for XxHash64 {
        fn write(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
        fn finish(&self) -> u64 {
            let d = &self.0;
            assert!(d.len() < 32, "short inputs only");
            let mut h = P5.wrapping_add(d.len() as u64);
            let mut i = 0;
            while i + 8 <= d.len() {
                let k = u64::from_le_bytes(d[i..i + 8].try_into().unwrap());
                h ^= k.wrapping_mul(P2).rotate_left(31).wrapping_mul(P1);
                h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
                i += 8;
            }
            if i + 4 <= d.len() {
                let k = u64::from(u32::from_le_bytes(d[i..i + 4].try_into().unwrap()));
                h ^= k.wrapping_mul(P1);
                h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
                i += 4;
            }
            for &b in &d[i..] {
                h ^= u64::from(b).wrapping_mul(P5);
                h = h.rotate_left(11).wrapping_mul(P1);
            }
            h ^= h >> 33;
            h = h.wrapping_mul(P2);
            h ^= h >> 29;
            h = h.wrapping_mul(P3);
            h ^ (h >> 32)
        }
    }
}

#[test]
fn detects_tar_and_estargz_footer() {
    let mut tar = vec![0u8; 1024];
    tar[257..262].copy_from_slice(b"ustar");
    assert_eq!(detect_compression(&tar), Some(Compression::Uncompressed));
    assert_eq!(
        detect_compression(&[0u8; 1024]),
        Some(Compression::Uncompressed)
    );
    assert_eq!(detect_compression(&[0u8; 100]), None);
    let mut footer = vec![
        0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 255, 26, 0, b'S', b'G', 22, 0,
    ];
    footer.extend_from_slice(b"00000000000004d2STARGZ");
    footer.extend_from_slice(&[1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(footer.len(), 51);
    assert_eq!(estargz_toc_offset(&footer), Some(0x4d2));
    assert_eq!(estargz_toc_offset(&footer[1..]), None);
}

#[test]
fn levels_from_js_numbers() {
    assert_eq!(level_from_number(9.0).unwrap(), 9);
    assert_eq!(level_from_number(-2.0).unwrap(), -2);
    for bad in [1.5, f64::NAN, f64::INFINITY, 1e12] {
        assert_eq!(
            level_from_number(bad).unwrap_err().kind(),
            ErrorKind::InvalidArgument,
            "{bad}"
        );
    }
}

/// A zstd frame of `blocks` RLE blocks of 128 KiB of zeros: 4 bytes each.
fn zstd_zeros(blocks: usize) -> Vec<u8> {
    let mut out = vec![0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
    for i in 0..blocks {
        let header = (128u32 << 10) << 3 | 1 << 1 | u32::from(i + 1 == blocks);
        out.extend_from_slice(&header.to_le_bytes()[..3]);
        out.push(0);
    }
    out
}

/// `data` decoded in chunks of `chunk` with `update_limited(…, max)`,
/// called again with no input while it says it stopped; every call's
/// output, and the calls that found it stopped.
fn decode_limited(
    data: &[u8],
    compression: Compression,
    chunk: usize,
    max: usize,
) -> Result<(Vec<Vec<u8>>, usize)> {
    let mut calls = Vec::new();
    let mut stops = 0;
    let mut d = Decoder::new(compression, Limits::default());
    for piece in data.chunks(chunk).chain(std::iter::once(&[][..])) {
        let mut input = piece;
        loop {
            let mut out = Vec::new();
            let stopped = d.update_limited(input, Some(max as u64), &mut |c| {
                out.extend_from_slice(c);
                Ok(())
            })?;
            calls.push(out);
            input = &[];
            if !stopped {
                break;
            }
            stops += 1;
        }
    }
    d.finish()?;
    Ok((calls, stops))
}

#[test]
fn a_limited_update_hands_out_the_same_bytes_in_bounded_pieces() {
    let bomb = zstd_zeros(64);
    let mut cases: Vec<(Compression, Vec<u8>, Vec<u8>)> =
        vec![(Compression::Zstd, bomb, vec![0; 64 << 17])];
    for compression in [
        Compression::Gzip,
        Compression::Zstd,
        Compression::Uncompressed,
    ] {
        for data in samples() {
            let (packed, _) = compress(&data, compression, None).unwrap();
            cases.push((compression, packed, data));
        }
    }
    for (compression, packed, data) in &cases {
        for (chunk, max) in [
            (usize::MAX, 1000),
            (4096, 1),
            (4096, 70_000),
            (100_000, 1 << 20),
        ] {
            let chunk = chunk.min(packed.len().max(1));
            if max == 1 && data.len() > 20_000 {
                continue;
            }
            let (calls, stops) = decode_limited(packed, *compression, chunk, max).unwrap();
            assert_eq!(
                calls.concat(),
                *data,
                "{compression:?} in chunks of {chunk}, at most {max}"
            );
            for out in &calls {
                assert!(
                    out.len() < max + (128 << 10),
                    "{compression:?}: {} bytes for at most {max}",
                    out.len()
                );
            }
            if chunk >= packed.len() && data.len() > 2 * max {
                assert!(stops > 0, "{compression:?}: never stopped at {max}");
            }
        }
    }
}

#[test]
fn finish_refuses_a_decoder_stopped_at_its_limit() {
    let (packed, _) = compress(&b"layer".repeat(100_000), Compression::Gzip, None).unwrap();
    let mut d = Decoder::new(Compression::Gzip, Limits::default());
    assert!(
        d.update_limited(&packed, Some(1000), &mut |_| Ok(()))
            .unwrap()
    );
    let err = d.finish().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.to_string().contains("call update with an empty chunk"),
        "{err}"
    );
    while d.update_limited(&[], Some(1000), &mut |_| Ok(())).unwrap() {}
    d.finish().unwrap();
}

#[test]
fn an_unlimited_update_after_a_limited_one_decodes_what_it_kept_first() {
    let data = b"hello, layer".repeat(50_000);
    for compression in [
        Compression::Gzip,
        Compression::Zstd,
        Compression::Uncompressed,
    ] {
        let (packed, _) = compress(&data, compression, None).unwrap();
        let mut out = Vec::new();
        let mut d = Decoder::new(compression, Limits::default());
        let (a, b) = packed.split_at(packed.len() / 2);
        let mut sink = |c: &[u8]| {
            out.extend_from_slice(c);
            Ok(())
        };
        assert!(d.update_limited(a, Some(10), &mut sink).unwrap());
        d.update(b, &mut sink).unwrap();
        d.finish().unwrap();
        assert_eq!(out, data, "{compression:?}");
    }
}
