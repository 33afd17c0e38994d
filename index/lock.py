"""One writer per store: `vidsage index` holds a lock file in the store folder while it writes.

Readers (`ask`, `eval`, `chat`) take no lock: they only see videos whose record is "done", which is
written last, so a concurrent reader sees the library as of the last finished video. Two writers on
one folder are refused with a clear message. A Chroma server arbitrates its own writes, so no lock
file is used for `--db http://...`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from vidsage.types import StoreError


@contextlib.contextmanager
def writer_lock(db: str, timeout: float = 0.0) -> Iterator[None]:
    if db.startswith(("http://", "https://")):
        yield
        return
    folder = Path(db)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / ".vidsage-writer.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise StoreError(f"another `vidsage index` is writing to {db}; wait for it to finish "
                         "(queries keep working meanwhile) or index into another --db") from None
    try:
        (folder / ".vidsage-writer.pid").write_text(str(os.getpid()))
        yield
    finally:
        lock.release()
