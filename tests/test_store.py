"""Property tests of the store, after Chroma's own: add, interrupt, delete and reopen in any order,
checking after each step that counts match a model, no entry is duplicated, and half-written videos
are never visible to queries."""

from __future__ import annotations

import tempfile

import numpy as np
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from vidsage.index.store import Store
from vidsage.types import StoreError, VideoRecord

MODELS = {"frames": "test-embedder", "segments": "test-embedder", "transcript": "test-embedder"}


def _vec(seed: int, dim: int = 8) -> list[float]:
    v = np.random.default_rng(seed).normal(size=dim)
    return list(v / np.linalg.norm(v))


def _record(vid: str, status: str) -> VideoRecord:
    return VideoRecord(video_id=vid, path=f"/videos/{vid}.mp4", paths=[f"/videos/{vid}.mp4"], duration=10.0,
                       streams="video h264", status=status)


class StoreMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="vidsage-store-")
        self.store = Store(self.dir, models=MODELS)
        self.model: dict[str, tuple[str, int]] = {}  # video id -> (status, transcript entries)

    def _write(self, vid: str, n: int, finish: bool) -> None:
        existing = self.store.get_video(vid)
        if existing is not None:
            self.store.delete_video_entries(vid)  # what the pipeline does before redoing a video
        self.store.put_video(_record(vid, "indexing"))
        items = [(str(i), _vec(hash((vid, i)) % 10_000), f"{vid} chunk {i}", {"start": float(i), "end": i + 1.0})
                 for i in range(n)]
        self.store.add("transcript", vid, f"/videos/{vid}.mp4", items)
        if finish:
            self.store.put_video(_record(vid, "done"))
        self.model[vid] = ("done" if finish else "indexing", n)

    @rule(vid=st.sampled_from(["a", "b", "c", "d"]), n=st.integers(1, 6))
    def index_video(self, vid, n):
        self._write(vid, n, finish=True)

    @rule(vid=st.sampled_from(["a", "b", "c", "d"]), n=st.integers(1, 6))
    def interrupted_index(self, vid, n):
        self._write(vid, n, finish=False)

    @invariant()
    def cached_vectors_follow_the_store(self):
        """The per-video vector cache (calibration) never serves a deleted, redone or hidden video."""
        for vid in "abcd":
            status, n = self.model.get(vid, (None, 0))
            got = self.store.vectors("transcript", vid)
            assert len(got) == (n if status == "done" else 0), (vid, status, n, len(got))

    @invariant()
    def fulltext_rows_mirror_chroma(self):
        """The full-text index holds exactly one row per Chroma entry, and finds only visible videos."""
        ft = self.store.fulltext()
        for vid in "abcd":
            assert ft.count("transcript", vid) == self.store.count("transcript", vid), vid
        hits = self.store.query("transcript", _vec(1), k=50, contains=["chunk"])
        assert sorted({h.meta["video_id"] for h in hits}) == sorted(v for v, (s, _) in self.model.items() if s == "done")

    @rule(vid=st.sampled_from(["a", "b", "c", "d"]))
    def delete(self, vid):
        self.store.delete_video(vid)
        self.model.pop(vid, None)

    @rule()
    def reopen(self):
        self.store = Store(self.dir, models=MODELS)

    @invariant()
    def counts_match(self):
        for vid, (_, n) in self.model.items():
            assert self.store.count("transcript", vid) == n
        assert self.store.count("transcript") == sum(n for _, n in self.model.values())

    @invariant()
    def no_duplicates_and_only_done_visible(self):
        hits = self.store.get("transcript")
        keys = [(h.meta["video_id"], h.start) for h in hits]
        assert len(keys) == len(set(keys))
        visible = {h.meta["video_id"] for h in hits}
        done = {v for v, (s, _) in self.model.items() if s == "done"}
        assert visible == done
        if done:
            found = self.store.query("transcript", _vec(1), k=50)
            assert {h.meta["video_id"] for h in found} <= done


TestStoreMachine = StoreMachine.TestCase
TestStoreMachine.settings = hsettings(max_examples=15, stateful_step_count=12, deadline=None)


def test_model_mismatch_is_refused(tmp_path):
    Store(str(tmp_path), models=MODELS).add("transcript", "v", "/v.mp4", [("0", _vec(0), "x", {"start": 0.0})])
    other = Store(str(tmp_path), models={"transcript": "another-embedder"})
    try:
        other.count("transcript")
        other._col("transcript")
    except StoreError as e:
        assert "test-embedder" in str(e) and "another-embedder" in str(e)
    else:
        raise AssertionError("a store written by one embedder must refuse another")


def test_unknown_video_is_refused(tmp_path):
    store = Store(str(tmp_path), models=MODELS)
    store.put_video(_record("a", "done"))
    assert store.resolve_video("a.mp4").video_id == "a"
    try:
        store.resolve_video("/etc/passwd")
    except StoreError as e:
        assert "not an indexed video" in str(e)
    else:
        raise AssertionError("paths outside the store must be refused")


def test_fulltext_index_is_rebuilt_for_an_older_store(tmp_path):
    """A store written before the full-text index existed (or whose index file was lost) gets one
    built from Chroma on first use, and word filters find the same entries as before."""
    from vidsage.index.fulltext import FILE

    store = Store(str(tmp_path), models=MODELS)
    store.put_video(_record("a", "indexing"))
    store.add("transcript", "a", "/videos/a.mp4", [("0", _vec(1), "ask not what your country can do", {"start": 0.0}),
                                                    ("1", _vec(2), "砸自己的脚", {"start": 5.0}),
                                                    ("2", _vec(3), "Dictée numéro un", {"start": 9.0})])
    store.put_video(_record("a", "done"))
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / (FILE + suffix)).unlink(missing_ok=True)
    again = Store(str(tmp_path), models=MODELS)
    assert again.fulltext().count("transcript", "a") == 3
    starts = lambda words: sorted(h.start for h in again.query("transcript", _vec(1), k=5, contains=words))  # noqa: E731
    assert starts(["Country"]) == [0.0]  # case-insensitive
    assert starts(["countr"]) == [0.0]  # prefix, as `$contains` matched substrings of words
    assert starts(["自己"]) == [5.0]  # a CJK bigram inside an unspaced run
    assert starts(["dictee"]) == [9.0]  # accents folded
    assert starts(["penguin"]) == []


def test_a_store_without_a_fulltext_index_still_answers_word_filters(tmp_path):
    """When the full-text index cannot be opened (a read-only folder; here its file's name is taken
    by a folder, which fails the same way even for root), word filters fall back to Chroma's
    document scan and find the same entry."""
    from vidsage.index.fulltext import FILE

    store = Store(str(tmp_path / "db"), models=MODELS)
    store.put_video(_record("a", "indexing"))
    store.add("transcript", "a", "/videos/a.mp4", [("0", _vec(1), "ask not what your country can do", {"start": 0.0})])
    store.put_video(_record("a", "done"))
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / "db" / (FILE + suffix)).unlink(missing_ok=True)
    (tmp_path / "db" / FILE).mkdir()
    reader = Store(str(tmp_path / "db"))
    assert reader.fulltext() is None
    assert [h.start for h in reader.query("transcript", _vec(1), k=3, contains=["country"])] == [0.0]
    assert reader.query("transcript", _vec(1), k=3, contains=["penguin"]) == []
