"""Indexing with Ray (the `vidsage[ray]` extra): a local 2-CPU Ray cluster writing into a real Chroma
server gives the same store contents as the local pipeline; failed tasks are retried and reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="the optional extra vidsage[ray] is not installed")

from chroma_server import chroma_server  # noqa: E402,F401  (fixture)

# the audio-only GRID file: its transcript changes when numpy's BLAS runs single-threaded, as Ray
# workers would by default (index/distributed.py sets their OMP_NUM_THREADS to match a local run)
FILES = ["grid_seven_speakers_audio_only.m4a", "grid_swwp2s.mpg"]


@pytest.fixture(scope="module")
def ray_cluster():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield ray
    ray.shutdown()


def _contents(store) -> dict[str, dict]:
    """Per video file name: record counts, keyframe times, chunk texts and spans, segment texts."""
    out = {}
    for rec in store.videos():
        def ordered(col: str):
            hits = store.get(col, video_ids=[rec.video_id])
            return sorted(hits, key=lambda h: (h.start, h.end, h.text))

        out[Path(rec.path).name] = {
            "status": rec.status, "keyframes": rec.keyframes, "chunks": rec.chunks, "segments": rec.segments,
            "language": rec.language,
            "frame_times": [round(h.start, 3) for h in ordered("frames")],
            "chunk_texts": [h.text for h in ordered("transcript")],
            "chunk_spans": [(round(h.start, 2), round(h.end, 2)) for h in ordered("transcript")],
            "segment_texts": [h.text for h in ordered("segments")],
        }
    return out


def test_ray_matches_local_run(ray_cluster, chroma_server, media, tmp_path):  # noqa: F811
    from vidsage.config import load_settings
    from vidsage.index.distributed import index_with_ray
    from vidsage.index.pipeline import Reporter, index_paths
    from vidsage.index.store import Store

    paths = [media / f for f in FILES]
    local = load_settings(db=str(tmp_path / "local-db"))
    summary_local = index_paths(paths, local)
    assert [r.status for r in summary_local.results] == ["indexed"] * len(FILES), summary_local.results

    remote = load_settings(db=chroma_server)
    summary_ray = index_with_ray(paths, remote, address="auto", reporter=Reporter())
    assert [r.status for r in summary_ray.results] == ["indexed"] * len(FILES), summary_ray.results
    assert [Path(r.path).name for r in summary_ray.results] == FILES
    assert summary_ray.exit_code == 0

    want, got = _contents(Store(local.db)), _contents(Store(remote.db))
    assert set(got) == set(FILES)
    for name in FILES:
        assert got[name] == want[name], name

    # a second Ray run resumes: nothing to do, nothing written twice
    again = index_with_ray(paths, remote, address="auto", reporter=Reporter())
    assert [r.status for r in again.results] == ["unchanged"] * len(FILES)
    assert _contents(Store(remote.db)) == got


def test_ray_refuses_a_folder_store(tmp_path):
    from vidsage.config import load_settings
    from vidsage.index.distributed import index_with_ray
    from vidsage.types import StoreError

    with pytest.raises(StoreError, match="Chroma server"):
        index_with_ray([tmp_path], load_settings(db=str(tmp_path / "db")))


def test_failed_tasks_are_retried_and_reported(ray_cluster, tmp_path):
    """A task that raises, and one whose worker process dies, are resubmitted; one that always fails
    ends as a failure with its error, never dropped."""
    from vidsage.index.distributed import run_tasks

    @ray.remote(max_retries=0)
    def flaky(key: str, marker_dir: str, mode: str) -> dict:
        marker = Path(marker_dir) / key
        if mode == "always":
            raise ValueError(f"{key} is broken")
        if not marker.exists():
            marker.write_text("failed once")
            if mode == "crash":
                os._exit(1)  # the worker process dies mid-task
            raise RuntimeError("transient failure")
        return {"key": key, "ok": True}

    events = []
    items = [(k, (k, str(tmp_path), mode)) for k, mode in [("a", "raise"), ("b", "crash"), ("c", "always"),
                                                           ("d", "fine")]]
    (tmp_path / "d").write_text("")  # "d" succeeds at the first attempt
    results = run_tasks(ray, flaky, items, max_retries=2,
                        on_done=lambda key, res, err, attempt: events.append((key, res is not None, err, attempt)))
    assert set(results) == {"a", "b", "c", "d"}
    assert results["a"] == {"key": "a", "ok": True} and results["b"] == {"key": "b", "ok": True}
    assert results["d"] == {"key": "d", "ok": True}
    assert results["c"] is None
    by_key = {k: [e for e in events if e[0] == k] for k in "abcd"}
    assert [(ok, att) for _, ok, _, att in by_key["a"]] == [(False, 1), (True, 2)]
    assert "transient failure" in by_key["a"][0][2]
    assert [(ok, att) for _, ok, _, att in by_key["b"]] == [(False, 1), (True, 2)]
    assert [(ok, att) for _, ok, _, att in by_key["c"]] == [(False, 1), (False, 2), (False, 3)]
    assert "c is broken" in by_key["c"][-1][2]


def test_models_load_once_per_worker(ray_cluster, chroma_server):  # noqa: F811
    """Every task a worker process runs reuses the Indexer (models + store client) it loaded first."""
    from vidsage.config import load_settings
    from vidsage.index import distributed

    settings_json = load_settings(db=chroma_server).model_copy(update={"threads": 1}).model_dump_json()

    @ray.remote(num_cpus=1)
    def probe(sj: str) -> tuple[int, int]:
        return os.getpid(), id(distributed._worker_indexer(sj))

    seen = ray.get([probe.remote(settings_json) for _ in range(6)])
    per_pid: dict[int, set[int]] = {}
    for pid, ident in seen:
        per_pid.setdefault(pid, set()).add(ident)
    assert len(per_pid) < len(seen)  # 2 CPUs: worker processes ran several tasks each
    assert all(len(ids) == 1 for ids in per_pid.values()), per_pid


def test_cli_index_with_ray(ray_cluster, chroma_server, media, tmp_path):  # noqa: F811
    """`vidsage index ... --ray ADDRESS` goes through index_with_ray; a folder --db is refused in one line."""
    from typer.testing import CliRunner

    from vidsage.cli import app

    runner = CliRunner()
    paths = [str(media / f) for f in FILES]
    for _ in range(2):  # (after test_ray_matches_local_run both runs are no-ops; alone, the first indexes)
        res = runner.invoke(app, ["index", *paths, "--db", chroma_server, "--ray", "auto"])
        assert res.exit_code == 0, res.output
    assert f"0 indexed, {len(FILES)} already indexed" in res.output

    res = runner.invoke(app, ["index", *paths, "--db", str(tmp_path / "db"), "--ray", "auto"])
    assert res.exit_code == 2
    assert "needs a Chroma server" in res.output
