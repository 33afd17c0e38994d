"""The Chroma store: one place that reads and writes vidsage's collections.

Collections (DESIGN.md):
- `videos`: one record per indexed video (content hash as id); the source of truth for what is
  visible. Entries of a video whose status is not "done" are never returned by queries.
- `frames`: text of each keyframe (tags / OCR / faces / colours), text vectors.
- `segments`: shots and events with bounds, text vectors.
- `transcript`: transcript chunks (ASR and subtitles), text vectors.
- `clip`: CLIP image vectors of keyframes (only when CLIP weights exist).
Each vector collection records the model that wrote it; opening it with another model is refused.

Writes for one video are idempotent (deterministic ids, upsert) and become visible in one step
(the video's status flips to "done" last), so an interrupted run never shows half a video and a
resumed run never duplicates entries.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from vidsage.types import Hit, StoreError, VideoRecord

VECTOR_COLLECTIONS = ("frames", "segments", "transcript", "clip")
log = logging.getLogger(__name__)

_BATCH = 2000
_PER_VIDEO_CACHE = 512  # (collection, video) reads kept for repeated queries (~0.2 MB each at most)
_DUMMY = [1.0]  # the videos collection holds records, not vectors; Chroma still wants one


# Chroma's client setup is not thread-safe the first time a path is opened (KeyError inside its
# system cache), and the TUI opens stores from worker threads: open one at a time.
_OPEN_LOCK = threading.Lock()


def _client(db: str):
    with _OPEN_LOCK:
        return _open_client(db)


def _open_client(db: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if db.startswith(("http://", "https://")):
        from urllib.parse import urlparse

        u = urlparse(db)
        return chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                   ssl=u.scheme == "https", settings=chroma_settings)
    Path(db).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=db, settings=chroma_settings)


@dataclass
class _Entry:
    id: str
    vector: Sequence[float]
    document: str
    meta: dict[str, Any]


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata holds str/int/float/bool only: drop None, JSON-encode the rest."""
    out: dict[str, Any] = {}
    for k, v in meta.items():
        if v is None:
            continue
        if isinstance(v, (str, int, float, bool)):
            out[k] = v
        elif isinstance(v, np.generic):
            out[k] = v.item()
        else:
            out[k] = json.dumps(v, ensure_ascii=False)
    return out


class Store:
    """Read and write access to one vidsage store (a folder or a Chroma server URL)."""

    def __init__(self, db: str, models: dict[str, str] | None = None):
        """`models` maps collection -> model name; given by writers (and by readers that embed)."""
        self.db = str(db)
        try:
            self._client = _client(self.db)
        except Exception as e:  # connection refused, bad folder, ...
            raise StoreError(f"cannot open the store at {self.db}: {type(e).__name__}: {str(e)[:200]}") from None
        self._models = dict(models or {})
        self._cols: dict[str, Any] = {}
        self._done_cache: tuple[float, dict[str, VideoRecord], int] | None = None  # (when, done, all)
        # per-video reads that queries repeat (vectors for calibration, a video's segments), keyed by
        # the record's indexed_at so a re-indexed video is read again; bounded, oldest dropped first
        self._per_video: dict[tuple, Any] = {}
        self._fulltext: Any = None  # FullText of a local store, opened on first use
        self._fulltext_lock = threading.Lock()

    # -- full-text index -----------------------------------------------------------------------
    def fulltext(self) -> Any:
        """The store's full-text index (index/fulltext.py), filled from Chroma the first time an
        older store is used; None for a Chroma server (lexical filters then use `$contains`)."""
        if self.db.startswith(("http://", "https://")):
            return None
        with self._fulltext_lock:
            if self._fulltext is None:
                import sqlite3

                from .fulltext import FullText

                try:
                    ft = FullText(self.db)
                    if not ft.complete():
                        self._backfill(ft)
                    self._fulltext = ft
                except (sqlite3.Error, OSError) as e:  # a read-only store folder: scan with $contains
                    log.warning("no full-text index at %s (%s); word filters scan the documents", self.db, e)
                    self._fulltext = False
        return self._fulltext or None

    def _backfill(self, ft: Any) -> None:
        """Rows for entries written before the index existed (idempotent: rows are upserts)."""
        for name in VECTOR_COLLECTIONS:
            col = self._col(name, create=False)
            if col is None:
                continue
            offset = 0
            while True:
                got = col.get(include=["documents", "metadatas"], limit=_BATCH, offset=offset)
                if not got["ids"]:
                    break
                by_video: dict[str, list[tuple[str, str]]] = {}
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]):
                    by_video.setdefault(str((m or {}).get("video_id", "")), []).append((i, d or ""))
                for vid, rows in by_video.items():
                    ft.add(name, vid, rows)
                offset += len(got["ids"])
        ft.mark_complete()

    # -- collections -------------------------------------------------------------------------
    def _col(self, name: str, create: bool = True):
        if name in self._cols:
            return self._cols[name]
        model = self._models.get(name)
        if name == "videos":
            col = self._client.get_or_create_collection("videos", metadata={"hnsw:space": "cosine"})
        else:
            try:
                col = self._client.get_collection(name)
            except Exception:
                if not create or model is None:
                    return None
                col = self._client.create_collection(name, metadata={"hnsw:space": "cosine", "model": model})
            stored = (col.metadata or {}).get("model")
            if model is not None and stored is not None and stored != model:
                raise StoreError(
                    f"the store at {self.db} has {name} vectors from {stored!r}, but {model!r} is configured: "
                    f"set the same model back, or index into a new --db")
        self._cols[name] = col
        return col

    def collection_model(self, name: str) -> str | None:
        col = self._col(name, create=False)
        return None if col is None else (col.metadata or {}).get("model")

    # -- video records -------------------------------------------------------------------------
    def put_video(self, rec: VideoRecord) -> None:
        doc = json.dumps(rec.__dict__, ensure_ascii=False)
        self._col("videos").upsert(ids=[rec.video_id], embeddings=[_DUMMY], documents=[doc],
                                   metadatas=[{"status": rec.status, "path": rec.path}])
        self._done_cache = None
        self._per_video.clear()  # this process changed a video: forget what was read of it

    def get_video(self, video_id: str) -> VideoRecord | None:
        got = self._col("videos").get(ids=[video_id], include=["documents"])
        if not got["ids"]:
            return None
        return VideoRecord(**json.loads(got["documents"][0]))

    def videos(self, status: str | None = None) -> list[VideoRecord]:
        kw: dict[str, Any] = {"include": ["documents"]}
        if status:
            kw["where"] = {"status": status}
        got = self._col("videos").get(**kw)
        recs = [VideoRecord(**json.loads(d)) for d in got["documents"]]
        return sorted(recs, key=lambda r: r.path)

    def done_videos(self) -> dict[str, VideoRecord]:
        """video_id -> record of the videos visible to queries (cached for a second)."""
        return self._records()[0]

    def _records(self) -> tuple[dict[str, VideoRecord], int]:
        """(done videos, number of records of any status), read once a second at most: every query
        needs them, and reading all records is what made big libraries slow."""
        now = time.monotonic()
        if self._done_cache and now - self._done_cache[0] < 1.0:
            return self._done_cache[1], self._done_cache[2]
        every = self.videos()
        done = {r.video_id: r for r in every if r.status == "done"}
        self._done_cache = (now, done, len(every))
        return done, len(every)

    def _cached(self, key: tuple, video_id: str, read: Callable[[], Any]) -> Any:
        rec = self.done_videos().get(video_id)
        full = key + (video_id, rec.indexed_at if rec else None)
        if full not in self._per_video:
            if len(self._per_video) >= _PER_VIDEO_CACHE:
                self._per_video.pop(next(iter(self._per_video)))
            self._per_video[full] = read()
        return self._per_video[full]

    def vectors(self, collection: str, video_id: str) -> np.ndarray:
        """A visible video's unit vectors in a collection, (n, d) float32 (cached per video)."""
        return self._cached(("vectors", collection), video_id,
                            lambda: self.get_vectors(collection, video_ids=[video_id])[1])

    def segments_of(self, video_id: str) -> list[Hit]:
        """All segments (shots, events) of a visible video, in time order (cached per video; each
        call gets its own copies, which callers may rescore)."""
        hits = self._cached(("segments",), video_id, lambda: sorted(
            self.get("segments", video_ids=[video_id]), key=lambda h: (h.start, h.end)))
        return [replace(h, meta=dict(h.meta)) for h in hits]

    def resolve_video(self, ref: str) -> VideoRecord:
        """A video the store knows, by id, path, file name or stem; never an arbitrary path."""
        done = self.done_videos()
        if ref in done:
            return done[ref]
        ref_s = str(ref).strip()
        matches = []
        for rec in done.values():
            names = set()
            for p in rec.paths or [rec.path]:
                names.update({p, Path(p).name, Path(p).stem})
            if ref_s in names:
                return rec
            if ref_s and any(ref_s.lower() in n.lower() for n in names):
                matches.append(rec)
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise StoreError(f"{ref!r} matches several indexed videos: " + ", ".join(Path(m.path).name for m in matches))
        raise StoreError(f"{ref!r} is not an indexed video (see `vidsage videos`)")

    def delete_video_entries(self, video_id: str) -> None:
        for name in VECTOR_COLLECTIONS:
            col = self._col(name, create=False)
            if col is not None:
                col.delete(where={"video_id": video_id})
        ft = self.fulltext()
        if ft is not None:
            ft.delete_video(video_id)
        self._per_video.clear()

    def delete_video(self, video_id: str) -> None:
        self.delete_video_entries(video_id)
        self._col("videos").delete(ids=[video_id])
        self._done_cache = None

    # -- writing entries -------------------------------------------------------------------------
    def add(self, collection: str, video_id: str, video_path: str, items: Iterable[tuple[str, Sequence[float], str, dict]]) -> int:
        """Upsert entries `(local_id, vector, document, meta)` of one video. Returns the count."""
        entries = [
            _Entry(f"{video_id}:{collection}:{lid}", list(map(float, vec)), doc,
                   _clean_meta({**meta, "video_id": video_id, "video": video_path}))
            for lid, vec, doc, meta in items
        ]
        if not entries:
            return 0
        col = self._col(collection)
        if col is None:
            raise StoreError(f"no model configured for the {collection} collection")
        for i in range(0, len(entries), _BATCH):
            batch = entries[i:i + _BATCH]
            col.upsert(ids=[e.id for e in batch], embeddings=[e.vector for e in batch],
                       documents=[e.document for e in batch], metadatas=[e.meta for e in batch])
        ft = self.fulltext()
        if ft is not None:
            ft.add(collection, video_id, [(e.id, e.document) for e in entries])
        return len(entries)

    def count(self, collection: str, video_id: str | None = None) -> int:
        col = self._col(collection, create=False)
        if col is None:
            return 0
        if video_id is None:
            return col.count()
        return len(col.get(where={"video_id": video_id}, include=[])["ids"])

    # -- reading -----------------------------------------------------------------------------------
    def _visibility(self, video_ids: list[str] | None) -> tuple[dict[str, Any] | None, dict[str, VideoRecord]]:
        done, every = self._records()
        if video_ids is not None:
            ids = [v for v in video_ids if v in done]
        else:
            ids = list(done)
            # every record done: no filter needed, which keeps queries fast on big libraries
            if every == len(ids):
                return None, done
        if not ids:
            return {"video_id": "__none__"}, done
        return ({"video_id": ids[0]} if len(ids) == 1 else {"video_id": {"$in": ids}}), done

    def query(self, collection: str, vector: Sequence[float], k: int = 10, video_ids: list[str] | None = None,
              where: dict[str, Any] | None = None, contains: list[str] | None = None) -> list[Hit]:
        """Nearest entries by cosine similarity; `contains` keeps only documents holding any of the words."""
        col = self._col(collection, create=False)
        if col is None or k <= 0:
            return []
        vis, done = self._visibility(video_ids)
        if contains and where is None:
            ft = self.fulltext()
            if ft is not None:
                return self._query_fulltext(ft, col, collection, vector, k, vis, done, contains)
        clauses = [c for c in (vis, where) if c]
        flt = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        kw: dict[str, Any] = {"query_embeddings": [list(map(float, vector))], "n_results": k,
                              "include": ["documents", "metadatas", "distances"]}
        if flt:
            kw["where"] = flt
        if contains:
            terms = [{"$contains": w} for w in contains if w]
            if terms:
                kw["where_document"] = terms[0] if len(terms) == 1 else {"$or": terms}
        try:
            res = col.query(**kw)
        except Exception as e:
            # Chroma raises when the filter leaves fewer candidates than asked in some versions
            if "contigious" in str(e) or "contiguous" in str(e) or "Number of requested results" in str(e):
                return []
            raise
        hits = []
        for doc, meta, dist in zip(res["documents"][0], res["metadatas"][0], res["distances"][0]):
            hits.append(_hit(collection, doc, meta, 1.0 - float(dist) / 1.0 if dist is not None else 0.0))
        return hits

    def _query_fulltext(self, ft: Any, col: Any, collection: str, vector: Sequence[float], k: int,
                        vis: dict[str, Any] | None, done: dict[str, VideoRecord], words: list[str]) -> list[Hit]:
        """`query` with a word filter, answered by the full-text index: the documents holding any
        of the words (best BM25 first, 4k of them), ranked by cosine like a Chroma query would."""
        ids = None
        if vis is not None:
            allowed = vis.get("video_id")
            ids = [allowed] if isinstance(allowed, str) else list(allowed.get("$in", []))
            ids = [i for i in ids if i in done]
        found = ft.search(collection, words, ids, limit=max(4 * k, 40))
        if not found:
            return []
        got = col.get(ids=found, include=["documents", "metadatas", "embeddings"])
        if not got["ids"]:
            return []
        cos = unit_rows(got["embeddings"]) @ unit_rows([vector])[0]
        order = np.argsort(-cos)[:k]
        return [_hit(collection, got["documents"][i], got["metadatas"][i], float(cos[i])) for i in order]

    def get_vectors(self, collection: str, video_ids: list[str] | None = None,
                    where: dict[str, Any] | None = None) -> tuple[list[Hit], np.ndarray]:
        """`get`, with each entry's unit vector: (hits, (n, d) float32 rows in the same order)."""
        col = self._col(collection, create=False)
        if col is None:
            return [], np.zeros((0, 0), np.float32)
        vis, _ = self._visibility(video_ids)
        clauses = [c for c in (vis, where) if c]
        kw: dict[str, Any] = {"include": ["documents", "metadatas", "embeddings"]}
        if clauses:
            kw["where"] = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        res = col.get(**kw)
        hits = [_hit(collection, d, m, 0.0) for d, m in zip(res["documents"], res["metadatas"])]
        if not hits:
            return [], np.zeros((0, 0), np.float32)
        return hits, unit_rows(res["embeddings"])

    def get(self, collection: str, video_ids: list[str] | None = None, where: dict[str, Any] | None = None,
            limit: int | None = None) -> list[Hit]:
        """All visible entries matching a filter (no ranking)."""
        col = self._col(collection, create=False)
        if col is None:
            return []
        vis, _ = self._visibility(video_ids)
        clauses = [c for c in (vis, where) if c]
        kw: dict[str, Any] = {"include": ["documents", "metadatas"]}
        if clauses:
            kw["where"] = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        if limit:
            kw["limit"] = limit
        res = col.get(**kw)
        return [_hit(collection, d, m, 0.0) for d, m in zip(res["documents"], res["metadatas"])]

    def disk_bytes(self) -> int:
        if self.db.startswith("http"):
            return 0
        return sum(p.stat().st_size for p in Path(self.db).rglob("*") if p.is_file())


def unit_rows(vectors: Any) -> np.ndarray:
    """Vectors as float32 rows of length 1 (cosine similarity is then a dot product)."""
    v = np.asarray(vectors, np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def _hit(collection: str, doc: str, meta: dict[str, Any], score: float) -> Hit:
    meta = dict(meta or {})
    start = float(meta.pop("start", meta.get("t", 0.0)))
    end = float(meta.pop("end", start))
    kind = {"frames": "frame", "clip": "clip", "transcript": "transcript"}.get(collection)
    if kind is None:
        kind = f"segment:{meta.get('kind', 'shot')}"
    return Hit(video=str(meta.get("video", "")), start=start, end=end, score=score, text=doc or "", kind=kind, meta=meta)
