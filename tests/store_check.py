"""What a store shows to queries, as JSON: run in a fresh process after a writer was killed.

    python tests/store_check.py DB

A fresh process sees the store as a new reader would (no client cached from before the kill).
It opens the store, lists the records, reads every collection through the query API (`get` and a
nearest-neighbour `query`), and reports per video name the entry counts, so a test can check that
nothing half-written is visible and compare a resumed store with an uninterrupted one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def report(db: str) -> dict:
    from vidsage.index.store import VECTOR_COLLECTIONS, Store

    st = Store(db)
    recs = st.videos()
    out: dict = {"videos": {r.video_id: r.status for r in recs}, "visible": {}, "queried": {}, "counts": {}}
    for c in VECTOR_COLLECTIONS:
        out["visible"][c] = sorted({h.meta["video_id"] for h in st.get(c)})
        col = st._col(c, create=False)
        if col is not None and col.count():
            probe = col.get(limit=1, include=["embeddings"])["embeddings"][0]  # any stored vector will do
            out["queried"][c] = sorted({h.meta["video_id"] for h in st.query(c, list(probe), k=50)})
    for r in recs:
        out["counts"][Path(r.path).name] = [r.status, r.keyframes, r.chunks, r.segments,
                                            *(st.count(c, r.video_id) for c in VECTOR_COLLECTIONS)]
    return out


if __name__ == "__main__":
    print(json.dumps(report(sys.argv[1])))
