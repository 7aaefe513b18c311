"""Blobs gc has moved aside, and the wait for a layout to settle: the two
host halves of gc's protocol against concurrent exports
(:func:`ocicache.operations.gc` has the argument, the core
``Cache.recheck`` the decision). The same as the Node package's
``aside.mjs``.

A blob gc means to delete is first renamed out of ``blobs/`` into
``ingest/ocicache-gc-<pid>-<random>/<algorithm>/<encoded>`` (the same file
system; BuildKit and gc leave ``ingest/`` alone). An export that looks for it
from then on finds it missing and writes it again; one that found it before
the move has, by the time the layout has been quiet for a while, written
``index.json``, which gc reads again before it decides. A gc that dies
halfway leaves its directory; the next gc puts everything in it back."""

from __future__ import annotations

import os
import secrets
import shutil
import time
from typing import Optional

from ocicache.file import read_bounded

PREFIX = "ocicache-gc-"


class Aside:
    """The blobs of one gc, moved out of a layout's ``blobs/``."""

    def __init__(self, root: str, directory: str) -> None:
        self.root = root
        self.dir = directory
        self.digests: list[str] = []
        """The digests moved."""

    def _blob(self, digest: str) -> str:
        algorithm, encoded = digest.split(":", 1)
        return os.path.join(self.root, "blobs", algorithm, encoded)

    def _aside(self, digest: str) -> str:
        algorithm, encoded = digest.split(":", 1)
        return os.path.join(self.dir, algorithm, encoded)

    @classmethod
    def move(cls, root: str, digests: list[str]) -> Aside:
        """Moves the blobs ``digests`` of the layout at ``root`` aside (those
        already gone are skipped)."""
        aside = cls(root, os.path.join(root, "ingest", f"{PREFIX}{os.getpid()}-{secrets.token_hex(6)}"))
        for digest in digests:
            os.makedirs(os.path.join(aside.dir, digest.split(":", 1)[0]), exist_ok=True)
            try:
                os.rename(aside._blob(digest), aside._aside(digest))
            except FileNotFoundError:
                continue
            aside.digests.append(digest)
        return aside

    def read_blob(self, digest: str, *, limit: Optional[int] = None) -> Optional[bytes]:
        """A moved blob's bytes (at most ``limit`` of them), or ``None``."""
        return read_bounded(self._aside(digest), limit)

    def restore(self, digest: str) -> None:
        """Puts a blob back (or drops this copy when the layout has it again)."""
        try:
            if os.path.exists(self._blob(digest)):
                os.unlink(self._aside(digest))
            else:
                os.rename(self._aside(digest), self._blob(digest))
        except FileNotFoundError:
            pass

    def purge(self, digest: str) -> None:
        """Deletes a moved blob for good."""
        try:
            os.unlink(self._aside(digest))
        except FileNotFoundError:
            pass

    def close(self) -> None:
        """Removes the (emptied) directory."""
        shutil.rmtree(self.dir, ignore_errors=True)

    @classmethod
    def recover(cls, root: str) -> None:
        """Puts back every blob a gc left aside in the layout at ``root`` (one
        that died, or one still running: putting back is always safe), and
        removes its directory."""
        ingest = os.path.join(root, "ingest")
        try:
            names = os.listdir(ingest)
        except (FileNotFoundError, NotADirectoryError):
            return
        for name in names:
            directory = os.path.join(ingest, name)
            if not name.startswith(PREFIX) or not os.path.isdir(directory):
                continue
            aside = cls(root, directory)
            for algorithm in os.listdir(directory):
                if os.path.isdir(os.path.join(directory, algorithm)):
                    for encoded in os.listdir(os.path.join(directory, algorithm)):
                        aside.restore(f"{algorithm}:{encoded}")
            aside.close()


def _newest_ingest(root: str) -> float:
    """The newest modification time (s) under ``ingest/``, gc's own
    directories aside."""
    newest = 0.0

    def walk(directory: str, depth: int) -> None:
        nonlocal newest
        try:
            entries = list(os.scandir(directory))
        except (FileNotFoundError, NotADirectoryError):
            return
        for e in entries:
            if depth == 0 and e.name.startswith(PREFIX):
                continue
            try:
                newest = max(newest, e.stat(follow_symlinks=False).st_mtime)
            except FileNotFoundError:
                continue
            if depth < 2 and e.is_dir(follow_symlinks=False):
                walk(e.path, depth + 1)

    walk(os.path.join(root, "ingest"), 0)
    return newest


def settle(root: str, *, settle_ms: int, max_wait_ms: Optional[int] = None) -> bool:
    """Waits until nothing has been written under the layout's ``ingest/``
    (where BuildKit's exporter and ocicache's writers put each blob first)
    for ``settle_ms``, counted from now at the earliest. Gives up after
    ``max_wait_ms`` (default: 30 × ``settle_ms``, at least a minute).
    Returns whether the layout settled."""
    limit = (max_wait_ms if max_wait_ms is not None else max(60_000, 30 * settle_ms)) / 1000
    start = time.time()
    while True:
        now = time.time()
        since = max(start, _newest_ingest(root))
        if now - since >= settle_ms / 1000:
            return True
        if now - start >= limit:
            return False
        time.sleep(min(0.1, settle_ms / 1000 - (now - since)))
