"""A full-text index of the store's documents (SQLite FTS5), beside Chroma in the store folder.

Chroma's `$contains` document filter scans every document: on a 100-hour library one lexical query
took ~230 ms, and `find_moments` makes several. FTS5 answers the same "which documents hold any of
these words" from an inverted index in a few milliseconds; the vectors of those documents then come
from Chroma by id, so hybrid scores stay what they were.

Rows mirror Chroma entries (`entry_id`, collection, video id, the document). Words are matched by
prefix, case- and accent-insensitively (`unicode61`); runs of CJK characters, which have no spaces,
are also indexed as character bigrams in their own column. A Chroma server store has no local folder:
it keeps using `$contains`.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

FILE = "fulltext.sqlite3"
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u0e00-\u0e7f]+")
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY, entry_id TEXT NOT NULL UNIQUE, collection TEXT NOT NULL, video_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_by_video ON entries (video_id);
CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(body, cjk, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""


def cjk_bigrams(text: str) -> str:
    """Character bigrams of each CJK run ("砸自己" -> "砸自 自己"), space separated."""
    out = []
    for run in _CJK_RUN.findall(text):
        out.extend(run[i:i + 2] for i in range(max(1, len(run) - 1)))
    return " ".join(out)


def _term(word: str) -> str | None:
    word = word.strip().lower()
    if not word:
        return None
    quoted = '"' + word.replace('"', '""') + '"'
    return f"cjk : {quoted}" if _CJK_RUN.fullmatch(word) else f"body : {quoted}*"


class FullText:
    """One store's full-text index. Thread-safe; one connection per thread."""

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / FILE
        self._local = threading.local()
        conn = self._conn()
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            # another layout (an earlier vidsage): rebuilt from Chroma, which holds the truth
            conn.executescript("DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS entries; DROP TABLE IF EXISTS state;")
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.commit()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0)
            conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the indexer
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    # -- state ---------------------------------------------------------------------------------
    def complete(self) -> bool:
        """True once every Chroma entry has its row (set after a backfill, kept by every write)."""
        row = self._conn().execute("SELECT value FROM state WHERE key = 'complete'").fetchone()
        return bool(row and row[0] == "1")

    def mark_complete(self) -> None:
        with self._conn() as c:
            c.execute("INSERT OR REPLACE INTO state VALUES ('complete', '1')")

    # -- writing ---------------------------------------------------------------------------------
    def add(self, collection: str, video_id: str, rows: Iterable[tuple[str, str]]) -> None:
        """Upsert `(entry_id, document)` rows of one video's collection. Each entry's FTS row has the
        rowid of its `entries` row, so replacing or deleting one never scans the text table."""
        rows = list(rows)
        if not rows:
            return
        with self._conn() as c:
            for entry_id, doc in rows:
                (rowid,) = c.execute(
                    "INSERT INTO entries (entry_id, collection, video_id) VALUES (?, ?, ?) "
                    "ON CONFLICT (entry_id) DO UPDATE SET collection = excluded.collection, "
                    "video_id = excluded.video_id RETURNING id", (entry_id, collection, video_id)).fetchone()
                c.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))
                c.execute("INSERT INTO docs (rowid, body, cjk) VALUES (?, ?, ?)", (rowid, doc or "", cjk_bigrams(doc or "")))

    def delete_video(self, video_id: str) -> None:
        with self._conn() as c:
            c.execute("DELETE FROM docs WHERE rowid IN (SELECT id FROM entries WHERE video_id = ?)", (video_id,))
            c.execute("DELETE FROM entries WHERE video_id = ?", (video_id,))

    # -- reading ---------------------------------------------------------------------------------
    def search(self, collection: str, words: list[str], video_ids: list[str] | None, limit: int) -> list[str]:
        """Entry ids of `collection` whose document holds any of `words` (prefix match), best BM25
        first; only the given videos when `video_ids` is not None."""
        terms = [t for t in dict.fromkeys(_term(w) for w in words) if t]
        if not terms or (video_ids is not None and not video_ids) or limit <= 0:
            return []
        sql = ("SELECT e.entry_id FROM docs JOIN entries e ON e.id = docs.rowid "
               "WHERE docs MATCH ? AND e.collection = ?")
        args: list = [" OR ".join(terms), collection]
        if video_ids is not None:
            sql += f" AND e.video_id IN ({','.join('?' * len(video_ids))})"
            args += list(video_ids)
        sql += " ORDER BY bm25(docs) LIMIT ?"
        args.append(limit)
        try:
            return [r[0] for r in self._conn().execute(sql, args)]
        except sqlite3.OperationalError:  # a query FTS cannot parse: no lexical matches, not an error
            return []

    def count(self, collection: str | None = None, video_id: str | None = None) -> int:
        sql, args = "SELECT count(*) FROM entries WHERE 1", []
        if collection:
            sql, args = sql + " AND collection = ?", args + [collection]
        if video_id:
            sql, args = sql + " AND video_id = ?", args + [video_id]
        return int(self._conn().execute(sql, args).fetchone()[0])
