"""The store as a server: everything that works on the embedded store works against `chroma run`.

A real Chroma server on a loopback port (tests/chroma_server.py), real media indexed into it through
the real pipeline, then the CLI (`videos`, `ask`, `index`) pointed at it with `--db http://...`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chroma_server import chroma_server  # noqa: F401  (fixture)
from vidsage.cli import app

runner = CliRunner()
FILES = ["jfk.flac", "grid_swwp2s.mpg"]


@pytest.fixture(scope="module")
def served(chroma_server, media):  # noqa: F811
    """(settings, summary): FILES indexed into the server."""
    from vidsage.config import load_settings
    from vidsage.index.pipeline import index_paths

    settings = load_settings(db=chroma_server)
    assert settings.is_remote_db
    summary = index_paths([media / f for f in FILES], settings)
    bad = [r for r in summary.results if r.status != "indexed"]
    assert not bad, f"indexing into the Chroma server failed: {bad}"
    return settings, summary


def _by_name(rows: list[dict]) -> dict[str, dict]:
    return {Path(r["video"]).name: r for r in rows}


def test_server_holds_the_videos(served):
    settings, _ = served
    res = runner.invoke(app, ["videos", "--db", settings.db, "--json"])
    assert res.exit_code == 0, res.output
    rows = _by_name(json.loads(res.stdout))
    assert set(rows) == set(FILES)
    assert all(r["status"] == "done" for r in rows.values())
    assert rows["jfk.flac"]["chunks"] >= 1 and rows["jfk.flac"]["keyframes"] == 0
    assert rows["grid_swwp2s.mpg"]["keyframes"] >= 1 and rows["grid_swwp2s.mpg"]["chunks"] >= 1
    assert rows["jfk.flac"]["language"] == "en"


def test_ask_fast_against_server(served):
    settings, _ = served
    res = runner.invoke(app, ["ask", "when does he say ask not what your country can do for you",
                              "--db", settings.db, "--json", "--mode", "fast"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout)
    top = obj["moments"][0]
    assert top["video"].endswith("jfk.flac") and top["start"] < 7.5 and top["end"] > 3.3, top
    assert obj["citations"] and obj["citations"][0]["video"].endswith("jfk.flac")


def test_ask_fast_finds_the_grid_sentence(served):
    settings, _ = served
    res = runner.invoke(app, ["ask", "when does he say set white with p two soon", "--db", settings.db,
                              "--json", "--mode", "fast"])
    assert res.exit_code == 0, res.output
    top = json.loads(res.stdout)["moments"][0]
    assert top["video"].endswith("grid_swwp2s.mpg") and top["start"] < 2.2 and top["end"] > 0.5, top


def _counts(store, video_id: str) -> dict[str, int]:
    return {c: store.count(c, video_id) for c in ("frames", "segments", "transcript")}


def test_reindex_is_a_noop(served, media):
    """Re-running `index` on the server skips what is done and writes nothing."""
    from vidsage.index.store import Store

    settings, _ = served
    store = Store(settings.db)
    before = {r.video_id: _counts(store, r.video_id) for r in store.videos()}
    res = runner.invoke(app, ["index", *(str(media / f) for f in FILES), "--db", settings.db, "--quiet"])
    assert res.exit_code == 0, res.output
    assert "0 indexed, 2 already indexed" in res.output
    after = {r.video_id: _counts(store, r.video_id) for r in store.videos()}
    assert after == before


def test_interrupted_video_is_finished_without_duplicates(served, media):
    """A video left half-written on the server (status "indexing") is cleaned and redone on the next run."""
    from vidsage.index.pipeline import index_paths
    from vidsage.index.store import Store

    settings, _ = served
    store = Store(settings.db)
    rec = next(r for r in store.videos() if Path(r.path).name == "jfk.flac")
    before = _counts(store, rec.video_id)
    rec.status = "indexing"  # what a killed run leaves behind
    store.put_video(rec)
    # ... plus a stray entry it had written before dying
    store._models["transcript"] = store.collection_model("transcript")
    dim = len(store._col("transcript").get(limit=1, include=["embeddings"])["embeddings"][0])
    store.add("transcript", rec.video_id, rec.path, [("stray", [0.1] * dim, "stray half-written chunk", {"start": 0.0, "end": 1.0})])
    assert Store(settings.db).done_videos().get(rec.video_id) is None  # invisible while not done

    summary = index_paths([media / "jfk.flac"], settings)
    assert [r.status for r in summary.results] == ["indexed"]
    assert _counts(store, rec.video_id) == before
    assert Store(settings.db).get_video(rec.video_id).status == "done"
