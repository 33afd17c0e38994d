"""Query latency on libraries of 1, 10 and 100 hours, built from real indexed entries.

The entries (frames, segments, transcript chunks, CLIP vectors when present) of a real indexed
library (--source-db, or the bundled samples/ indexed once into a cached store) are replicated into
synthetic videos of about --video-minutes each: every synthetic video lays copies of the source
videos end to end (times shifted) in a random order, under a new video id and path, with every
vector perturbed by Gaussian noise (sigma --noise, then re-normalised) so that no two copies are
identical. Documents (the text) are the real ones. Records are written with Store.put_video
(status "done") and entries with Store.add, exactly as the pipeline writes them.

For each size the three tools are timed on a fixed list of questions (one warm-up pass first):
find_moments, search_frames, search_transcript; plus store size on disk and this process's RSS.

    python bench/query_scale.py [--hours 1 10 100] [--source-db DIR] [--queries 30]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import (RESULTS, SAMPLES, cache_dir, cpu_info, git_commit, peak_rss_mib, percentiles, rss_mib,  # noqa: E402
                   write_json)

QUESTIONS = [  # realistic questions of the kinds users ask; not the eval set
    "when does he say ask not what your country can do for you", "when does the red car appear",
    "when does someone say crown jewels", "white car driving up the road", "woman wearing a hat",
    "when is the clock on the wall shown", "someone on the telephone", "when does the speech mention americans",
    "a person standing at a table", "text on screen", "when does the title appear", "when is a bird shown",
    "when does someone say hello", "two cars passing each other", "when does the man in black walk in",
    "when does she say the lord of the universe", "the last car", "when is it dark", "empty road",
    "when does someone laugh", "a newspaper office", "grey asphalt from above", "when does he talk about freedom",
    "when do they say okay", "people talking in an office", "a silver car", "when does the speaker pause",
    "what is written on the sign", "when does it start raining", "someone wearing headphones",
]
COLLECTIONS = ("frames", "segments", "transcript", "clip")


def source_store(source_db: str | None, settings, log) -> str:
    """A store holding real indexed entries: the given one, or samples/ indexed once into the cache."""
    from vidsage.index.pipeline import Reporter, index_paths

    if source_db:
        return source_db
    db = cache_dir() / "source-db-samples"
    log(f"source library: indexing {SAMPLES} into {db} (once; reused later)")
    s = settings.model_copy(update={"db": str(db)})
    summary = index_paths([SAMPLES], s, reporter=Reporter())
    bad = [r for r in summary.results if r.status in ("skipped", "failed")]
    if bad:
        raise SystemExit(f"cannot index the source library: {bad[0].path}: {bad[0].reason}")
    return str(db)


def load_source(db: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every done video of the source with its entries per collection (vector, document, metadata)."""
    from vidsage.index.store import Store

    st = Store(db)
    models = {c: m for c in COLLECTIONS if (m := st.collection_model(c))}
    videos = []
    for rec in st.videos(status="done"):
        entries: dict[str, list[tuple[str, np.ndarray, str, dict]]] = {}
        for c in models:
            col = st._col(c, create=False)
            got = col.get(where={"video_id": rec.video_id}, include=["embeddings", "documents", "metadatas"])
            entries[c] = [(i.split(":", 2)[-1], np.asarray(e, np.float32), d, dict(m))
                          for i, e, d, m in zip(got["ids"], got["embeddings"], got["documents"], got["metadatas"])]
        videos.append({"record": rec, "entries": entries})
    if not videos:
        raise SystemExit(f"no indexed videos in {db}")
    return videos, models


def _shift(meta: dict, off: float, vid: str, vpath: str) -> dict:
    m = {k: v for k, v in meta.items() if k not in ("video_id", "video")}
    for k in ("t", "start", "end"):
        if k in m and isinstance(m[k], (int, float)):
            m[k] = float(m[k]) + off
    w = m.get("words")
    if isinstance(w, str):
        try:
            m["words"] = [[a + off, b + off, x] for a, b, x in json.loads(w)]
        except (ValueError, TypeError):
            pass
    return m


def grow(store, source: list[dict[str, Any]], have_s: float, target_s: float, video_s: float, noise: float,
         rng: random.Random, nrng: np.random.Generator, start_index: int, log) -> tuple[float, int, dict[str, int]]:
    """Add synthetic videos until the library holds `target_s` seconds. Returns (seconds, videos, entries)."""
    from vidsage.types import VideoRecord

    n = start_index
    added: dict[str, int] = {}
    src_len = sum(v["record"].duration for v in source)
    t0 = time.perf_counter()
    while have_s < target_s:
        vid = f"bench{n:06d}"
        vpath = f"/bench/library/video_{n:06d}.mp4"
        parts, off = [], 0.0
        while off < min(video_s, target_s - have_s) or not parts:
            v = rng.choice(source)
            parts.append((v, off))
            off += v["record"].duration
            if src_len <= 0:
                break
        models = dict(source[0]["record"].models)
        rec = VideoRecord(video_id=vid, path=vpath, paths=[vpath], duration=off, streams="video h264, audio aac",
                          status="indexing", models=models, options={"bench": "replicated"},
                          indexed_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
        store.put_video(rec)
        for c in COLLECTIONS:
            items = []
            for j, (v, o) in enumerate(parts):
                for lid, vec, doc, meta in v["entries"].get(c, []):
                    pv = vec + nrng.normal(0.0, noise, size=vec.shape).astype(np.float32)
                    pv /= max(float(np.linalg.norm(pv)), 1e-9)
                    items.append((f"{j}.{lid}", pv, doc, _shift(meta, o, vid, vpath)))
            if items:
                added[c] = added.get(c, 0) + store.add(c, vid, vpath, items)
        rec.status = "done"
        rec.keyframes = sum(len(v["entries"].get("frames", [])) for v, _ in parts)
        rec.chunks = sum(len(v["entries"].get("transcript", [])) for v, _ in parts)
        store.put_video(rec)
        have_s += off
        n += 1
        if (n - start_index) % 50 == 0:
            log(f"  {have_s / 3600:.1f} h, {n} videos ({time.perf_counter() - t0:.0f}s)")
    return have_s, n, added


def time_tools(toolbox, questions: list[str]) -> dict[str, Any]:
    tools = {"find_moments": lambda q: toolbox.find_moments(q, k=5),
             "search_frames": lambda q: toolbox.search_frames(q, k=5),
             "search_transcript": lambda q: toolbox.search_transcript(q, k=5)}
    for q in questions[:3]:  # warm-up: caches, lazily loaded models
        for f in tools.values():
            f(q)
    out = {}
    for name, f in tools.items():
        xs = []
        for q in questions:
            t = time.perf_counter()
            f(q)
            xs.append((time.perf_counter() - t) * 1000)
        out[name] = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in percentiles(xs).items()}
    return out


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    from vidsage.config import load_settings
    from vidsage.index.store import Store
    from vidsage.tools.toolbox import Toolbox

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hours", type=float, nargs="+", default=[1, 10, 100])
    ap.add_argument("--source-db", default=None, help="a store with real indexed videos [default: samples/ indexed once]")
    ap.add_argument("--db", default=None, help="where to build the library [default: a temporary folder, removed]")
    ap.add_argument("--video-minutes", type=float, default=10.0, help="length of each synthetic video")
    ap.add_argument("--noise", type=float, default=0.02, help="sigma of the Gaussian noise added to every vector")
    ap.add_argument("--queries", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS / "query_scale.json")
    args = ap.parse_args(argv)
    console = Console(stderr=True)
    log = lambda m: console.print(m, highlight=False, markup=False)  # noqa: E731

    settings = load_settings()
    src_db = source_store(args.source_db, settings, log)
    source, models = load_source(src_db)
    src_seconds = sum(v["record"].duration for v in source)
    src_entries = {c: sum(len(v["entries"].get(c, [])) for v in source) for c in models}
    log(f"source: {len(source)} real videos, {src_seconds:.0f}s, entries {src_entries}")

    db = args.db or tempfile.mkdtemp(prefix="vidsage-bench-scale-")
    note = (f"libraries built from the real indexed entries of {len(source)} videos ({src_seconds:.0f} s, {src_db}), "
            f"replicated into synthetic ~{args.video_minutes:g}-minute videos with new ids, times shifted, every "
            f"vector perturbed by N(0, {args.noise}) noise and re-normalised; documents are the real text")
    log(note)
    rng, nrng = random.Random(args.seed), np.random.default_rng(args.seed)
    questions = (QUESTIONS * (args.queries // len(QUESTIONS) + 1))[: args.queries]
    sizes = []
    try:
        store = Store(db, models=models)
        have, n = 0.0, 0
        entries: dict[str, int] = {}
        for hours in sorted(args.hours):
            t = time.perf_counter()
            have, n, added = grow(store, source, have, hours * 3600, args.video_minutes * 60, args.noise, rng, nrng,
                                  n, log)
            for c, k in added.items():
                entries[c] = entries.get(c, 0) + k
            build_s = time.perf_counter() - t
            s = settings.model_copy(update={"db": db})
            tb = Toolbox(s)
            lat = time_tools(tb, questions)
            row = {"hours": hours, "library_hours": round(have / 3600, 2), "videos": n, "entries": dict(entries),
                   "build_seconds": round(build_s, 1), "disk_mib": round(store.disk_bytes() / 2**20, 1),
                   "rss_mib": round(rss_mib()), "latency_ms": lat}
            sizes.append(row)
            log(f"{hours:g} h: {n} videos, {sum(entries.values())} entries, find_moments p50 "
                f"{lat['find_moments']['p50']} ms p95 {lat['find_moments']['p95']} ms")
            write_json(args.out, _result(sizes, note, models, src_entries, settings, args, len(questions)))
    finally:
        if not args.db:
            shutil.rmtree(db, ignore_errors=True)

    result = _result(sizes, note, models, src_entries, settings, args, len(questions))
    write_json(args.out, result)
    t = Table(title="query latency by library size (ms; " + note.split(";")[0] + ")", title_justify="left")
    for col in ("hours", "videos", "entries", "find_moments p50/p95", "search_frames p50/p95",
                "search_transcript p50/p95", "disk", "RSS"):
        t.add_column(col, justify="right")
    for r in sizes:
        lat = r["latency_ms"]
        t.add_row(f"{r['hours']:g}", str(r["videos"]), str(sum(r["entries"].values())),
                  *(f"{lat[k]['p50']:.0f} / {lat[k]['p95']:.0f}" for k in ("find_moments", "search_frames",
                                                                          "search_transcript")),
                  f"{r['disk_mib']:.0f} MiB", f"{r['rss_mib']} MiB")
    con = Console(width=max(Console().width, 130))
    con.print(t)
    con.print(f"peak RSS {result['peak_rss_mib']} MiB; wrote {args.out}", highlight=False)
    return 0


def _result(sizes, note, models, src_entries, settings, args, nq) -> dict[str, Any]:
    return {"note": note, "sizes": sizes, "queries_per_tool": nq, "k": 5, "models": models,
            "source_entries": src_entries, "cpu": cpu_info(), "threads": settings.threads,
            "peak_rss_mib": round(peak_rss_mib()), "git_commit": git_commit(),
            "options": {"video_minutes": args.video_minutes, "noise": args.noise, "seed": args.seed},
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


if __name__ == "__main__":
    sys.exit(main())
