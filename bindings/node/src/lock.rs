//! `lockFile` and `unlockFile`: an advisory `flock(2)` lock on a file — the
//! lock BuildKit's `client/ociindex` takes on `<layout>/index.json.lock`
//! (gofrs/flock: exclusive to write `index.json`, shared to read it). Node
//! has no `flock` of its own, so the addon offers this one host facility; it
//! is not part of the package's API (no typings, not exported), and the
//! waiting policy — how long, how often — is `npm/lock.mjs`'s. Python uses `fcntl.flock`
//! (`python/ocicache/lock.py`) for the same lock.
//!
//! BuildKit removes the lock file after each use, so a lock can be taken on
//! a file that has just been unlinked, which protects nothing: after
//! locking, the path must still name the locked file, else the lock is let
//! go and taken again on the file the path names now.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::ErrorKind as IoKind;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use napi::bindgen_prelude::{Env, Result};
use napi_derive::napi;

use crate::error::to_js;

/// The locks held, by handle.
static HELD: Mutex<BTreeMap<u32, File>> = Mutex::new(BTreeMap::new());
static NEXT: AtomicU32 = AtomicU32::new(1);

fn storage_error(env: &Env, path: &str, err: &std::io::Error) -> napi::Error {
    to_js(
        env,
        &ocicache::Error::new(ocicache::ErrorKind::StorageError, format!("{path}: {err}")),
    )
}

/// Opens the lock file: for reading (`shared`), or for writing, created if
/// need be; never waiting (`O_NONBLOCK`: a FIFO without a writer would
/// block the open).
fn open(path: &str, shared: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options
        .read(true)
        .write(!shared)
        .create(!shared)
        .truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn not_a_file(env: &Env, path: &str) -> napi::Error {
    to_js(
        env,
        &ocicache::Error::new(
            ocicache::ErrorKind::NotAFile,
            format!("{path} is not a file: BuildKit's lock file must be one"),
        ),
    )
}

/// Whether `file` is still the file at `path`.
#[cfg(unix)]
fn still_there(file: &File, path: &str) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let (held, now) = (file.metadata()?, std::fs::metadata(path));
    Ok(now.is_ok_and(|m| m.dev() == held.dev() && m.ino() == held.ino()))
}

#[cfg(not(unix))]
fn still_there(_: &File, path: &str) -> std::io::Result<bool> {
    Ok(std::path::Path::new(path).exists())
}

/// Takes the lock on `path` without waiting: exclusive (creating the file,
/// as BuildKit's writer does), or shared with other readers when `shared`.
/// Returns a handle for `unlockFile`; `0` for a shared lock when the file
/// does not exist (no writer holds it then, and a reader leaves the layout
/// as it is) or cannot be opened (read-only file system, no permission:
/// read unlocked, as BuildKit does); or `null` while another process holds
/// the lock.
#[napi(skip_typescript)]
#[allow(clippy::needless_pass_by_value)] // napi hands arguments over by value
pub fn lock_file(env: &Env, path: String, shared: bool) -> Result<Option<u32>> {
    for _ in 0..100 {
        let file = match open(&path, shared) {
            Ok(f) => f,
            Err(e)
                if shared
                    && matches!(
                        e.kind(),
                        IoKind::NotFound | IoKind::PermissionDenied | IoKind::ReadOnlyFilesystem
                    ) =>
            {
                return Ok(Some(0));
            }
            Err(e) if e.kind() == IoKind::IsADirectory => return Err(not_a_file(env, &path)),
            Err(e) => return Err(storage_error(env, &path, &e)),
        };
        // Only a regular file is a lock (a FIFO or a directory there is
        // damage: never waited on, never locked).
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(not_a_file(env, &path));
        }
        let locked = if shared {
            file.try_lock_shared()
        } else {
            file.try_lock()
        };
        match locked {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(storage_error(env, &path, &e)),
        }
        if still_there(&file, &path).map_err(|e| storage_error(env, &path, &e))? {
            let handle = NEXT.fetch_add(1, Ordering::Relaxed);
            HELD.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(handle, file);
            return Ok(Some(handle));
        }
    }
    Ok(None)
}

/// Lets the lock of `handle` go. The lock file stays: BuildKit's next
/// export opens it, and removing it here would let two processes lock two
/// files.
#[napi(skip_typescript)]
pub fn unlock_file(handle: u32) {
    let file = HELD
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&handle);
    if let Some(file) = file {
        let _ = file.unlock();
    }
}
